using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>
/// A namespace with typed events, typed inter-server events and typed socket data — the
/// reference's <c>Namespace&lt;ListenEvents, EmitEvents, ServerSideEvents, SocketData&gt;</c>.
/// </summary>
/// <typeparam name="TListen">The events clients send.</typeparam>
/// <typeparam name="TEmit">The events the server sends to clients.</typeparam>
/// <typeparam name="TServerSide">The events the servers of a cluster send each other.</typeparam>
/// <typeparam name="TData">The type of <see cref="Socket{TListen, TEmit, TServerSide, TData}.Data"/>.</typeparam>
public sealed class Namespace<TListen, TEmit, TServerSide, TData> : Namespace<TListen, TEmit>
    where TListen : class
    where TEmit : class
    where TServerSide : class
{
    /// <summary>Creates the typed view of <paramref name="nsp"/>.</summary>
    public Namespace(Namespace nsp)
        : base(nsp)
    {
        ServerSide = new ServerSideEvents<TServerSide>(nsp);
    }

    /// <summary>Inter-server events: <c>ServerSide.Emit.X(…)</c>, <c>ServerSide.EmitWithAck.X(…)</c>, <c>ServerSide.On.X(handler)</c>.</summary>
    public ServerSideEvents<TServerSide> ServerSide { get; }

    /// <inheritdoc />
    protected override Socket<TListen, TEmit> Wrap(Socket socket) => WrapTyped(socket);

    private static Socket<TListen, TEmit, TServerSide, TData> WrapTyped(Socket socket) =>
        socket.GetTypedView(static s => new Socket<TListen, TEmit, TServerSide, TData>(s));

    /// <summary>Adds connection middleware (see <see cref="Namespace.Use"/>).</summary>
    public Namespace<TListen, TEmit, TServerSide, TData> Use(Func<Socket<TListen, TEmit, TServerSide, TData>, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        Untyped.Use((socket, next) => middleware(WrapTyped(socket), next));
        return this;
    }

    /// <summary>Adds a handler run for every socket that connects.</summary>
    public Namespace<TListen, TEmit, TServerSide, TData> OnConnection(Action<Socket<TListen, TEmit, TServerSide, TData>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Untyped.OnConnection(socket => handler(WrapTyped(socket)));
        return this;
    }

    /// <summary>Adds an asynchronous handler run for every socket that connects.</summary>
    public Namespace<TListen, TEmit, TServerSide, TData> OnConnection(Func<Socket<TListen, TEmit, TServerSide, TData>, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Untyped.OnConnection(socket => handler(WrapTyped(socket)));
        return this;
    }
}

/// <summary>A socket with typed events and typed <see cref="Data"/>.</summary>
public sealed class Socket<TListen, TEmit, TServerSide, TData> : Socket<TListen, TEmit>
    where TListen : class
    where TEmit : class
    where TServerSide : class
{
    /// <summary>Creates the typed view of <paramref name="socket"/>.</summary>
    public Socket(Socket socket)
        : base(socket)
    {
    }

    /// <summary>Application data attached to the socket (visible to FetchSockets as <see cref="RemoteSocket.Data"/>).</summary>
    public new TData? Data
    {
        get => Untyped.Data is TData data ? data : default;
        set => Untyped.Data = value;
    }
}

/// <summary>Typed inter-server events of a namespace (the reference's <c>ServerSideEvents</c>).</summary>
public sealed class ServerSideEvents<TServerSide>
    where TServerSide : class
{
    private readonly ServerSideTarget _target;
    private TServerSide? _emit;

    internal ServerSideEvents(Namespace nsp) => _target = new ServerSideTarget(nsp);

    /// <summary>Emits to the other servers of the cluster (nobody, with a single server).</summary>
    /// <remarks>Events that expect an acknowledgement go through <see cref="EmitWithAck"/>: each server answers.</remarks>
    public TServerSide Emit => _emit ??= SocketIoContract<TServerSide>.CreateEmitter(_target);

    /// <summary>Emits an acknowledged event to the other servers and collects one typed answer per server.</summary>
    public BroadcastAcks<TServerSide> EmitWithAck => new(_target);

    /// <summary>Typed handlers for the events other servers emit.</summary>
    public Listeners<TServerSide> On => new(_target);

    private sealed class ServerSideTarget(Namespace nsp) : ISocketIoBroadcastTarget, ISocketIoListenTarget
    {
        public JsonSerializerOptions JsonOptions => nsp.Server.JsonOptions;

        public bool Emit(in EventData data)
        {
            JsonSocketIoParser.ThrowIfReserved(data.Name);
            nsp.Adapter.ServerSideEmit(data);
            return true;
        }

        public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(
                $"\"{data.Name}\" expects an acknowledgement, and every server answers: use ServerSide.EmitWithAck to collect the answers.");

        public Task<IReadOnlyList<SocketIoArgs>> EmitWithAcks(in EventData data, CancellationToken cancellationToken)
        {
            JsonSocketIoParser.ThrowIfReserved(data.Name);
            return nsp.Adapter.ServerSideEmitWithAck(data, cancellationToken);
        }

        public IDisposable On(string eventName, Func<IncomingEvent, Task> handler) => nsp.OnServerSideEmit(eventName, handler);
    }
}
