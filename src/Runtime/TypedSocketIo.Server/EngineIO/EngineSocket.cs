using TypedSocketIo.EngineIO;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>The life cycle of an Engine.IO session.</summary>
public enum EngineReadyState
{
    /// <summary>Packets flow.</summary>
    Open,
    /// <summary>Closed by the server; the buffered packets are still being delivered.</summary>
    Closing,
    /// <summary>Over.</summary>
    Closed,
}

/// <summary>
/// What a session is served to inside the server (the Socket.IO connection over it): told of each
/// message and of the close before the public events are raised. An interface, not event
/// handlers: an idle session keeps no closures.
/// </summary>
internal interface IEngineSocketOwner
{
    /// <summary>A message from the client; raised on the receive path, one at a time.</summary>
    void OnMessage(EnginePacket message);

    /// <summary>The session closed, for <paramref name="reason"/>; raised once.</summary>
    void OnEngineClosed(string reason, string? description);
}

/// <summary>
/// One Engine.IO session: a client connection that survives transport changes (long-polling,
/// WebSocket, the upgrade between them). Send from any thread; events are raised on the thread
/// that received the packet, one packet at a time per transport.
/// </summary>
public sealed partial class EngineSocket
{
    private readonly EngineIOServer _server;
    private readonly object _lock = new();
    private readonly ScheduledTimer _heartbeat;
    private List<OutgoingPacket> _buffer = new();
    private long _bufferedBytes;
    private EngineTransport _transport;
    private WebSocketTransport? _upgrading;
    private ScheduledTimer? _upgradeTimer;
    private ScheduledTimer? _closeTimer;
    private EngineReadyState _state = EngineReadyState.Open;
    private bool _awaitingPong;
    private long _pingDueMs;
    private bool _upgraded;

    internal EngineSocket(EngineIOServer server, string id, EngineIOProtocol protocol, EngineRequest request, EngineTransport transport)
    {
        _server = server;
        Id = id;
        Protocol = protocol;
        Request = request;
        _transport = transport;
        _heartbeat = TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).OnHeartbeatTimer(), this);
        if (transport is WebSocketTransport webSocket)
        {
            Attach(webSocket);
        }
        else if (transport is PollingTransport polling)
        {
            polling.Session = this;
        }
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>What the session is served to, if anything; set once, when the session opens.</summary>
    internal IEngineSocketOwner? Owner { get; set; }

    /// <summary>The Engine.IO protocol revision of the client: 3 or 4.</summary>
    public EngineIOProtocol Protocol { get; }

    /// <summary>The request that opened the session.</summary>
    public EngineRequest Request { get; }

    /// <summary>
    /// A snapshot of the last long-polling POST that carried messages in (its headers, cookies,
    /// address), set before its messages are raised; null before the first one and over WebSocket
    /// (the reference's <c>socket.conn.transport.dataReq</c>). <see cref="Request"/> is the handshake's.
    /// </summary>
    public EngineRequest? DataRequest => Volatile.Read(ref _dataRequest);

    private EngineRequest? _dataRequest;

    /// <summary>The current transport: <c>polling</c> or <c>websocket</c>.</summary>
    public string Transport
    {
        get
        {
            lock (_lock)
            {
                return _transport.Name;
            }
        }
    }

    /// <summary>Whether the session moved from long-polling to WebSocket.</summary>
    public bool Upgraded
    {
        get
        {
            lock (_lock)
            {
                return _upgraded;
            }
        }
    }

    /// <summary>The life-cycle state.</summary>
    public EngineReadyState ReadyState
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>
    /// Whether a packet sent now leaves at once: a long-polling request is waiting, or the WebSocket
    /// is not busy. Volatile messages are dropped when this is false.
    /// </summary>
    public bool IsWritable
    {
        get
        {
            lock (_lock)
            {
                return _state == EngineReadyState.Open && _transport.IsWritable;
            }
        }
    }

    /// <summary>Raised for every message (text or binary) the client sends.</summary>
    public event Action<EngineSocket, EnginePacket>? MessageReceived;

    /// <summary>Raised for every packet received, heartbeats included.</summary>
    public event Action<EngineSocket, EnginePacket>? PacketReceived;

    /// <summary>Raised for every packet queued for sending, heartbeats included.</summary>
    public event Action<EngineSocket, EnginePacket>? PacketCreated;

    /// <summary>Raised when a heartbeat is answered (v4) or received (v3).</summary>
    public event Action<EngineSocket>? Heartbeat;

    /// <summary>Raised when the client starts probing a WebSocket upgrade.</summary>
    public event Action<EngineSocket>? Upgrading;

    /// <summary>Raised when the session has moved to WebSocket.</summary>
    public event Action<EngineSocket>? UpgradeCompleted;

    /// <summary>Raised once when the session ends, with the reason (<c>transport close</c>, <c>ping timeout</c>, …) and a description.</summary>
    public event Action<EngineSocket, string, string?>? Closed;

    /// <summary>Sends a text message.</summary>
    /// <returns>False when the session is closing or closed and the message was dropped.</returns>
    public bool Send(string text, bool compress = true) => Send(EnginePacket.TextMessage(text), compress);

    /// <summary>Sends a binary message.</summary>
    /// <returns>False when the session is closing or closed and the message was dropped.</returns>
    public bool SendBinary(ReadOnlyMemory<byte> data, bool compress = true) => Send(EnginePacket.BinaryMessage(data), compress);

    /// <summary>Sends a message packet (text as UTF-8, or binary).</summary>
    /// <returns>False when the session is closing or closed and the message was dropped.</returns>
    public bool Send(EnginePacket message, bool compress = true)
    {
        if (message.Type != EnginePacketType.Message)
        {
            throw new ArgumentException("Only message packets can be sent by the application.", nameof(message));
        }

        return SendPacket(message, compress);
    }

    /// <summary>Closes the session after the packets already sent are delivered (reason <c>forced close</c>).</summary>
    public void Close()
    {
        bool closeNow = false;
        lock (_lock)
        {
            if (_state != EngineReadyState.Open)
            {
                return;
            }

            _state = EngineReadyState.Closing;

            // Close at once over WebSocket, or when a poll waits to carry the close packet. Otherwise
            // (queued packets and the close go out on the client's next polls, or an upgrade is under
            // way and the close follows on whichever transport wins) wait, but not forever.
            closeNow = _upgrading is null && (_transport is not PollingTransport polling || polling.HasPendingGet);
            if (!closeNow)
            {
                _closeTimer = TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).OnClose("forced close", null), this);
                _closeTimer.Schedule(_server.Options.CloseTimeout);
            }
        }

        if (closeNow)
        {
            OnClose("forced close", null);
        }
    }

    // ------------------------------------------------------------------ opening

    internal void Open(string handshakeId)
    {
        EngineIOOptions options = _server.Options;
        bool webSocket = _transport is WebSocketTransport;
        var upgrades = new List<string>();
        if (!webSocket && options.AllowUpgrades && options.Transports.Contains(EngineIOOptions.WebSocket))
        {
            upgrades.Add(EngineIOOptions.WebSocket);
        }

        var handshake = new EngineHandshake(
            handshakeId,
            upgrades,
            (int)options.PingInterval.TotalMilliseconds,
            (int)options.PingTimeout.TotalMilliseconds,
            options.MaxHttpBufferSize); // the reference advertises it to v3 clients too
        SendPacket(handshake.ToPacket(), compress: true);
        ScheduleHeartbeat();
    }

    // ------------------------------------------------------------------ sending

    /// <summary>Sends a message that goes to many connections: the server's own framing writes its shared frame as it is.</summary>
    internal bool SendShared(Framing.SharedFrame frame, bool compress) => SendPacket(frame.Packet, compress, frame);

    private bool SendPacket(EnginePacket packet, bool compress, Framing.SharedFrame? frame = null)
    {
        EngineTransport transport;
        long queued;
        lock (_lock)
        {
            if (_state != EngineReadyState.Open)
            {
                return false;
            }

            // A client that stops reading must not grow the server: past the limit the session ends.
            queued = _bufferedBytes + _transport.QueuedBytes;
            long size = packet.Data.Length + 1;
            if (queued > 0 && queued + size > _server.Options.MaxSendBufferSize)
            {
                transport = _transport;
                goto Full;
            }

            _buffer.Add(new OutgoingPacket(packet, compress, frame));
            _bufferedBytes += size;
            transport = _transport;
            FlushLocked();
        }

        transport.StartWriting();
        RaiseSafely(PacketCreated, packet);
        return true;

    Full:
        _server.Log.SendBufferFull(Id, queued, _server.Options.MaxSendBufferSize);
        _server.Metrics?.LimitExceeded(nameof(EngineIOOptions.MaxSendBufferSize));
        OnClose("transport error", "send buffer full");
        return false;
    }

    /// <summary>Hands the buffer to the transport when it can take it. Caller holds the lock.</summary>
    private void FlushLocked()
    {
        if (_buffer.Count == 0 || !_transport.CanTakePackets)
        {
            return;
        }

        _transport.Write(_buffer);
        _buffer.Clear();
        _bufferedBytes = 0;
    }

    // ------------------------------------------------------------------ receiving

    private void OnPacket(EngineTransport from, EnginePacket packet)
    {
        lock (_lock)
        {
            if (from != _transport || _state != EngineReadyState.Open)
            {
                return;
            }
        }

        RaiseSafely(PacketReceived, packet);
        switch (packet.Type)
        {
            case EnginePacketType.Ping:
                if (Protocol != EngineIOProtocol.V3)
                {
                    OnClose("transport error", "invalid heartbeat direction");
                    return;
                }

                ScheduleHeartbeat();
                SendPacket(EnginePacket.FromText(EnginePacketType.Pong), compress: false); // v3 pongs carry no data
                RaiseSafely(Heartbeat);
                break;
            case EnginePacketType.Pong:
                if (Protocol == EngineIOProtocol.V3)
                {
                    OnClose("transport error", "invalid heartbeat direction");
                    return;
                }

                lock (_lock)
                {
                    if (!_awaitingPong)
                    {
                        return; // an answer to no ping
                    }

                    ScheduleHeartbeat();
                }

                RaiseSafely(Heartbeat);
                break;
            case EnginePacketType.Message:
                RaiseToOwner(packet);
                RaiseSafely(MessageReceived, packet);
                break;
            case EnginePacketType.Close when from is PollingTransport:
                // Only long-polling clients send a close packet; a WebSocket client closes the socket.
                OnClose("transport close", null);
                break;
        }
    }

    // ------------------------------------------------------------------ closing

    /// <summary>
    /// Closes for <paramref name="reason"/> at once (idempotent). A waiting poll gets
    /// <paramref name="pollAnswer"/>: by default a noop when the client closed, a close packet otherwise.
    /// </summary>
    internal void OnClose(string reason, string? description, EnginePacketType? pollAnswer = null)
    {
        EngineTransport transport;
        WebSocketTransport? upgrading;
        lock (_lock)
        {
            if (_state == EngineReadyState.Closed)
            {
                return;
            }

            _state = EngineReadyState.Closed;
            transport = _transport;
            upgrading = _upgrading;
            AbandonUpgradeLocked();
            _closeTimer?.Cancel();
            _heartbeat.Cancel();
            if (transport is PollingTransport polling)
            {
                // A client that closed gets a noop on its waiting poll; anyone else a close packet.
                polling.Answer(pollAnswer ?? (reason == "transport close" ? EnginePacketType.Noop : EnginePacketType.Close));
            }

            _buffer = new List<OutgoingPacket>();
            _bufferedBytes = 0;
        }

        _server.Remove(this);
        bool graceful = reason is "forced close" or "server shutting down" or "transport close";
        transport.Close(graceful);
        upgrading?.Close(graceful: false);
        _server.Log.SessionClosed(Id, reason, description);
        try
        {
            Owner?.OnEngineClosed(reason, description);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Id, ex);
        }

        try
        {
            Closed?.Invoke(this, reason, description);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Id, ex);
        }
    }

    private void RaiseToOwner(EnginePacket message)
    {
        try
        {
            Owner?.OnMessage(message);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Id, ex);
        }
    }

    private void RaiseSafely(Action<EngineSocket, EnginePacket>? handler, EnginePacket packet)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, packet);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Id, ex);
        }
    }

    private void RaiseSafely(Action<EngineSocket>? handler)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Id, ex);
        }
    }
}
