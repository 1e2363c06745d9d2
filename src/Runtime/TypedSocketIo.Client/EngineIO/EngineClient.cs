using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>
/// One Engine.IO client session (the reference's engine.io-client Socket): the handshake on the
/// first transport, the upgrade from polling to WebSocket, the heartbeat, and one writer that
/// sends queued packets in order. Events are raised on the session's own threads.
/// </summary>
internal sealed partial class EngineClient
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
