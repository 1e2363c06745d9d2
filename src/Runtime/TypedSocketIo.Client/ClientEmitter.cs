using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>An emit with flags (<c>socket.Timeout(t)</c>, <c>socket.Volatile</c>).</summary>
public readonly struct ClientEmitter
{
    private readonly SocketIoClient _socket;
    private readonly EmitFlags _flags;

    internal ClientEmitter(SocketIoClient socket, EmitFlags flags)
    {
        _socket = socket;
        _flags = flags;
    }

    /// <summary>The acknowledgement must arrive within <paramref name="timeout"/>.</summary>
    public ClientEmitter Timeout(TimeSpan timeout) => new(_socket, _flags with { Timeout = timeout });

    /// <summary>Dropped unless it can be sent at once.</summary>
    public ClientEmitter Volatile => new(_socket, _flags with { Volatile = true });

    /// <inheritdoc cref="SocketIoClient.Emit(string, object?[])" />
    public bool Emit(string eventName, params object?[] args) => _socket.Send(Encode(eventName, args), _flags, null, CancellationToken.None);

    /// <inheritdoc cref="SocketIoClient.EmitWithAck(string, CancellationToken)" />
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(Encode(eventName, []), _flags, cancellationToken);

    /// <inheritdoc cref="SocketIoClient.EmitWithAck(string, object?[], CancellationToken)" />
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(Encode(eventName, args), _flags, cancellationToken);

    internal ISocketIoEmitTarget Target => new ClientTarget(_socket, _flags);

    private EventData Encode(string eventName, object?[] args)
    {
        ArgumentNullException.ThrowIfNull(eventName);
#pragma warning disable IL2026, IL3050 // the untyped API serializes by runtime type; the options may name a context
        return SocketIoJson.Encode(eventName, args ?? [null], _socket.JsonOptions);
#pragma warning restore IL2026, IL3050
    }
}

/// <summary>What the generated emitters send through: a client socket with flags.</summary>
internal sealed class ClientTarget(SocketIoClient socket, EmitFlags flags) : ISocketIoEmitTarget
{
    public System.Text.Json.JsonSerializerOptions JsonOptions => socket.JsonOptions;

    public bool Emit(in EventData data) => socket.Send(data, flags, null, CancellationToken.None);

    public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) => socket.SendWithAck(data, flags, cancellationToken);
}
