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

    /// <summary>Sends the acknowledgement with <paramref name="args"/>; only the first call sends.</summary>
    /// <returns>False when no ack was asked for, it was sent already, or the socket is disconnected.</returns>
    public bool Ack(params object?[] args)
    {
        if (!HasAck || Acknowledged)
        {
            return false;
        }

        var attachments = new List<ReadOnlyMemory<byte>>();
#pragma warning disable IL2026, IL3050 // the untyped API serializes by runtime type; the options may name a context
        ReadOnlyMemory<byte> data = SocketIoJson.WriteArray(null, args, _socket.JsonOptions, attachments);
#pragma warning restore IL2026, IL3050
        return AckRaw(data, attachments);
    }

    /// <inheritdoc />
    protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        _socket.SendAck(id, jsonArray, attachments);

    /// <inheritdoc />
    protected override void LogRejected(string reason) => _socket.LogRejected(Name, reason);
}
