using System.Buffers;
using Microsoft.AspNetCore.Http;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.Engine;

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
/// One Engine.IO session: a client connection that survives transport changes (long-polling,
/// WebSocket, the upgrade between them). Send from any thread; events are raised on the thread
/// that received the packet, one packet at a time per transport.
/// </summary>
public sealed class EngineSocket
{
    private readonly EngineIOServer _server;
    private readonly object _lock = new();
    private readonly ScheduledTimer _heartbeat;
    private readonly bool _supportsBinary;
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

    internal EngineSocket(EngineIOServer server, string id, int protocol, bool supportsBinary, EngineRequest request, EngineTransport transport)
    {
        _server = server;
        Id = id;
        Protocol = protocol;
        _supportsBinary = supportsBinary;
        Request = request;
        _transport = transport;
        _heartbeat = TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).OnHeartbeatTimer(), this);
        if (transport is WebSocketTransport webSocket)
        {
            Attach(webSocket);
        }
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The Engine.IO protocol revision of the client: 3 or 4.</summary>
    public int Protocol { get; }

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

    private bool SendPacket(EnginePacket packet, bool compress)
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

            _buffer.Add(new OutgoingPacket(packet, compress));
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
        if (_buffer.Count == 0 || !_transport.CanWrite)
        {
            return;
        }

        _transport.Write(_buffer);
        _buffer.Clear();
        _bufferedBytes = 0;
    }

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
        if (Protocol == 3)
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

            timedOut = Protocol == 3 || _awaitingPong;
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
                if (Protocol != 3)
                {
                    OnClose("transport error", "invalid heartbeat direction");
                    return;
                }

                ScheduleHeartbeat();
                SendPacket(EnginePacket.FromText(EnginePacketType.Pong), compress: false); // v3 pongs carry no data
                RaiseSafely(Heartbeat);
                break;
            case EnginePacketType.Pong:
                if (Protocol == 3)
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
                RaiseSafely(MessageReceived, packet);
                break;
            case EnginePacketType.Close when from is PollingTransport:
                // Only long-polling clients send a close packet; a WebSocket client closes the socket.
                OnClose("transport close", null);
                break;
        }
    }

    // ------------------------------------------------------------------ long-polling

    internal async Task HandlePollingGetAsync(HttpContext context)
    {
        var get = new TaskCompletionSource<PollAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool overlap = false;
        bool closeAfter = false;
        lock (_lock)
        {
            if (_transport is not PollingTransport polling)
            {
                overlap = true; // cannot happen: requests are routed by transport
            }
            else if (_state == EngineReadyState.Closed)
            {
                // Closed between the routing of this request and now.
                get.TrySetResult(new PollAnswer([EnginePacket.FromText(EnginePacketType.Close)], Compress: false));
            }
            else if (!polling.TrySetPendingGet(get))
            {
                overlap = true;
            }
            else if (_state == EngineReadyState.Closing)
            {
                // Closed by the server while no request waited: deliver what is left; once nothing
                // is, answer noop and close (the reference's "6\x1e1").
                if (_buffer.Count > 0)
                {
                    polling.Write(_buffer);
                    _buffer.Clear();
                    _bufferedBytes = 0;
                }
                else
                {
                    polling.Answer(new PollAnswer([EnginePacket.FromText(EnginePacketType.Noop), EnginePacket.FromText(EnginePacketType.Close)], Compress: false));
                    closeAfter = true;
                }
            }
            else
            {
                FlushLocked();
            }
        }

        if (overlap)
        {
            OnClose("transport error", "overlap from client");
            await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
            return;
        }

        if (closeAfter)
        {
            OnClose("forced close", null);
        }

        PollAnswer answer;
        using (context.RequestAborted.Register(static s => ((PollRegistration)s!).Abort(), new PollRegistration(this, get)))
        {
            try
            {
                answer = await get.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await _server.WritePayloadAsync(context, answer, Protocol, _supportsBinary).ConfigureAwait(false);
    }

    private sealed record PollRegistration(EngineSocket Socket, TaskCompletionSource<PollAnswer> Get)
    {
        public void Abort() => Socket.OnPollAborted(Get);
    }

    private void OnPollAborted(TaskCompletionSource<PollAnswer> get)
    {
        bool removed;
        lock (_lock)
        {
            removed = _transport is PollingTransport polling && polling.RemovePendingGet(get);
        }

        get.TrySetCanceled();
        if (removed)
        {
            OnClose("transport error", "poll connection closed prematurely");
        }
    }

    /// <summary>Whether a long-polling GET waits for packets (tests wait on it instead of sleeping).</summary>
    internal bool PollWaiting
    {
        get
        {
            lock (_lock)
            {
                return _transport is PollingTransport { HasPendingGet: true };
            }
        }
    }

    /// <summary>Whether a polling POST is being handled (tests wait on it to overlap one for sure).</summary>
    internal bool PollingPostInProgress
    {
        get
        {
            lock (_lock)
            {
                return _transport is PollingTransport { PostInProgress: true };
            }
        }
    }

    internal async Task HandlePollingPostAsync(HttpContext context)
    {
        bool overlap;
        lock (_lock)
        {
            overlap = _transport is not PollingTransport { PostInProgress: false };
            if (!overlap)
            {
                ((PollingTransport)_transport).PostInProgress = true;
            }
        }

        if (overlap)
        {
            OnClose("transport error", "data request overlap from client");
            await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            string? contentType = context.Request.ContentType;
            bool binary = contentType is not null && contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase);
            if (binary && Protocol != 3)
            {
                OnClose("transport error", "invalid content");
                await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
                return;
            }

            ReadOnlySequence<byte> body;
            byte[]? rented = null;
            try
            {
                (body, rented) = await ReadBodyAsync(context, _server.Options.MaxHttpBufferSize).ConfigureAwait(false);
            }
            catch (BodyTooLargeException)
            {
                // The client must learn of it from the failed POST ("transport error"), as from the
                // reference, which answers 413 and leaves the closing to the client. So the 413 goes
                // out first, and a waiting GET gets a noop, not a close packet the client could read
                // first ("transport close"); its next poll finds the session gone (400).
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                try
                {
                    await context.Response.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
                {
                    // The client is gone; the session closes all the same.
                }

                OnClose("transport error", "payload too large", pollAnswer: EnginePacketType.Noop);
                return;
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
            {
                OnClose("transport error", "data request connection closed prematurely");
                return;
            }

            List<EnginePacket> packets = new();
            long bodyLength = body.Length;
            string? parseError = body.IsEmpty ? "empty payload" : null;
            try
            {
                while (binary
                    ? EngineIOCodec.TryReadV3BinaryPacket(ref body, isFinalBlock: true, out EnginePacket packet)
                    : Protocol == 3
                        ? EngineIOCodec.TryReadV3TextPacket(ref body, isFinalBlock: true, out packet)
                        : EngineIOCodec.TryReadPacket(ref body, isFinalBlock: true, out packet))
                {
                    packets.Add(packet);
                }
            }
            catch (EngineIOParseException ex)
            {
                parseError = ex.Message;
            }
            finally
            {
                if (rented is not null)
                {
                    ReceiveBuffers.Return(rented);
                }
            }

            EngineTransport transport;
            lock (_lock)
            {
                transport = _transport;
            }

            _server.Metrics?.Received(webSocket: false, packets.Count, bodyLength);
            if (packets.Count > 0)
            {
                Volatile.Write(ref _dataRequest, new EngineRequest(context));
            }

            foreach (EnginePacket packet in packets)
            {
                OnPacket(transport, packet);
            }

            if (parseError is not null)
            {
                OnClose("parse error", parseError);
            }

            await _server.WriteOkAsync(context).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                if (_transport is PollingTransport p)
                {
                    p.PostInProgress = false;
                }
            }
        }

    }

    private static async Task<(ReadOnlySequence<byte> Body, byte[]? Rented)> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength is long declared && declared > limit)
        {
            throw new BodyTooLargeException();
        }

        byte[] buffer = ReceiveBuffers.Rent((int)Math.Min(Math.Max(context.Request.ContentLength ?? 4096, 16), limit + 1));
        int length = 0;
        try
        {
            Stream body = context.Request.Body;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw new BodyTooLargeException();
                    }

                    buffer = ReceiveBuffers.Grow(buffer, length, limit);
                }

                int read = await body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw new BodyTooLargeException();
                }
            }

            return (new ReadOnlySequence<byte>(buffer, 0, length), buffer);
        }
        catch
        {
            ReceiveBuffers.Return(buffer);
            throw;
        }
    }

    private sealed class BodyTooLargeException : Exception;

    // ------------------------------------------------------------------ WebSocket

    internal void Attach(WebSocketTransport transport)
    {
        transport.PacketReceived = (t, p) => OnPacket(t, p);
        transport.Closed = (t, reason, description) => OnTransportClosed(t, reason, description);
    }

    private void OnTransportClosed(EngineTransport transport, string reason, string? description)
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
    internal async Task HandleUpgradeAsync(WebSocketTransport transport)
    {
        bool accepted;
        lock (_lock)
        {
            accepted = _state == EngineReadyState.Open && !_upgraded && _upgrading is null;
            if (accepted)
            {
                _upgrading = transport;
                transport.PacketReceived = (t, p) => OnUpgradePacket(t, p);
                transport.Closed = (t, reason, description) => OnTransportClosed(t, reason, description);
                _upgradeTimer ??= TimerScheduler.Shared.CreateTimer(static s => ((EngineSocket)s).OnUpgradeTimeout(), this);
                _upgradeTimer.Schedule(_server.Options.UpgradeTimeout);
            }
        }

        if (!accepted)
        {
            // Upgrading twice, or after the upgrade: the reference closes the new WebSocket.
            transport.Close(graceful: true);
        }

        await transport.RunAsync().ConfigureAwait(false);
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
        Action<EngineSocket, string, string?>? closed = Closed;
        if (closed is not null)
        {
            try
            {
                closed(this, reason, description);
            }
            catch (Exception ex)
            {
                _server.Log.HandlerFailed(Id, ex);
            }
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
