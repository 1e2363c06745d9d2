using TypedSocketIo.Protocol;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server;

/// <summary>
/// Connection state recovery in memory (the reference's SessionAwareAdapter): the sessions of
/// sockets that left for a recoverable reason, and a log of the events sent meanwhile, both
/// bounded (<see cref="ConnectionStateRecoveryOptions.MaxSessions"/>,
/// <see cref="ConnectionStateRecoveryOptions.MaxLoggedPackets"/>) and expiring after
/// <see cref="ConnectionStateRecoveryOptions.MaxDisconnectionDuration"/>. Cluster adapters whose
/// transport keeps sessions itself override the two hooks.
/// </summary>
public partial class InMemoryAdapter
{
    private static readonly TimeSpan LongestSweepInterval = TimeSpan.FromMinutes(1);
    private readonly object _recoveryLock = new();

    /// <summary>Held while an event is logged and delivered, and while a recovered socket is attached.</summary>
    private protected object RecoveryLock => _recoveryLock;
    private PacketLog? _packetLog;
    private SessionStore? _sessionStore;
    private ScheduledTimer? _sweep;
    private bool _sweepScheduled;

    /// <summary>The server's recovery options; null when connection state recovery is off.</summary>
    protected ConnectionStateRecoveryOptions? RecoveryOptions => Namespace.Server.Options.ConnectionStateRecovery;

    /// <summary>
    /// Whether <paramref name="packet"/> carries an offset: recovery is on and it is an event sent
    /// without acknowledgement (an acknowledgement cannot be restored elsewhere) and not volatile.
    /// </summary>
    protected bool CarriesOffset(SocketIoPacket packet, BroadcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(options);
        return RecoveryOptions is not null && packet.Type == SocketIoPacketType.Event && packet.Id is null && !options.Flags.Volatile;
    }

    /// <summary><paramref name="packet"/> with <paramref name="offset"/> appended to its event array.</summary>
    protected static SocketIoPacket WithOffset(SocketIoPacket packet, string offset)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(offset);
        return new SocketIoPacket(packet.Type, packet.Namespace, packet.Id, RecoveryOffset.Append(packet.Data.Span, offset), packet.Attachments);
    }

    /// <summary>
    /// Logs <paramref name="packet"/> in the in-memory packet log when it carries an offset, and
    /// returns it with its offset appended (unchanged otherwise).
    /// </summary>
    protected SocketIoPacket LogForRecovery(SocketIoPacket packet, BroadcastOptions options)
    {
        if (!CarriesOffset(packet, options))
        {
            return packet;
        }

        ConnectionStateRecoveryOptions recovery = RecoveryOptions!;
        string offset;
        lock (_recoveryLock)
        {
            _packetLog ??= new PacketLog(recovery.MaxLoggedPackets, recovery.MaxDisconnectionDuration);
            offset = _packetLog.Add(options, new JsonPayload(packet.Data, packet.Attachments), TimerScheduler.NowMs());
            ScheduleSweep(recovery);
        }

        return WithOffset(packet, offset);
    }

    /// <summary>
    /// Keeps the session of a socket that left for a recoverable reason (the reference's
    /// <c>persistSession</c>). In memory by default; cluster adapters may keep it where every
    /// server can find it.
    /// </summary>
    public virtual ValueTask PersistSession(RecoverySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (RecoveryOptions is not { } recovery)
        {
            return ValueTask.CompletedTask;
        }

        lock (_recoveryLock)
        {
            _sessionStore ??= new SessionStore(recovery.MaxSessions, recovery.MaxDisconnectionDuration);
            _sessionStore.Add(session, TimerScheduler.NowMs());
            ScheduleSweep(recovery);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Gives back the session of <paramref name="pid"/> with the events sent after
    /// <paramref name="offset"/> that its rooms would have received (the reference's
    /// <c>restoreSession</c>); null when the session is unknown or expired, or the offset is not in
    /// the log. A session is given back once.
    /// </summary>
    public virtual ValueTask<RestoredSession?> RestoreSession(string pid, string offset)
    {
        ArgumentNullException.ThrowIfNull(pid);
        ArgumentNullException.ThrowIfNull(offset);
        lock (_recoveryLock)
        {
            long now = TimerScheduler.NowMs();
            _packetLog?.Expire(now);
            if (_sessionStore?.Take(pid, now) is not { } session)
            {
                return ValueTask.FromResult<RestoredSession?>(null);
            }

            List<JsonPayload>? missed = _packetLog?.After(offset, session.Rooms);
            return ValueTask.FromResult(missed is null ? null : new RestoredSession(session, missed) { LogPosition = _packetLog!.LastOffset });
        }
    }

    /// <summary>
    /// Attaches a recovered socket (<paramref name="attach"/> returns it, or null when its client
    /// left), then sends what it missed and its CONNECT answer, exclusively of logged broadcasts:
    /// the events logged after the missed ones were read go out too, and later ones arrive live.
    /// </summary>
    internal virtual ValueTask<bool> AttachRecovered(RestoredSession restored, Func<Socket?> attach) => ValueTask.FromResult(AttachRecoveredNow(restored, attach));

    private bool AttachRecoveredNow(RestoredSession restored, Func<Socket?> attach)
    {
        lock (_recoveryLock)
        {
            Socket? socket = attach();
            if (socket is null)
            {
                return false;
            }

            socket.SendMissed(restored.MissedPackets);
            if (restored.LogPosition is { } position && _packetLog?.After(position, restored.Session.Rooms) is { } since)
            {
                socket.SendMissed(since);
            }

            socket.Connection.OnSocketConnected(socket);
            return true;
        }
    }

    /// <summary>How many sessions and logged events this adapter keeps in memory now.</summary>
    internal (int Sessions, int Packets) RecoveryCounts
    {
        get
        {
            lock (_recoveryLock)
            {
                return (_sessionStore?.Count ?? 0, _packetLog?.Count ?? 0);
            }
        }
    }

    /// <summary>Drops what expired now (as the periodic sweep does).</summary>
    internal void SweepRecovery()
    {
        lock (_recoveryLock)
        {
            long now = TimerScheduler.NowMs();
            _packetLog?.Expire(now);
            _sessionStore?.Expire(now);
        }
    }

    /// <summary>Schedules the periodic sweep while anything is kept. Caller holds the lock.</summary>
    private void ScheduleSweep(ConnectionStateRecoveryOptions recovery)
    {
        if (_sweepScheduled)
        {
            return;
        }

        _sweep ??= TimerScheduler.Shared.CreateTimer(static s => ((InMemoryAdapter)s).OnSweep(), this);
        _sweepScheduled = true;
        _sweep.Schedule(recovery.MaxDisconnectionDuration < LongestSweepInterval ? recovery.MaxDisconnectionDuration : LongestSweepInterval);
    }

    private void OnSweep()
    {
        lock (_recoveryLock)
        {
            _sweepScheduled = false;
            long now = TimerScheduler.NowMs();
            _packetLog?.Expire(now);
            _sessionStore?.Expire(now);
            if ((_packetLog?.Count ?? 0) > 0 || (_sessionStore?.Count ?? 0) > 0)
            {
                ScheduleSweep(RecoveryOptions!);
            }
        }
    }
}
