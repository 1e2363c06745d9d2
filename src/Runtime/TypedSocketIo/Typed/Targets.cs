using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>
/// An encoded event: its name and its data (the whole JSON array, name first, binary values as
/// placeholders) with the attachments the placeholders refer to.
/// </summary>
public readonly struct EventData
{
    /// <summary>Creates the event data.</summary>
    public EventData(string name, ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        Name = name;
        Json = json;
        Attachments = attachments;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The JSON array <c>["name", args…]</c>.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The binary attachments.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }
}

/// <summary>
/// Where a generated emitter sends its events: a server socket, a broadcast, a client socket —
/// each with its flags (timeout, volatile, compression) already applied.
/// </summary>
public interface ISocketIoEmitTarget
{
    /// <summary>The serializer options of the server or client, for contracts that name no serializer context.</summary>
    JsonSerializerOptions JsonOptions { get; }

    /// <summary>Sends an event that expects no acknowledgement. Returns what the untyped emit returns.</summary>
    bool Emit(in EventData data);

    /// <summary>
    /// Sends an event and completes with its acknowledgement's arguments; fails with
    /// <see cref="SocketIoTimeoutException"/> when the target's timeout passes first, or with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken);
}

/// <summary>A broadcast: an emit target whose acknowledgements come one per recipient.</summary>
public interface ISocketIoBroadcastTarget : ISocketIoEmitTarget
{
    /// <summary>
    /// Sends an event to every recipient and completes with one answer per recipient; fails with
    /// <see cref="SocketIoTimeoutException"/> (carrying the answers that arrived) when the timeout
    /// passes first. A timeout is required.
    /// </summary>
    Task<IReadOnlyList<SocketIoArgs>> EmitWithAcks(in EventData data, CancellationToken cancellationToken);
}

/// <summary>Where generated handler registration adds its handlers: a server socket or a client socket.</summary>
public interface ISocketIoListenTarget
{
    /// <summary>The serializer options of the server or client, for contracts that name no serializer context.</summary>
    JsonSerializerOptions JsonOptions { get; }

    /// <summary>
    /// Adds a handler for <paramref name="eventName"/>; dispose the result to remove it. A handler
    /// that throws or whose task fails is logged; the connection stays up.
    /// </summary>
    IDisposable On(string eventName, Func<IncomingEvent, Task> handler);
}

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
