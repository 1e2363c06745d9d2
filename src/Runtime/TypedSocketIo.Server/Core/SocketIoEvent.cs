using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>An event received from a client, with its arguments and, when asked for, its ack.</summary>
public sealed class SocketIoEvent : IncomingEvent
{
    private readonly Socket _socket;

    internal SocketIoEvent(Socket socket, string name, SocketIoArgs args, long? ackId)
        : base(name, args, ackId)
    {
        _socket = socket;
    }

    /// <summary>The socket that received the event.</summary>
    public Socket Socket => _socket;

    /// <inheritdoc />
    public override CancellationToken Aborted => _socket.Aborted;

    /// <inheritdoc />
    protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        _socket.SendAckRaw(id, jsonArray, attachments);

    /// <inheritdoc />
    protected override void LogRejected(string reason) => _socket.Server.Log.EventRejected(_socket.Id, Name, reason);

    /// <inheritdoc />
    public override string ToString() => $"{Name}{Args}";
}
