namespace TypedSocketIo.Server.Engine;

/// <summary>
/// One scheduler for the heartbeats and timeouts of every session: a hashed timing wheel ticked by a
/// single timer, so an idle session costs one list entry, not a timer or a task. Each tick visits
/// only the entries that hash to its slot; callbacks run on the tick thread and must not block.
/// The timer stops while nothing is scheduled.
/// </summary>
internal sealed class TimerWheel : IDisposable
{
    private const int SlotCount = 1024;

    /// <summary>The process-wide wheel.</summary>
    public static readonly TimerWheel Shared = new(TimeSpan.FromMilliseconds(20));

    private readonly long _tickMs;
    private readonly List<(WheelTimer Timer, int Version)>[] _slots = new List<(WheelTimer, int)>[SlotCount];
    private readonly long _originMs = NowMs();
    private readonly Timer _timer;
    private readonly List<(WheelTimer Timer, int Version)> _due = new();
    private readonly object _timerLock = new();
    private long _nextTick;
    private int _ticking;
    private long _scheduled;
    private bool _running;

    public TimerWheel(TimeSpan tick)
    {
        _tickMs = (long)tick.TotalMilliseconds;
        for (int i = 0; i < SlotCount; i++)
        {
            _slots[i] = new List<(WheelTimer, int)>();
        }

        _timer = new Timer(static state => ((TimerWheel)state!).Tick(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Milliseconds on the precise monotonic clock (Environment.TickCount64 is coarse on Linux, ~4 ms).</summary>
    internal static long NowMs() => System.Diagnostics.Stopwatch.GetTimestamp() * 1000 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Creates a timer that runs <paramref name="callback"/> with <paramref name="state"/> when due.</summary>
    public WheelTimer CreateTimer(Action<object> callback, object state) => new(this, callback, state);

    internal void Add(WheelTimer timer, int version, long dueMs)
    {
        lock (_timerLock)
        {
            if (_scheduled++ == 0 && !_running)
            {
                // Waking up: nothing is in the wheel, so skip the ticks that passed while asleep.
                Volatile.Write(ref _nextTick, Math.Max(Volatile.Read(ref _nextTick), (NowMs() - _originMs) / _tickMs));
                _running = true;
                _timer.Change(_tickMs, _tickMs);
            }
        }

        long dueTick = (dueMs - _originMs + _tickMs - 1) / _tickMs;
        while (true)
        {
            long tick = Math.Max(dueTick, Volatile.Read(ref _nextTick));
            List<(WheelTimer, int)> slot = _slots[tick % SlotCount];
            lock (slot)
            {
                // The tick thread advances _nextTick under the slot's lock: if this slot's turn has
                // not come yet it will be seen; otherwise try the next one.
                if (tick >= Volatile.Read(ref _nextTick))
                {
                    slot.Add((timer, version));
                    return;
                }
            }
        }
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            long now = NowMs();
            long currentTick = (now - _originMs) / _tickMs;
            List<(WheelTimer Timer, int Version)> due = _due;
            due.Clear();
            while (_nextTick <= currentTick)
            {
                List<(WheelTimer, int)> slot = _slots[_nextTick % SlotCount];
                lock (slot)
                {
                    due.AddRange(slot);
                    slot.Clear();
                    Volatile.Write(ref _nextTick, _nextTick + 1);
                }
            }

            foreach ((WheelTimer timer, int version) in due)
            {
                if (timer.Version != version)
                {
                    continue; // cancelled or rescheduled since
                }

                if (timer.DueMs > now)
                {
                    Add(timer, version, timer.DueMs); // due in a later turn of the wheel
                    continue;
                }

                try
                {
                    timer.Fire(version);
                }
                catch (Exception)
                {
                    // Callbacks handle their own errors; one that does not must not stop the others.
                }
            }

            lock (_timerLock)
            {
                _scheduled -= due.Count;
                if (_scheduled == 0 && _running)
                {
                    _running = false;
                    _timer.Change(Timeout.Infinite, Timeout.Infinite);
                }
            }

            due.Clear();
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>A reusable one-shot timer on a <see cref="TimerWheel"/>.</summary>
internal sealed class WheelTimer
{
    private readonly TimerWheel _wheel;
    private readonly Action<object> _callback;
    private readonly object _state;
    private int _version;

    internal WheelTimer(TimerWheel wheel, Action<object> callback, object state)
    {
        _wheel = wheel;
        _callback = callback;
        _state = state;
    }

    internal int Version => Volatile.Read(ref _version);

    internal long DueMs { get; private set; }

    /// <summary>(Re)schedules the timer <paramref name="delay"/> from now, replacing any earlier schedule.</summary>
    public void Schedule(TimeSpan delay)
    {
        int version = Interlocked.Increment(ref _version);
        DueMs = TimerWheel.NowMs() + (long)Math.Ceiling(delay.TotalMilliseconds) + 1; // +1: NowMs truncates, never fire early
        _wheel.Add(this, version, DueMs);
    }

    /// <summary>Cancels the pending schedule, if any.</summary>
    public void Cancel() => Interlocked.Increment(ref _version);

    internal void Fire(int version)
    {
        if (Interlocked.CompareExchange(ref _version, version + 1, version) == version)
        {
            _callback(_state);
        }
    }
}
