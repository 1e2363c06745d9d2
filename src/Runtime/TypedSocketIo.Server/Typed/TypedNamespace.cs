using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace TypedSocketIo.Server;

/// <summary>
/// A namespace with typed events (the reference's <c>Namespace&lt;ListenEvents, EmitEvents&gt;</c>):
/// <typeparamref name="TListen"/> declares what clients send, <typeparamref name="TEmit"/> what the
/// server sends. A thin view over the untyped <see cref="Namespace"/>; both can be used together.
/// </summary>
public class Namespace<TListen, TEmit>
    where TListen : class
    where TEmit : class
{
    private TEmit? _emit;

    /// <summary>Creates the typed view of <paramref name="nsp"/>.</summary>
    public Namespace(Namespace nsp) => Untyped = nsp ?? throw new ArgumentNullException(nameof(nsp));

    /// <summary>The untyped namespace.</summary>
    public Namespace Untyped { get; }

    /// <summary>The namespace name.</summary>
    public string Name => Untyped.Name;

    /// <summary>The server.</summary>
    public SocketIoServer Server => Untyped.Server;

    /// <summary>The connected sockets, by id.</summary>
    public IReadOnlyDictionary<string, Socket> Sockets => Untyped.Sockets;

    /// <summary>The typed view of <paramref name="socket"/>.</summary>
    protected virtual Socket<TListen, TEmit> Wrap(Socket socket) => socket.GetTypedView(static s => new Socket<TListen, TEmit>(s));

    /// <summary>Adds connection middleware (see <see cref="Namespace.Use"/>).</summary>
    public Namespace<TListen, TEmit> Use(Func<Socket<TListen, TEmit>, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        Untyped.Use((socket, next) => middleware(Wrap(socket), next));
        return this;
    }

    /// <summary>Adds a handler run for every socket that connects.</summary>
    public Namespace<TListen, TEmit> OnConnection(Action<Socket<TListen, TEmit>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Untyped.OnConnection(socket => handler(Wrap(socket)));
        return this;
    }

    /// <summary>Adds an asynchronous handler run for every socket that connects.</summary>
    public Namespace<TListen, TEmit> OnConnection(Func<Socket<TListen, TEmit>, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Untyped.OnConnection(socket => handler(Wrap(socket)));
        return this;
    }

    /// <summary>
    /// Handles every event of <typeparamref name="TListen"/> with a <typeparamref name="THandler"/>
    /// per connection, resolved from a service scope that lives as long as the socket (registered
    /// services are used as registered; other classes are created with their constructor's services).
    /// A handler deriving from <see cref="SocketHandler{TListen, TEmit}"/> sees its socket.
    /// </summary>
    public Namespace<TListen, TEmit> AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>()
        where THandler : class, TListen
    {
        IServiceProvider services = Server.Services ?? throw new InvalidOperationException(
            "Class-based handlers need the application's services: register the server with AddSocketIo().");
        OnConnection(socket =>
        {
            AsyncServiceScope scope = services.CreateAsyncScope();
            THandler handler;
            try
            {
                handler = ActivatorUtilities.GetServiceOrCreateInstance<THandler>(scope.ServiceProvider);
                if (handler is SocketHandler<TListen, TEmit> aware)
                {
                    aware.Socket = socket;
                }

                socket.On.Add(handler);
            }
            catch
            {
                scope.Dispose();
                throw;
            }

            socket.Untyped.Disconnected += (_, _, _) => _ = scope.DisposeAsync().AsTask();
        });
        return this;
    }

    /// <summary>Emits to every socket of the namespace.</summary>
    public TEmit Emit => _emit ??= SocketIoContract<TEmit>.CreateEmitter(Untyped.NewBroadcast());

    /// <summary>Targets <paramref name="room"/>.</summary>
    public BroadcastOperator<TEmit> To(string room) => new(Untyped.To(room));

    /// <summary>Targets these rooms.</summary>
    public BroadcastOperator<TEmit> To(IEnumerable<string> rooms) => new(Untyped.To(rooms));

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator<TEmit> In(string room) => new(Untyped.In(room));

    /// <summary>Excludes <paramref name="room"/>.</summary>
    public BroadcastOperator<TEmit> Except(string room) => new(Untyped.Except(room));

    /// <summary>Excludes these rooms.</summary>
    public BroadcastOperator<TEmit> Except(IEnumerable<string> rooms) => new(Untyped.Except(rooms));

    /// <summary>This node only.</summary>
    public BroadcastOperator<TEmit> Local => new(Untyped.Local);

    /// <summary>Dropped for clients whose transport is not ready.</summary>
    public BroadcastOperator<TEmit> Volatile => new(Untyped.Volatile);

    /// <summary>With compression set explicitly.</summary>
    public BroadcastOperator<TEmit> Compress(bool compress) => new(Untyped.Compress(compress));

    /// <summary>With acknowledgements collected for <paramref name="timeout"/>.</summary>
    public BroadcastOperator<TEmit> Timeout(TimeSpan timeout) => new(Untyped.Timeout(timeout));

    /// <summary>The ids of the sockets.</summary>
    public Task<IReadOnlySet<string>> AllSockets() => Untyped.AllSockets();

    /// <summary>The sockets, as remote-socket views.</summary>
    public Task<IReadOnlyList<RemoteSocket>> FetchSockets() => Untyped.FetchSockets();

    /// <summary>Makes every socket join <paramref name="rooms"/>.</summary>
    public void SocketsJoin(params string[] rooms) => Untyped.SocketsJoin(rooms);

    /// <summary>Makes every socket leave <paramref name="rooms"/>.</summary>
    public void SocketsLeave(params string[] rooms) => Untyped.SocketsLeave(rooms);

    /// <summary>Disconnects every socket.</summary>
    public void DisconnectSockets(bool close = false) => Untyped.DisconnectSockets(close);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// An immutable typed broadcast: rooms, exclusions and flags, then <see cref="Emit"/> for events
/// and <see cref="EmitWithAck"/> for acknowledged events (one typed answer per client).
/// </summary>
public sealed class BroadcastOperator<TEmit>
    where TEmit : class
{
    private TEmit? _emit;

    /// <summary>Creates the typed view of <paramref name="untyped"/>.</summary>
    public BroadcastOperator(BroadcastOperator untyped) => Untyped = untyped ?? throw new ArgumentNullException(nameof(untyped));

    /// <summary>The untyped broadcast.</summary>
    public BroadcastOperator Untyped { get; }

    /// <summary>Emits to every targeted socket.</summary>
    /// <remarks>Events that expect an acknowledgement go through <see cref="EmitWithAck"/> instead.</remarks>
    public TEmit Emit => _emit ??= SocketIoContract<TEmit>.CreateEmitter(Untyped);

    /// <summary>Emits an acknowledged event and collects one typed answer per client; requires <see cref="Timeout"/>.</summary>
    public BroadcastAcks<TEmit> EmitWithAck => new(Untyped);

    /// <summary>Also targets <paramref name="room"/>.</summary>
    public BroadcastOperator<TEmit> To(string room) => new(Untyped.To(room));

    /// <summary>Also targets these rooms.</summary>
    public BroadcastOperator<TEmit> To(IEnumerable<string> rooms) => new(Untyped.To(rooms));

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator<TEmit> In(string room) => new(Untyped.In(room));

    /// <summary>Excludes <paramref name="room"/>.</summary>
    public BroadcastOperator<TEmit> Except(string room) => new(Untyped.Except(room));

    /// <summary>Excludes these rooms.</summary>
    public BroadcastOperator<TEmit> Except(IEnumerable<string> rooms) => new(Untyped.Except(rooms));

    /// <summary>This node only.</summary>
    public BroadcastOperator<TEmit> Local => new(Untyped.Local);

    /// <summary>Dropped for each client whose transport is not ready.</summary>
    public BroadcastOperator<TEmit> Volatile => new(Untyped.Volatile);

    /// <summary>With compression set explicitly.</summary>
    public BroadcastOperator<TEmit> Compress(bool compress) => new(Untyped.Compress(compress));

    /// <summary>With acknowledgements collected for <paramref name="timeout"/>.</summary>
    public BroadcastOperator<TEmit> Timeout(TimeSpan timeout) => new(Untyped.Timeout(timeout));

    /// <summary>The ids of the targeted sockets.</summary>
    public Task<IReadOnlySet<string>> AllSockets() => Untyped.AllSockets();

    /// <summary>The targeted sockets, as remote-socket views.</summary>
    public Task<IReadOnlyList<RemoteSocket>> FetchSockets() => Untyped.FetchSockets();

    /// <summary>Makes the targeted sockets join <paramref name="rooms"/>.</summary>
    public void SocketsJoin(params string[] rooms) => Untyped.SocketsJoin(rooms);

    /// <summary>Makes the targeted sockets leave <paramref name="rooms"/>.</summary>
    public void SocketsLeave(params string[] rooms) => Untyped.SocketsLeave(rooms);

    /// <summary>Disconnects the targeted sockets.</summary>
    public void DisconnectSockets(bool close = false) => Untyped.DisconnectSockets(close);
}
