using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.Engine;

/// <summary>What a waiting GET is answered with.</summary>
internal readonly record struct PollAnswer(EnginePacket[] Packets, bool Compress);

/// <summary>
/// HTTP long-polling: at most one GET waits for packets and at most one POST carries packets in.
/// All its state is guarded by the session's lock.
/// </summary>
internal sealed class PollingTransport : EngineTransport
{
    private TaskCompletionSource<PollAnswer>? _pendingGet;

    public override string Name => EngineIOOptions.Polling;

    public override bool IsWritable => _pendingGet is not null;

    public override bool CanWrite => _pendingGet is not null;

    /// <summary>Whether a POST is being read.</summary>
    public bool PostInProgress { get; set; }

    public bool HasPendingGet => _pendingGet is not null;

    /// <summary>Registers the waiting GET; false when one is waiting already (an overlap).</summary>
    public bool TrySetPendingGet(TaskCompletionSource<PollAnswer> get)
    {
        if (_pendingGet is not null)
        {
            return false;
        }

        _pendingGet = get;
        return true;
    }

    /// <summary>Forgets <paramref name="get"/> if it is still the waiting GET (it was aborted).</summary>
    public bool RemovePendingGet(TaskCompletionSource<PollAnswer> get)
    {
        if (_pendingGet != get)
        {
            return false;
        }

        _pendingGet = null;
        return true;
    }

    public override void Write(List<OutgoingPacket> buffer)
    {
        var packets = new EnginePacket[buffer.Count];
        bool compress = false;
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i] = buffer[i].Packet;
            compress |= buffer[i].Compress;
        }

        Answer(new PollAnswer(packets, compress));
    }

    /// <summary>Answers the waiting GET, if one waits.</summary>
    public bool Answer(PollAnswer answer)
    {
        TaskCompletionSource<PollAnswer>? get = _pendingGet;
        _pendingGet = null;
        return get?.TrySetResult(answer) ?? false;
    }

    /// <summary>Answers the waiting GET with one control packet, if one waits.</summary>
    public bool Answer(EnginePacketType type) => Answer(new PollAnswer([EnginePacket.FromText(type)], Compress: false));

    public override void Close(bool graceful)
    {
        // A waiting GET is answered by the session, which knows whether it owes a close or a noop.
        Answer(EnginePacketType.Close);
    }
}
