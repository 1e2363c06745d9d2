using System.Security.Claims;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>
/// A socket with typed events: <see cref="On"/> registers typed handlers for
/// <typeparamref name="TListen"/>, <see cref="Emit"/> sends <typeparamref name="TEmit"/>. A thin
/// view over the untyped <see cref="Socket"/>.
/// </summary>
public class Socket<TListen, TEmit>
    where TListen : class
    where TEmit : class
{
    private TEmit? _emit;

    /// <summary>Creates the typed view of <paramref name="socket"/>.</summary>
    public Socket(Socket socket) => Untyped = socket ?? throw new ArgumentNullException(nameof(socket));

    /// <summary>The untyped socket.</summary>
    public Socket Untyped { get; }

    /// <summary>The socket id.</summary>
    public string Id => Untyped.Id;

    /// <summary>The namespace.</summary>
    public Namespace Namespace => Untyped.Namespace;

    /// <summary>The handshake details.</summary>
    public Handshake Handshake => Untyped.Handshake;

    /// <summary>The authenticated user of the first request.</summary>
    public ClaimsPrincipal User => Untyped.User;

    /// <summary>The Engine.IO connection.</summary>
    public EngineSocket Conn => Untyped.Conn;

    /// <summary>Application data attached to the socket.</summary>
    public object? Data
    {
        get => Untyped.Data;
        set => Untyped.Data = value;
    }

    /// <summary>Whether the socket is connected.</summary>
    public bool Connected => Untyped.Connected;

    /// <summary>Whether this socket was recovered after a temporary disconnection (connection state recovery).</summary>
    public bool Recovered => Untyped.Recovered;

    /// <summary>Cancelled when the socket disconnects.</summary>
    public CancellationToken Aborted => Untyped.Aborted;

    /// <summary>The rooms the socket is in, its own id included.</summary>
    public IReadOnlySet<string> Rooms => Untyped.Rooms;

    /// <summary>Typed handler registration: <c>socket.On.EventName(handler)</c> (dispose the result to remove it).</summary>
    public Listeners<TListen> On => new(Untyped);

    /// <summary>Emits to this client: <c>socket.Emit.EventName(args)</c>.</summary>
    public TEmit Emit => _emit ??= SocketIoContract<TEmit>.CreateEmitter(new SocketTarget(Untyped, default));

    /// <summary>Emits whose acknowledgements fail with <see cref="SocketIoTimeoutException"/> after <paramref name="timeout"/>.</summary>
    public SocketEmitter<TEmit> Timeout(TimeSpan timeout) => new(Untyped, new EmitFlags { Timeout = timeout });

    /// <summary>Emits that are dropped when the transport is not ready to send.</summary>
    public SocketEmitter<TEmit> Volatile => new(Untyped, new EmitFlags { Volatile = true });

    /// <summary>Emits whose compression is set explicitly.</summary>
    public SocketEmitter<TEmit> Compress(bool compress) => new(Untyped, new EmitFlags { Compress = compress });

    /// <summary>Broadcasts to every socket of the namespace but this one.</summary>
    public BroadcastOperator<TEmit> Broadcast => new(Untyped.Broadcast);

    /// <summary>Broadcasts to <paramref name="room"/>, this socket excluded.</summary>
    public BroadcastOperator<TEmit> To(string room) => new(Untyped.To(room));

    /// <summary>Broadcasts to these rooms, this socket excluded.</summary>
    public BroadcastOperator<TEmit> To(IEnumerable<string> rooms) => new(Untyped.To(rooms));

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator<TEmit> In(string room) => new(Untyped.In(room));

    /// <summary>Broadcasts to every socket but those in <paramref name="room"/> (and this one).</summary>
    public BroadcastOperator<TEmit> Except(string room) => new(Untyped.Except(room));

    /// <summary>Broadcasts to this node's sockets only.</summary>
    public BroadcastOperator<TEmit> Local => new(Untyped.Local);

    /// <summary>Joins <paramref name="room"/>.</summary>
    public ValueTask Join(string room) => Untyped.Join(room);

    /// <summary>Joins these rooms.</summary>
    public ValueTask Join(IEnumerable<string> rooms) => Untyped.Join(rooms);

    /// <summary>Leaves <paramref name="room"/>.</summary>
    public ValueTask Leave(string room) => Untyped.Leave(room);

    /// <summary>Disconnects from the namespace; with <paramref name="close"/>, closes the whole connection.</summary>
    public Socket<TListen, TEmit> Disconnect(bool close = false)
    {
        Untyped.Disconnect(close);
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => Untyped.ToString();
}

/// <summary>Typed emits to one socket with flags (<c>socket.Timeout(t).Emit.EventName(args)</c>).</summary>
public readonly struct SocketEmitter<TEmit>
    where TEmit : class
{
    private readonly Socket _socket;
    private readonly EmitFlags _flags;

    internal SocketEmitter(Socket socket, EmitFlags flags)
    {
        _socket = socket;
        _flags = flags;
    }

    /// <summary>The flags.</summary>
    public EmitFlags Flags => _flags;

    /// <summary>Emits with these flags.</summary>
    public TEmit Emit => SocketIoContract<TEmit>.CreateEmitter(new SocketTarget(_socket, _flags));

    /// <summary>Adds a timeout for acknowledgements.</summary>
    public SocketEmitter<TEmit> Timeout(TimeSpan timeout) => new(_socket, _flags with { Timeout = timeout });

    /// <summary>Makes the emit volatile.</summary>
    public SocketEmitter<TEmit> Volatile => new(_socket, _flags with { Volatile = true });

    /// <summary>Sets compression.</summary>
    public SocketEmitter<TEmit> Compress(bool compress) => new(_socket, _flags with { Compress = compress });
}

/// <summary>
/// Base class for class-based handlers (<see cref="Namespace{TListen, TEmit}.AddHandler{THandler}"/>):
/// gives the handler its socket. Deriving from it is optional.
/// </summary>
public abstract class SocketHandler<TListen, TEmit>
    where TListen : class
    where TEmit : class
{
    private Socket<TListen, TEmit>? _socket;

    /// <summary>The socket this handler instance serves.</summary>
    public Socket<TListen, TEmit> Socket
    {
        get => _socket ?? throw new InvalidOperationException("The socket is set once the handler is bound to a connection.");
        internal set => _socket = value;
    }
}
