using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>An event received from the peer, as generated dispatchers see it.</summary>
public abstract class IncomingEvent
{
    private int _acked;

    /// <summary>Creates the event.</summary>
    protected IncomingEvent(string name, SocketIoArgs args, long? ackId)
    {
        Name = name;
        Args = args;
        AckId = ackId;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The arguments.</summary>
    public SocketIoArgs Args { get; }

    /// <summary>The ack id the peer sent, when it asked for an acknowledgement.</summary>
    protected long? AckId { get; }

    /// <summary>Whether the peer asked for an acknowledgement.</summary>
    public bool HasAck => AckId is not null;

    /// <summary>Whether the acknowledgement was sent already.</summary>
    public bool Acknowledged => Volatile.Read(ref _acked) == 1;

    /// <summary>Cancelled when the socket that received the event disconnects.</summary>
    public abstract CancellationToken Aborted { get; }

    /// <summary>
    /// Sends the acknowledgement with <paramref name="args"/> (serialized with the event's options;
    /// binary values as attachments); only the first call sends.
    /// </summary>
    /// <returns>False when no ack was asked for, it was sent already, or the socket is gone.</returns>
    public bool Ack(params object?[] args)
    {
        if (!HasAck || Acknowledged)
        {
            return false;
        }

#pragma warning disable IL2026, IL3050 // the untyped API serializes by runtime type; the options may name a context
        EventData data = SocketIoJson.Encode(null, args, Args.Options);
#pragma warning restore IL2026, IL3050
        return AckRaw(data.Json, data.Attachments);
    }

    /// <summary>Sends the acknowledgement with pre-encoded JSON array data and attachments; only the first call sends.</summary>
    /// <returns>False when no ack was asked for, it was sent already, or the socket is gone.</returns>
    public bool AckRaw(ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (AckId is not { } id || Interlocked.Exchange(ref _acked, 1) == 1)
        {
            return false;
        }

        return SendAck(id, jsonArray, attachments ?? Array.Empty<ReadOnlyMemory<byte>>());
    }

    /// <summary>Sends the acknowledgement packet.</summary>
    protected abstract bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments);

    /// <summary>
    /// Rejects an event whose arguments do not match its contract: logs a warning and, when the
    /// peer asked for an acknowledgement, answers with <c>[{"error":"invalid arguments","message":…}]</c>.
    /// </summary>
    public void Reject(string reason)
    {
        LogRejected(reason);
        if (HasAck)
        {
            var writer = SocketIoEventWriter.Rent(SocketIoJson.DefaultOptions);
            writer.WriteError("invalid arguments", $"Event \"{Name}\" rejected: {reason}");
            EventData ack = writer.Complete(null);
            AckRaw(ack.Json, ack.Attachments);
        }
    }

    /// <summary>Logs a rejected event.</summary>
    protected abstract void LogRejected(string reason);
}
