using TypedSocketIo.EngineIO;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>The session's heartbeat: pings on absolute deadlines, and the timeout when no pong comes.</summary>
public sealed partial class EngineSocket
{
    // ------------------------------------------------------------------ heartbeat

    /// <summary>
    /// Starts the next heartbeat period from now. Deadlines are absolute: a ping is due
    /// pingInterval after the last pong (or the handshake), and the session times out pingTimeout
    /// after the ping was due, however late the ping went out. v3 clients ping; the server waits
    /// pingInterval + pingTimeout for each ping.
    /// </summary>
    private void ScheduleHeartbeat()
    {
        EngineIOOptions options = _server.Options;
        long now = TimerScheduler.NowMs() + 1; // +1: NowMs truncates, so a deadline never falls before the full interval
        if (Protocol == EngineIOProtocol.V3)
        {
            _heartbeat.ScheduleAt(now + (long)(options.PingInterval + options.PingTimeout).TotalMilliseconds);
        }
        else
        {
            _awaitingPong = false;
            _pingDueMs = now + (long)options.PingInterval.TotalMilliseconds;
            _heartbeat.ScheduleAt(_pingDueMs);
        }
    }

    private void OnHeartbeatTimer()
    {
        bool timedOut;
        lock (_lock)
        {
            if (_state == EngineReadyState.Closed)
            {
                return;
            }

            timedOut = Protocol == EngineIOProtocol.V3 || _awaitingPong;
            if (!timedOut)
            {
                _awaitingPong = true;
                _heartbeat.ScheduleAt(_pingDueMs + (long)_server.Options.PingTimeout.TotalMilliseconds);
            }
        }

        if (timedOut)
        {
            OnClose("ping timeout", null);
        }
        else
        {
            SendPacket(EnginePacket.FromText(EnginePacketType.Ping), compress: false);
        }
    }
}
