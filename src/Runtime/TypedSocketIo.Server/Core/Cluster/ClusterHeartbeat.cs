using System.Collections.Concurrent;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The live nodes a <see cref="ClusterAdapter"/> hears and its own heartbeat timer. A publish only
/// records its time (one write); the timer, when due, publishes a heartbeat if nothing went out
/// since, or moves itself to <see cref="ClusterHeartbeatOptions.Interval"/> after the last publish.
/// </summary>
internal sealed class ClusterHeartbeat
{
    private readonly ConcurrentDictionary<string, long> _lastSeen = new(StringComparer.Ordinal);
    private readonly ClusterHeartbeatOptions _options;
    private readonly Action _publishHeartbeat;
    private readonly ScheduledTimer _beat;
    private readonly ScheduledTimer _sweep;
    private long _lastPublished;
    private int _stopped;

    public ClusterHeartbeat(ClusterHeartbeatOptions options, Action publishHeartbeat)
    {
        if (options.Interval <= TimeSpan.Zero || options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Heartbeat interval and timeout must be positive.");
        }

        _options = options;
        _publishHeartbeat = publishHeartbeat;
        _beat = TimerScheduler.Shared.CreateTimer(static s => ((ClusterHeartbeat)s).OnBeat(), this);
        _sweep = TimerScheduler.Shared.CreateTimer(static s => ((ClusterHeartbeat)s).OnSweep(), this);
    }

    /// <summary>The other nodes heard within the timeout.</summary>
    public int LiveNodes => _lastSeen.Count;

    /// <summary>Starts the timers (the adapter publishes the initial heartbeat).</summary>
    public void Start()
    {
        Published();
        _beat.Schedule(_options.Interval);
        _sweep.Schedule(_options.Timeout / 2);
    }

    /// <summary>This node published something: the next heartbeat is due an interval from now.</summary>
    public void Published() => Volatile.Write(ref _lastPublished, TimerScheduler.NowMs());

    /// <summary>A message from <paramref name="uid"/> arrived.</summary>
    public void Seen(string uid) => _lastSeen[uid] = TimerScheduler.NowMs();

    /// <summary><paramref name="uid"/> said goodbye.</summary>
    public void Remove(string uid) => _lastSeen.TryRemove(uid, out _);

    /// <summary>Stops the timers.</summary>
    public void Stop()
    {
        Volatile.Write(ref _stopped, 1);
        _beat.Cancel();
        _sweep.Cancel();
    }

    private void OnBeat()
    {
        if (Volatile.Read(ref _stopped) == 1)
        {
            return;
        }

        long interval = (long)_options.Interval.TotalMilliseconds;
        long due = Volatile.Read(ref _lastPublished) + interval;
        if (TimerScheduler.NowMs() >= due)
        {
            Published(); // even when the publish fails: the next attempt is an interval away
            _publishHeartbeat();
            due = Volatile.Read(ref _lastPublished) + interval;
        }

        _beat.ScheduleAt(due + 1);
    }

    private void OnSweep()
    {
        if (Volatile.Read(ref _stopped) == 1)
        {
            return;
        }

        long oldest = TimerScheduler.NowMs() - (long)_options.Timeout.TotalMilliseconds;
        foreach (KeyValuePair<string, long> node in _lastSeen)
        {
            if (node.Value < oldest)
            {
                _lastSeen.TryRemove(node);
            }
        }

        _sweep.Schedule(_options.Timeout / 2); // a silent node is dropped within 1.5 timeouts
    }
}
