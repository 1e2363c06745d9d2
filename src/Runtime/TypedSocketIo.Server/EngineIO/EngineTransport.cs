using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// A packet waiting to be written, with its per-message compression flag and, for a message sent
/// to many connections, its frame shared by all of them (<see cref="Framing.SharedFrame"/>).
/// </summary>
internal readonly record struct OutgoingPacket(EnginePacket Packet, bool Compress, Framing.SharedFrame? Frame = null);

/// <summary>
/// A transport of a session. <see cref="Write"/> and <see cref="CanTakePackets"/> are called under the
/// session's lock and never block; the transport copies what it needs from the buffer.
/// </summary>
internal abstract class EngineTransport
{
    public abstract string Name { get; }

    /// <summary>Whether packets handed over now go out without waiting (the reference's <c>writable</c>).</summary>
    public abstract bool IsWritable { get; }

    /// <summary>Whether the transport takes packets now (polling: a request is waiting; WebSocket: always).</summary>
    public abstract bool CanTakePackets { get; }

    /// <summary>Bytes of packets taken by <see cref="Write"/> and not yet written out.</summary>
    public virtual long QueuedBytes => 0;

    /// <summary>Takes the packets of <paramref name="buffer"/> (called under the session's lock).</summary>
    public abstract void Write(List<OutgoingPacket> buffer);

    /// <summary>Starts the writes handed over by <see cref="Write"/> (called outside the session's lock).</summary>
    public virtual void StartWriting()
    {
    }

    /// <summary>Closes the transport; <paramref name="graceful"/> lets queued packets go out first.</summary>
    public abstract void Close(bool graceful);
}
