using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>Emits to one socket with flags (<c>socket.Timeout(t)</c>, <c>socket.Volatile</c>, …).</summary>
public readonly struct SocketEmitter
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

    /// <summary>Adds a timeout for acknowledgements.</summary>
    public SocketEmitter Timeout(TimeSpan timeout) => new(_socket, _flags with { Timeout = timeout });

    /// <summary>Makes the emit volatile.</summary>
    public SocketEmitter Volatile => new(_socket, _flags with { Volatile = true });

    /// <summary>Sets compression.</summary>
    public SocketEmitter Compress(bool compress) => new(_socket, _flags with { Compress = compress });

    /// <summary>Emits an event.</summary>
    public bool Emit(string eventName, params object?[] args) => _socket.Send(eventName, args, _flags, ackId: null);

    /// <summary>Emits an event without arguments and waits for the acknowledgement (bounded by the timeout, when set).</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(eventName, [], _flags, cancellationToken);

    /// <summary>Emits an event with <paramref name="args"/> and waits for the acknowledgement (bounded by the timeout, when set).</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(eventName, args, _flags, cancellationToken);
}
