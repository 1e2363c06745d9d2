using System.Globalization;
using System.Security.Cryptography;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>
/// The in-memory adapter's log of recoverable events, bounded by count and by age. Offsets are a
/// per-log prefix (random, so an offset from another process or an earlier run is never mistaken
/// for one of ours) and a sequence number, which finds an event in constant time.
/// </summary>
internal sealed class PacketLog
{
    private readonly int _max;
    private readonly long _maxAgeMs;
    private readonly string _prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)) + ".";
    private Entry[] _items = new Entry[16];
    private int _head;
    private int _count;
    private long _nextSeq;

    public PacketLog(int max, TimeSpan maxAge)
    {
        _max = max;
        _maxAgeMs = (long)maxAge.TotalMilliseconds;
    }

    public int Count => _count;

    /// <summary>The offset of the newest event, or null when the log is empty.</summary>
    public string? LastOffset => _count == 0 ? null : _prefix + _items[(_head + _count - 1) % _items.Length].Seq.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Logs an event (its array without offset) and returns the offset given to it. Caller holds the lock.</summary>
    public string Add(BroadcastOptions options, JsonPayload payload, long nowMs)
    {
        long seq = _nextSeq++;
        string offset = _prefix + seq.ToString("x", CultureInfo.InvariantCulture);
        if (_count == _max)
        {
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            _count--;
        }
        else if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) % _items.Length] = new Entry(seq, options, payload, nowMs);
        _count++;
        return offset;
    }

    private void Grow()
    {
        var items = new Entry[Math.Min(_max, _items.Length * 2)];
        for (int i = 0; i < _count; i++)
        {
            items[i] = _items[(_head + i) % _items.Length];
        }

        _items = items;
        _head = 0;
    }

    /// <summary>Drops the events older than the maximum age. Caller holds the lock.</summary>
    public void Expire(long nowMs)
    {
        while (_count > 0 && nowMs - _items[_head].LoggedAtMs > _maxAgeMs)
        {
            _items[_head] = default;
            _head = (_head + 1) % _items.Length;
            _count--;
        }

        if (_count == 0 && _items.Length > 16)
        {
            _items = new Entry[16]; // an idle log gives its memory back
            _head = 0;
        }
    }

    /// <summary>
    /// The events after <paramref name="offset"/> that a socket in <paramref name="rooms"/> would
    /// have received, each with its own offset appended; null when the offset is not in the log.
    /// Caller holds the lock.
    /// </summary>
    public List<JsonPayload>? After(string offset, IReadOnlyList<string> rooms)
    {
        if (!offset.StartsWith(_prefix, StringComparison.Ordinal)
            || !long.TryParse(offset.AsSpan(_prefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long seq)
            || _count == 0)
        {
            return null;
        }

        long first = _items[_head].Seq;
        if (seq < first || seq > first + _count - 1)
        {
            return null; // too old (dropped from the log) or never given
        }

        var missed = new List<JsonPayload>();
        for (long i = seq - first + 1; i < _count; i++)
        {
            Entry entry = _items[(_head + i) % _items.Length];
            if (ShouldInclude(rooms, entry.Options))
            {
                string entryOffset = _prefix + entry.Seq.ToString("x", CultureInfo.InvariantCulture);
                missed.Add(new JsonPayload(RecoveryOffset.Append(entry.Payload.Json.Span, entryOffset), entry.Payload.Attachments));
            }
        }

        return missed;
    }

    /// <summary>Whether a socket in <paramref name="rooms"/> was targeted by a broadcast with <paramref name="options"/> (the reference's rule).</summary>
    public static bool ShouldInclude(IReadOnlyList<string> rooms, BroadcastOptions options)
    {
        bool included = options.Rooms.Count == 0;
        for (int i = 0; i < rooms.Count; i++)
        {
            if (options.Except.Contains(rooms[i]))
            {
                return false;
            }

            included |= options.Rooms.Contains(rooms[i]);
        }

        return included;
    }

    private readonly record struct Entry(long Seq, BroadcastOptions Options, JsonPayload Payload, long LoggedAtMs);
}
