namespace TypedSocketIo.Threading;

/// <summary>
/// One scheduler for the heartbeats and timeouts of every session: a queue of deadlines ordered by
/// due time behind a single one-shot timer, armed for the earliest deadline. An idle session costs
/// one queue entry, not a timer or a task, and the process wakes only when something is due (never
/// while the queue is empty). Timers fire within about a millisecond of their deadline; callbacks run
/// on the timer's thread-pool thread and must not block.
/// </summary>
/// <remarks>
/// Cancelling or rescheduling leaves the old entry in the queue, marked stale by a version number;
/// stale entries are dropped when they come due, or all at once when they outnumber the live ones
/// (checked on cancel too: a stale entry holds its timer's state, such as a closed session, which
/// must not outlive a mass disconnect by a whole ping interval).
/// </remarks>
internal sealed class TimerScheduler : IDisposable
{
    /// <summary>Entries due within this many milliseconds of now are fired together (0: never early).</summary>
    private const long CoalesceMs = 0;

    /// <summary>The process-wide scheduler.</summary>
    public static readonly TimerScheduler Shared = new();

    /// <summary>Stale entries tolerated before they may all be dropped at once (when they also outnumber the live ones).</summary>
    private const int StaleThreshold = 64;

    private readonly PriorityQueue<Entry, long> _queue = new();
    private readonly object _lock = new();
    private readonly Timer _timer;
    private readonly List<Entry> _due = new();
    private long _armedFor = long.MaxValue;
    private int _stale;
    private bool _disposed;

    public TimerScheduler()
    {
        _timer = new Timer(static state => ((TimerScheduler)state!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Milliseconds on the precise monotonic clock (Environment.TickCount64 is coarse on Linux, ~4 ms).</summary>
    internal static long NowMs() => System.Diagnostics.Stopwatch.GetTimestamp() / TicksPerMs;

    private static readonly long TicksPerMs = System.Diagnostics.Stopwatch.Frequency / 1000;

    /// <summary>Creates a timer that runs <paramref name="callback"/> with <paramref name="state"/> when due.</summary>
    public ScheduledTimer CreateTimer(Action<object> callback, object state) => new(this, callback, state);

    /// <summary>Live entries plus stale ones not yet dropped (tests and benchmarks read it).</summary>
    internal int QueuedCount
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    internal void Schedule(ScheduledTimer timer, long dueMs)
    {
        lock (_lock)
        {
            if (timer.Queued)
            {
                _stale++;
            }

            int version = Interlocked.Increment(ref timer.Version);
            timer.Queued = true;
            timer.DueMs = dueMs;
            _queue.Enqueue(new Entry(timer, version), dueMs);
            DropStaleIfManyLocked();

            if (dueMs < _armedFor)
            {
                ArmLocked(dueMs);
            }
        }
    }

    internal void Cancel(ScheduledTimer timer)
    {
        lock (_lock)
        {
            if (timer.Queued)
            {
                timer.Queued = false;
                _stale++;
            }

            Interlocked.Increment(ref timer.Version);
            DropStaleIfManyLocked();
        }
    }

    private void ArmLocked(long dueMs)
    {
        if (_disposed)
        {
            return;
        }

        _armedFor = dueMs;
        _timer.Change(Math.Max(0, dueMs - NowMs()), Timeout.Infinite);
    }

    /// <summary>Drops every stale entry once they outnumber the live ones (amortized: the rebuild is paid by as many cancels).</summary>
    private void DropStaleIfManyLocked()
    {
        if (_stale > StaleThreshold && _stale > _queue.Count / 2)
        {
            DropStaleLocked();
        }
    }

    private void DropStaleLocked()
    {
        var live = new List<(Entry, long)>(_queue.Count - _stale);
        foreach ((Entry entry, long due) in _queue.UnorderedItems)
        {
            if (entry.IsLive)
            {
                live.Add((entry, due));
            }
        }

        _queue.Clear();
        _queue.EnqueueRange(live);
        _stale = 0;
    }

    private void OnTimer()
    {
        List<Entry> due;
        lock (_lock)
        {
            due = _due.Count == 0 ? _due : new List<Entry>(); // another tick still firing: use a list of our own
            long now = NowMs();
            _armedFor = long.MaxValue;
            while (_queue.TryPeek(out Entry entry, out long dueMs))
            {
                if (dueMs > now + CoalesceMs)
                {
                    ArmLocked(dueMs);
                    break;
                }

                _queue.Dequeue();
                if (!entry.IsLive)
                {
                    _stale--;
                    continue;
                }

                entry.Timer.Queued = false;
                due.Add(entry);
            }
        }

        try
        {
            foreach (Entry entry in due)
            {
                try
                {
                    entry.Timer.Fire(entry.Version);
                }
                catch (Exception)
                {
                    // Callbacks handle their own errors; one that does not must not stop the others.
                }
            }
        }
        finally
        {
            due.Clear();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }

    private readonly record struct Entry(ScheduledTimer Timer, int Version)
    {
        public bool IsLive => Volatile.Read(ref Timer.Version) == Version;
    }
}

/// <summary>A reusable one-shot timer on a <see cref="TimerScheduler"/>.</summary>
internal sealed class ScheduledTimer
{
    private readonly TimerScheduler _scheduler;
    private readonly Action<object> _callback;
    private readonly object _state;

    /// <summary>Bumped by every schedule, cancel and firing: an entry whose version differs is stale.</summary>
    internal int Version;

    /// <summary>Whether a live entry for this timer is in the queue (guarded by the scheduler's lock).</summary>
    internal bool Queued;

    internal ScheduledTimer(TimerScheduler scheduler, Action<object> callback, object state)
    {
        _scheduler = scheduler;
        _callback = callback;
        _state = state;
    }

    /// <summary>The deadline of the last schedule, in <see cref="TimerScheduler.NowMs"/> milliseconds.</summary>
    internal long DueMs { get; set; }

    /// <summary>(Re)schedules the timer <paramref name="delay"/> from now, replacing any earlier schedule.</summary>
    public void Schedule(TimeSpan delay) => ScheduleAt(TimerScheduler.NowMs() + (long)Math.Ceiling(delay.TotalMilliseconds) + 1); // +1: NowMs truncates, never fire early

    /// <summary>(Re)schedules the timer for an absolute deadline (<see cref="TimerScheduler.NowMs"/> milliseconds).</summary>
    public void ScheduleAt(long dueMs) => _scheduler.Schedule(this, dueMs);

    /// <summary>Cancels the pending schedule, if any.</summary>
    public void Cancel() => _scheduler.Cancel(this);

    internal void Fire(int version)
    {
        if (Interlocked.CompareExchange(ref Version, version + 1, version) == version)
        {
            _callback(_state);
        }
    }
}
