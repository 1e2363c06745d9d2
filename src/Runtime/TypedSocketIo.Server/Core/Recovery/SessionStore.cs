namespace TypedSocketIo.Server;

/// <summary>
/// The in-memory adapter's disconnected sessions, by private id, bounded by count and expiring
/// after the maximum disconnection duration; oldest first in a queue, so expiry and the cap cost
/// nothing per session kept.
/// </summary>
internal sealed class SessionStore
{
    private readonly Dictionary<string, Kept> _sessions = new(StringComparer.Ordinal);
    private readonly Queue<(string Pid, long At)> _order = new();
    private readonly int _max;
    private readonly long _maxAgeMs;

    public SessionStore(int max, TimeSpan maxAge)
    {
        _max = max;
        _maxAgeMs = (long)maxAge.TotalMilliseconds;
    }

    public int Count => _sessions.Count;

    /// <summary>Keeps <paramref name="session"/>. Caller holds the lock.</summary>
    public void Add(RecoverySession session, long nowMs)
    {
        _sessions[session.Pid] = new Kept(session, nowMs);
        _order.Enqueue((session.Pid, nowMs));
        while (_sessions.Count > _max && _order.TryDequeue(out (string Pid, long At) oldest))
        {
            RemoveIfSame(oldest.Pid, oldest.At);
        }

        if (_order.Count > 2 * _max)
        {
            Compact();
        }
    }

    /// <summary>Takes the session of <paramref name="pid"/> out; null when unknown or expired. Caller holds the lock.</summary>
    public RecoverySession? Take(string pid, long nowMs)
    {
        if (!_sessions.Remove(pid, out Kept kept))
        {
            return null;
        }

        return nowMs - kept.At > _maxAgeMs ? null : kept.Session;
    }

    /// <summary>Drops the expired sessions. Caller holds the lock.</summary>
    public void Expire(long nowMs)
    {
        while (_order.TryPeek(out (string Pid, long At) oldest) && nowMs - oldest.At > _maxAgeMs)
        {
            _order.Dequeue();
            RemoveIfSame(oldest.Pid, oldest.At);
        }

        if (_order.Count == 0)
        {
            _order.TrimExcess();
            _sessions.TrimExcess();
        }
    }

    private void RemoveIfSame(string pid, long at)
    {
        if (_sessions.TryGetValue(pid, out Kept kept) && kept.At == at)
        {
            _sessions.Remove(pid);
        }
    }

    /// <summary>Drops the queue entries of sessions already taken (restored ones leave theirs behind).</summary>
    private void Compact()
    {
        (string Pid, long At)[] order = _order.ToArray();
        _order.Clear();
        foreach ((string Pid, long At) entry in order)
        {
            if (_sessions.TryGetValue(entry.Pid, out Kept kept) && kept.At == entry.At)
            {
                _order.Enqueue(entry);
            }
        }
    }

    private readonly record struct Kept(RecoverySession Session, long At);
}
