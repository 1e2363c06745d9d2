using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>An event the server sent to a client socket: its name, its arguments and, when asked for, the acknowledgement.</summary>
public sealed class ClientEvent : IncomingEvent
{
    private readonly SocketIoClient _socket;
    private readonly CancellationToken _aborted;

    internal ClientEvent(SocketIoClient socket, string name, SocketIoArgs args, long? ackId, CancellationToken aborted)
        : base(name, args, ackId)
    {
        _socket = socket;
        _aborted = aborted;
    }

    /// <summary>The socket the event arrived on.</summary>
    public SocketIoClient Socket => _socket;

    /// <inheritdoc />
    public override CancellationToken Aborted => _aborted;

    /// <inheritdoc />
    protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        _socket.SendAck(id, jsonArray, attachments);

    /// <inheritdoc />
    protected override void LogRejected(string reason) => _socket.LogRejected(Name, reason);
}
