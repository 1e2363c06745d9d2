using TypedSocketIo.EngineIO;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>The session's side of WebSocket: attaching the transport, and the upgrade from long-polling (probe, noop, upgrade packet, timeout).</summary>
public sealed partial class EngineSocket
{
    // ------------------------------------------------------------------ WebSocket

    internal void Attach(WebSocketTransport transport) => transport.Session = this;

    /// <summary>A packet from a WebSocket of this session: the upgrade's while it is under way, a regular one otherwise.</summary>
    internal void OnWebSocketPacket(WebSocketTransport transport, EnginePacket packet)
    {
        // The upgrading transport is set before its receive loop starts, and cleared under the lock
        // when it becomes the session's: the upgrade's handling checks again under the lock.
        if (Volatile.Read(ref _upgrading) == transport)
        {
            OnUpgradePacket(transport, packet);
        }
        else
        {
            OnPacket(transport, packet);
        }
    }

    internal void OnTransportClosed(EngineTransport transport, string reason, string? description)
    {
        lock (_lock)
        {
            if (transport == _upgrading)
            {
                AbandonUpgradeLocked();
                return;
            }

            if (transport != _transport)
            {
                return;
            }
        }

        OnClose(reason, description);
    }

    /// <summary>Runs an upgrade from long-polling: probe, noop to release the poll, upgrade packet.</summary>
    /// <returns>The WebSocket's receive loop.</returns>
    internal Task HandleUpgradeAsync(WebSocketTransport transport)
    {
        bool accepted;
        lock (_lock)
        {
            accepted = _state == EngineReadyState.Open && !_upgraded && _upgrading is null;
            if (accepted)
            {
                _upgrading = transport;
                transport.Session = this;
                _upgradeTimer ??= TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).OnUpgradeTimeout(), this);
                _upgradeTimer.Schedule(_server.Options.UpgradeTimeout);
            }
        }

        if (!accepted)
        {
            // Upgrading twice, or after the upgrade: the reference closes the new WebSocket.
            transport.Close(graceful: true);
        }

        return transport.RunAsync();
    }

    private void OnUpgradePacket(WebSocketTransport transport, EnginePacket packet)
    {
        lock (_lock)
        {
            if (transport != _upgrading)
            {
                if (transport == _transport)
                {
                    goto Regular; // upgraded already: a regular packet
                }

                return;
            }
        }

        if (packet.Type == EnginePacketType.Ping && packet.Data.Span.SequenceEqual("probe"u8))
        {
            transport.Write([new OutgoingPacket(EnginePacket.FromText(EnginePacketType.Pong, "probe"), false)]);
            transport.StartWriting();
            RaiseSafely(Upgrading);
            ReleasePollDuringUpgrade();
            return;
        }

        if (packet.Type == EnginePacketType.Upgrade)
        {
            EngineTransport old;
            bool closing;
            lock (_lock)
            {
                if (transport != _upgrading || _state == EngineReadyState.Closed)
                {
                    return;
                }

                _upgradeTimer?.Cancel();
                old = _transport;
                _transport = transport;
                _upgrading = null;
                _upgraded = true;
                if (old is PollingTransport polling)
                {
                    polling.Answer(EnginePacketType.Noop);
                }

                closing = _state == EngineReadyState.Closing;
                if (closing)
                {
                    _closeTimer?.Cancel();
                }

                FlushLocked();
            }

            transport.StartWriting();
            RaiseSafely(UpgradeCompleted);
            if (closing)
            {
                OnClose("forced close", null);
            }

            return;
        }

        // Anything else while upgrading: the upgrade fails, the session goes on over polling.
        lock (_lock)
        {
            if (transport == _upgrading)
            {
                AbandonUpgradeLocked();
            }
        }

        transport.Close(graceful: false);
        return;

    Regular:
        OnPacket(transport, packet);
    }

    private void ReleasePollDuringUpgrade()
    {
        lock (_lock)
        {
            if (_upgrading is null || _state == EngineReadyState.Closed)
            {
                return;
            }

            if (_transport is PollingTransport polling)
            {
                polling.Answer(EnginePacketType.Noop);
            }
        }

        // The reference re-sends a noop every 100 ms while the upgrade is pending.
        (_noopTimer ??= TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).ReleasePollDuringUpgrade(), this))
            .Schedule(TimeSpan.FromMilliseconds(100));
    }

    private ScheduledTimer? _noopTimer;

    private void OnUpgradeTimeout()
    {
        WebSocketTransport? upgrading;
        lock (_lock)
        {
            upgrading = _upgrading;
            AbandonUpgradeLocked();
        }

        upgrading?.Close(graceful: false);
    }

    private void AbandonUpgradeLocked()
    {
        _upgrading = null;
        _upgradeTimer?.Cancel();
        _noopTimer?.Cancel();
    }
}
