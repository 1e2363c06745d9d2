using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.Engine;

/// <summary>
/// One Engine.IO client session (the reference's engine.io-client Socket): the handshake on the
/// first transport, the upgrade from polling to WebSocket, the heartbeat, and one writer that
/// sends queued packets in order. Events are raised on the session's own threads.
/// </summary>
internal sealed class EngineClient
{
    private readonly EngineClientOptions _options;
    private readonly HttpClient _http;
    private readonly object _gate = new();
    private readonly List<EnginePacket> _queue = new();
    // Wakes the writer: at most one pending signal; completed when the session ends. Waiting on it
    // allocates nothing (one reader, no cancellation token).
    private readonly System.Threading.Channels.Channel<bool> _writeSignal = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { SingleReader = true, FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private readonly List<EnginePacket> _batch = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EngineTransport? _transport;
    private EngineHandshake? _handshake;
    private Timer? _pingTimer;
    private bool _closed;
    private bool _closing;
    private bool _sending;
    private bool _upgrading;
    private bool _switching;
    private TaskCompletionSource? _writerPaused;
    private TaskCompletionSource? _pollerPaused;

    public EngineClient(EngineClientOptions options, HttpClient http)
    {
        _options = options;
        _http = http;
    }

    /// <summary>A message (text or binary) arrived.</summary>
    public Action<EnginePacket>? Message;

    /// <summary>A ping from the server arrived (and was answered).</summary>
    public Action? Ping;

    /// <summary>A packet arrived (every type, the handshake's open packet included), before it is handled.</summary>
    public Action<EnginePacket>? PacketReceived;

    /// <summary>A packet was queued to be sent (messages and pongs; not the upgrade's own packets nor the close).</summary>
    public Action<EnginePacket>? PacketCreated;

    /// <summary>The session moved to another transport (its name).</summary>
    public Action<string>? Upgraded;

    /// <summary>An upgrade probe failed: the session stays on its transport.</summary>
    public Action<Exception>? UpgradeFailed;

    /// <summary>
    /// The session ended by itself: the reason ("transport close" when the server closed it or went
    /// away under a WebSocket, "transport error" when a request failed, "ping timeout") and a description.
    /// </summary>
    public Action<string, string?>? Closed;

    /// <summary>How long <see cref="Close"/> gives the goodbye (what is queued, then the close packet) before it ends the session anyway.</summary>
    public static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Completes once the session has ended and its transport is closed (after a WebSocket's close
    /// frame): at most <see cref="GoodbyeTimeout"/> plus the WebSocket's close timeout after <see cref="Close"/>.
    /// </summary>
    public Task Ended => _ended.Task;

    /// <summary>The session id.</summary>
    public string? Id => _handshake?.Sid;

    /// <summary>The handshake the server sent.</summary>
    public EngineHandshake? Handshake => _handshake;

    /// <summary>The name of the transport in use.</summary>
    public string? TransportName => Volatile.Read(ref _transport)?.Name;

    /// <summary>Whether a packet sent now would go out at once (the reference's transport.writable).</summary>
    public bool Writable
    {
        get
        {
            lock (_gate)
            {
                return _transport is not null && !_closed && !_closing && !_upgrading && !_sending && _queue.Count == 0;
            }
        }
    }

    /// <summary>Opens the session on the first of the allowed transports; throws when that fails.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_options.Transports.Count == 0)
        {
            throw new InvalidOperationException("No transport is allowed (Transports is empty).");
        }

        EngineTransport transport = Create(_options.Transports[0]);
        IReadOnlyList<EnginePacket> packets;
        try
        {
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token);
            packets = await transport.OpenAsync(null, linked.Token).ConfigureAwait(false);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        PacketReceived?.Invoke(packets[0]);
        _handshake = EngineHandshake.Parse(packets[0].Data.Span);
        bool closed;
        lock (_gate)
        {
            closed = _closed;
            if (!closed)
            {
                _transport = transport;
            }
        }

        if (closed)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException("The session was closed while it opened.");
        }

        ResetPingTimer();
        _ = ReadLoopAsync(transport);
        _ = WriteLoopAsync();
        for (int i = 1; i < packets.Count; i++)
        {
            Handle(packets[i]);
        }

        if (_options.Upgrade && transport is PollingTransport && _options.Transports.Contains("websocket")
            && _handshake.Upgrades.Contains("websocket"))
        {
            _ = UpgradeAsync();
        }
    }

    /// <summary>Queues packets to send, in order.</summary>
    public void Send(IReadOnlyList<EnginePacket> packets)
    {
        lock (_gate)
        {
            if (_closed || _closing)
            {
                return;
            }

            _queue.AddRange(packets);
        }

        if (PacketCreated is { } created)
        {
            for (int i = 0; i < packets.Count; i++)
            {
                created(packets[i]);
            }
        }

        Signal();
    }

    /// <summary>
    /// Closes the session from this side: what is queued is sent, then a close packet, then the
    /// transport closes. <see cref="Closed"/> is not raised (the caller knows).
    /// </summary>
    public void Close()
    {
        bool opened;
        lock (_gate)
        {
            if (_closed || _closing)
            {
                return;
            }

            _closing = true;
            opened = _transport is not null;
            if (opened)
            {
                _queue.Add(new EnginePacket(EnginePacketType.Close));

                // An upgrade under way is called off unless it is committed (its "5" is going
                // out): what is queued goes out on the current transport now.
                if (!_switching)
                {
                    _upgrading = false;
                }
            }
        }

        if (!opened)
        {
            // Not open (yet): nothing to say goodbye on; an open under way is cancelled.
            Terminate();
            return;
        }

        Signal();

        // The writer ends the session once the close packet is out; a stuck transport gets 2 s.
        _ = Task.Delay(GoodbyeTimeout).ContinueWith(static (_, state) => ((EngineClient)state!).Terminate(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private EngineTransport Create(string name) => name switch
    {
        "polling" => new PollingTransport(_options, _http),
        "websocket" => new WebSocketTransport(_options),
        _ => throw new ArgumentException($"Unknown transport \"{name}\" (expected \"polling\" or \"websocket\").", nameof(name)),
    };

    private void Signal() => _writeSignal.Writer.TryWrite(true);

    private void Handle(EnginePacket packet)
    {
        PacketReceived?.Invoke(packet);
        switch (packet.Type)
        {
            case EnginePacketType.Ping:
                ResetPingTimer();
                Send([new EnginePacket(EnginePacketType.Pong)]);
                Ping?.Invoke();
                break;
            case EnginePacketType.Message:
                Message?.Invoke(packet);
                break;
            case EnginePacketType.Close:
                OnClose("transport close", "the server closed the session");
                break;
        }
    }

    private async Task ReadLoopAsync(EngineTransport transport)
    {
        var received = new List<EnginePacket>();
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_closed || _transport != transport)
                    {
                        return;
                    }

                    if (_upgrading && transport is PollingTransport)
                    {
                        _pollerPaused?.TrySetResult();
                        return;
                    }
                }

                received.Clear();
                if (!await transport.ReceiveAsync(received, _cts.Token).ConfigureAwait(false))
                {
                    OnClose("transport close", "the server closed the connection");
                    return;
                }

                for (int i = 0; i < received.Count; i++)
                {
                    Handle(received[i]);
                }
            }
        }
        catch (Exception ex)
        {
            bool current;
            lock (_gate)
            {
                current = _transport == transport && !_closed;
                if (_upgrading && transport is PollingTransport)
                {
                    _pollerPaused?.TrySetResult();
                }
            }

            if (current)
            {
                OnClose(transport.EndedByServer(ex) ? "transport close" : "transport error", ex.Message);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        EngineTransport? sendingOn = null;
        try
        {
            while (true)
            {
                if (!await _writeSignal.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return; // the session ended
                }

                _writeSignal.Reader.TryRead(out _);
                while (true)
                {
                    EngineTransport transport;
                    List<EnginePacket> batch;
                    lock (_gate)
                    {
                        if (_closed)
                        {
                            return;
                        }

                        if (_upgrading)
                        {
                            _writerPaused?.TrySetResult();
                            break;
                        }

                        if (_queue.Count == 0 || _transport is null)
                        {
                            break;
                        }

                        transport = _transport;
                        sendingOn = transport;
                        batch = Take(transport);
                        _sending = true;
                    }

                    // The close packet goes alone, after everything before it was delivered: the
                    // reference server handles a namespace DISCONNECT one tick late, so a close in
                    // the same payload would overtake it. Over WebSocket, closing the socket says it.
                    bool closing = batch[0].Type == EnginePacketType.Close;
                    try
                    {
                        if (!closing || !transport.SendsFrames)
                        {
                            await transport.SendAsync(batch, _cts.Token).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            _sending = false;
                        }
                    }

                    if (closing)
                    {
                        Terminate();
                        return;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            bool closing;
            lock (_gate)
            {
                closing = _closing;
                _writerPaused?.TrySetResult();
            }

            if (closing)
            {
                Terminate();
            }
            else
            {
                OnClose(sendingOn?.EndedByServer(ex) == true ? "transport close" : "transport error", ex.Message);
            }
        }
    }

    /// <summary>
    /// The packets to send next: one frame's worth at a time over WebSocket is all of them; over
    /// polling, as many as fit in the server's maxPayload (at least one), as the reference does.
    /// </summary>
    private List<EnginePacket> Take(EngineTransport transport)
    {
        int count = _queue.Count;
        int close = _queue.FindIndex(static p => p.Type == EnginePacketType.Close);
        if (close >= 0)
        {
            count = close == 0 ? 1 : close;
        }

        if (!transport.SendsFrames && _handshake?.MaxPayload is long max && max > 0 && count > 1)
        {
            long size = 1;
            for (int i = 0; i < count; i++)
            {
                EnginePacket packet = _queue[i];
                size += packet.IsBinary ? 1 + ((packet.Data.Length + 2) / 3 * 4) : packet.Data.Length;
                if (i > 0 && size > max)
                {
                    count = i;
                    break;
                }

                size += 2; // separator and the next packet's type
            }
        }

        _batch.Clear();
        for (int i = 0; i < count; i++)
        {
            _batch.Add(_queue[i]);
        }

        _queue.RemoveRange(0, count);
        return _batch;
    }

    /// <summary>
    /// The reference's probe: a WebSocket opened with the session id answers "2probe" with "3probe";
    /// then polling pauses (the pending poll and post complete), "5" goes over the WebSocket, and
    /// everything continues there. A failed probe leaves the session on polling.
    /// </summary>
    private async Task UpgradeAsync()
    {
        var transport = new WebSocketTransport(_options);
        bool switched = false;
        Exception? failure = null;
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(_handshake!.PingTimeout, 5000)));
            await transport.OpenAsync(Id, timeout.Token).ConfigureAwait(false);
            await transport.SendAsync([EnginePacket.FromText(EnginePacketType.Ping, "probe")], timeout.Token).ConfigureAwait(false);
            var answer = new List<EnginePacket>(1);
            if (!await transport.ReceiveAsync(answer, timeout.Token).ConfigureAwait(false)
                || answer is not [{ Type: EnginePacketType.Pong } pong] || pong.Text != "probe")
            {
                failure = new EngineConnectException("probe error: the server did not answer the probe.");
                return;
            }

            Task paused;
            lock (_gate)
            {
                if (_closed || _closing)
                {
                    return;
                }

                _upgrading = true;
                _writerPaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pollerPaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_sending)
                {
                    _writerPaused.TrySetResult();
                }

                // The poller pauses itself: at its next turn, once the pending poll returns (the
                // server releases it with a noop).
                paused = Task.WhenAll(_writerPaused.Task, _pollerPaused.Task);
            }

            await paused.WaitAsync(timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (_closed || _closing || !_upgrading)
                {
                    return;
                }

                _switching = true;
            }

            await transport.SendAsync([new EnginePacket(EnginePacketType.Upgrade)], timeout.Token).ConfigureAwait(false);
            EngineTransport? old;
            lock (_gate)
            {
                _switching = false;
                if (_closed)
                {
                    return;
                }

                old = _transport;
                _transport = transport;
                _upgrading = false;
                switched = true;
            }

            if (old is not null)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            _ = ReadLoopAsync(transport);
            Signal();
            Upgraded?.Invoke(transport.Name);
        }
        catch (Exception ex)
        {
            // The probe failed: the session stays on polling (the reference's "upgradeError").
            failure = new EngineConnectException(
                "probe error: " + (ex is OperationCanceledException ? "timeout" : ex.Message), statusCode: null, body: null, ex);
        }
        finally
        {
            if (!switched)
            {
                bool restartPoller;
                EngineTransport? polling;
                lock (_gate)
                {
                    // A poller that already paused must be started again; one still waiting on its
                    // poll goes on by itself now that the upgrade is off.
                    restartPoller = _upgrading && !_closed && _pollerPaused?.Task.IsCompleted == true;
                    _upgrading = false;
                    _switching = false;
                    polling = _transport;
                }

                await transport.DisposeAsync().ConfigureAwait(false);
                if (restartPoller && polling is not null)
                {
                    _ = ReadLoopAsync(polling);
                }

                Signal();

                // Not reported when the session is ending: the probe was called off, not refused.
                bool ending;
                lock (_gate)
                {
                    ending = _closed || _closing;
                }

                if (failure is not null && !ending)
                {
                    UpgradeFailed?.Invoke(failure);
                }
            }
        }
    }

    private void ResetPingTimer()
    {
        EngineHandshake? handshake = _handshake;
        if (handshake is null)
        {
            return;
        }

        TimeSpan due = TimeSpan.FromMilliseconds(handshake.PingInterval + handshake.PingTimeout);
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (_pingTimer is null)
            {
                _pingTimer = new Timer(static state => ((EngineClient)state!).OnClose("ping timeout", null), this, due, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _pingTimer.Change(due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnClose(string reason, string? description)
    {
        if (Terminate())
        {
            Closed?.Invoke(reason, description);
        }
    }

    /// <summary>Ends the session once: stops the loops and the heartbeat, closes the transport.</summary>
    private bool Terminate()
    {
        EngineTransport? transport;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            _pingTimer?.Dispose();
            transport = _transport;
            _queue.Clear();
            _writerPaused?.TrySetResult();
            _pollerPaused?.TrySetResult();
        }

        _cts.Cancel();
        _writeSignal.Writer.TryComplete();
        if (transport is null)
        {
            _ended.TrySetResult();
        }
        else
        {
            _ = EndAsync(transport);
        }

        return true;
    }

    private async Task EndAsync(EngineTransport transport)
    {
        try
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _ended.TrySetResult();
        }
    }
}
