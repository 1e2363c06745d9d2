using System.Diagnostics;
using System.Net.WebSockets;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Bench;

/// <summary>A distribution of lateness values, in milliseconds (negative: early).</summary>
internal sealed record LatenessStats
{
    public required int Count { get; init; }
    public required double MinMs { get; init; }
    public required double P50Ms { get; init; }
    public required double P90Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }
    public required double MeanMs { get; init; }

    /// <summary>Values below zero: a ping or close before its deadline.</summary>
    public required int Early { get; init; }

    /// <summary>The (up to 5) lowest values, to show how early the early ones were.</summary>
    public required List<double> LowestMs { get; init; }

    /// <summary>Exact nearest-rank percentiles of <paramref name="values"/>.</summary>
    public static LatenessStats Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return new LatenessStats
            {
                Count = 0, MinMs = double.NaN, P50Ms = double.NaN, P90Ms = double.NaN, P99Ms = double.NaN,
                MaxMs = double.NaN, MeanMs = double.NaN, Early = 0, LowestMs = [],
            };
        }

        List<double> sorted = values.Order().ToList();
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(sorted.Count * p / 100.0) - 1, 0, sorted.Count - 1)];
        return new LatenessStats
        {
            Count = sorted.Count,
            MinMs = sorted[0],
            P50Ms = Percentile(50),
            P90Ms = Percentile(90),
            P99Ms = Percentile(99),
            MaxMs = sorted[^1],
            MeanMs = sorted.Average(),
            Early = sorted.Count(v => v < 0),
            LowestMs = sorted.Take(5).ToList(),
        };
    }
}

/// <summary>The server process's view of a heartbeat run.</summary>
internal sealed record HeartbeatServerResult
{
    public required int PingIntervalMs { get; init; }
    public required int PingTimeoutMs { get; init; }

    /// <summary>Sessions the server opened (its onConnection ran).</summary>
    public required int Sessions { get; init; }

    /// <summary>Ping sent (its PacketCreated) − (onConnection + pingInterval), one value per session that pinged.</summary>
    public required LatenessStats Pings { get; init; }

    /// <summary>Closed − (onConnection + pingInterval + pingTimeout), one value per session closed by a ping timeout.</summary>
    public required LatenessStats Closes { get; init; }

    /// <summary>
    /// Pings and closes early even against the moment the handshake request entered the endpoint,
    /// which is before the server took the session's start time: these would be early whatever the
    /// handler's delay, so they must be 0.
    /// </summary>
    public required int PingsEarlyAgainstRequest { get; init; }
    public required int ClosesEarlyAgainstRequest { get; init; }

    /// <summary>onConnection − the request's entry into the endpoint (the WebSocket accept, the handshake, and any wait for a core).</summary>
    public required LatenessStats HandlerDelay { get; init; }

    /// <summary>The sessions early against onConnection: "ping/close lateness; against the request start; handler delay", in ms.</summary>
    public required List<string> EarlySessions { get; init; }

    public required int SessionsWithoutPing { get; init; }
    public required int SessionsWithMorePings { get; init; }
    public required int SessionsLeftOpen { get; init; }
    public required Dictionary<string, int> CloseReasons { get; init; }

    /// <summary>From the first onConnection to the last.</summary>
    public required double OpenSpanSeconds { get; init; }

    /// <summary>Server process CPU from its start until the clients finished opening, and from then until the last close.</summary>
    public required double OpeningCpuSeconds { get; init; }
    public required double OpeningSeconds { get; init; }
    public required double HeartbeatCpuSeconds { get; init; }
    public required double HeartbeatSeconds { get; init; }

    public required int Failures { get; init; }
    public required List<string> FailureTexts { get; init; }
    public required Events Events { get; init; }
    public required string Machine { get; init; }
}

/// <summary>The clients' view of a heartbeat run (in the runner's process unless --in-process).</summary>
internal sealed record HeartbeatClientResult
{
    public required int Requested { get; init; }
    public required int Opened { get; init; }
    public required double ConnectSeconds { get; init; }
    public required Dictionary<string, int> ConnectFailures { get; init; }

    /// <summary>How many clients got 0, 1, 2 … pings (1 each expected: the session times out before a second one).</summary>
    public required Dictionary<int, int> PingsPerClient { get; init; }

    /// <summary>How each client's connection ended: the close frame's status and reason, or the error.</summary>
    public required Dictionary<string, int> Ends { get; init; }
    public required int UnexpectedFrames { get; init; }

    /// <summary>Clients still open when the wait for the server's closes ran out (aborted).</summary>
    public required int NotClosed { get; init; }
    public required double CpuSeconds { get; init; }
    public required double WallSeconds { get; init; }
}

/// <summary>One heartbeat run: the server's measurement and the clients' view.</summary>
internal sealed record HeartbeatResult
{
    public required HeartbeatServerResult Server { get; init; }
    public required HeartbeatClientResult Clients { get; init; }

    /// <summary>Whether the server and clients shared one process (CPU figures then count both).</summary>
    public required bool InProcess { get; init; }
}

/// <summary>
/// Heartbeat precision: N Engine.IO WebSocket sessions whose clients keep reading but never answer a
/// ping. Every session gets one ping pingInterval after it opened and is closed (<c>ping timeout</c>)
/// pingTimeout after that ping was due. The server records, per session, the time its connection
/// handler ran, the ping's <see cref="EngineSocket.PacketCreated"/> and <see cref="EngineSocket.Closed"/>,
/// and reports how late each ping and close was against its deadline; none may be early.
/// <para>
/// By default the server runs in a child process and the clients in the runner's process, so the
/// server's CPU is its own and the file descriptors (two per connection in one process) stay under
/// the limit.
/// </para>
/// </summary>
internal static class HeartbeatScenario
{
    public const string Measurement = "heartbeat";
    private const int ConnectParallelism = 16;

    /// <summary>One handler for all clients, no proxy (loopback only).</summary>
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    /// <summary>When the current request entered the endpoint (set by a middleware in front of it).</summary>
    private static readonly AsyncLocal<long> RequestStart = new();

    private sealed class SessionRecord(long open, long requestStart)
    {
        public readonly long Open = open;
        public readonly long RequestStart = requestStart;
        public long Ping;
        public int Pings;
        public long Close;
        public string? Reason;
    }

    /// <summary>How long the server and the clients wait for the last close after the clients finished opening.</summary>
    private static TimeSpan CloseWait(BenchOptions options) =>
        TimeSpan.FromSeconds(options.PingInterval + options.PingTimeout + 30);

    /// <summary>
    /// Runs the server side: starts the server, hands its address to <paramref name="openClients"/>
    /// (which returns once the clients have opened, with how many did), then waits (bounded) for
    /// every session to close and computes the lateness of each ping and close.
    /// </summary>
    public static async Task<HeartbeatServerResult> RunServerAsync(BenchOptions options, Func<Uri, Task<int>> openClients)
    {
        var failures = new List<string>();
        var records = new List<SessionRecord>(options.HeartbeatSessions);
        int closed = 0;
        TimeSpan interval = TimeSpan.FromSeconds(options.PingInterval);
        TimeSpan timeout = TimeSpan.FromSeconds(options.PingTimeout);

        // Only timestamps in the handlers: each Stopwatch read is a few tens of nanoseconds.
        void OnConnection(EngineSocket socket)
        {
            var record = new SessionRecord(Stopwatch.GetTimestamp(), RequestStart.Value);
            lock (records)
            {
                records.Add(record);
            }

            socket.PacketCreated += (_, packet) =>
            {
                if (packet.Type == EnginePacketType.Ping)
                {
                    long now = Stopwatch.GetTimestamp();
                    if (Interlocked.Increment(ref record.Pings) == 1)
                    {
                        Volatile.Write(ref record.Ping, now);
                    }
                }
            };
            socket.Closed += (_, reason, _) =>
            {
                Volatile.Write(ref record.Close, Stopwatch.GetTimestamp());
                record.Reason = reason;
                Interlocked.Increment(ref closed);
                Diagnostics.Instance.CountClose(reason);
            };
        }

        await using BenchServer server = await BenchServer.StartAsync(ServerKind.EngineIo, o =>
        {
            o.PingInterval = interval;
            o.PingTimeout = timeout;
        }, onEngineConnection: OnConnection, configureApp: app => app.Use((context, next) =>
        {
            // The handshake runs inside this request, so its connection handler sees the value.
            RequestStart.Value = Stopwatch.GetTimestamp();
            return next(context);
        })).ConfigureAwait(false);

        Diagnostics.Snapshot eventsBefore = Diagnostics.Instance.Take();
        TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        int opened = await openClients(server.Uri).ConfigureAwait(false);
        TimeSpan cpuOpened = Environment.CpuUsage.TotalTime;
        long openedAt = Stopwatch.GetTimestamp();

        // Every session the clients opened must end by a ping timeout; wait for the last one.
        long deadline = openedAt + (long)(CloseWait(options).TotalSeconds * Stopwatch.Frequency);
        int sessions;
        while (true)
        {
            lock (records)
            {
                sessions = records.Count;
            }

            if (sessions >= opened && Volatile.Read(ref closed) >= sessions)
            {
                break;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                failures.Add($"{sessions - Volatile.Read(ref closed)} of {sessions} sessions still open {CloseWait(options).TotalSeconds:F0} s after the clients finished opening (the clients opened {opened})");
                break;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        TimeSpan cpuEnd = Environment.CpuUsage.TotalTime;
        long end = Stopwatch.GetTimestamp();
        Events events = Diagnostics.Instance.Take().Since(eventsBefore);

        SessionRecord[] all;
        lock (records)
        {
            all = records.ToArray();
        }

        double intervalMs = interval.TotalMilliseconds;
        double timeoutMs = timeout.TotalMilliseconds;
        var pings = new List<double>(all.Length);
        var closes = new List<double>(all.Length);
        var handlerDelays = new List<double>(all.Length);
        var earlySessions = new List<string>();
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        int withoutPing = 0, morePings = 0, leftOpen = 0, pingsEarlyAgainstRequest = 0, closesEarlyAgainstRequest = 0;
        foreach (SessionRecord record in all)
        {
            long ping = Volatile.Read(ref record.Ping);
            long close = Volatile.Read(ref record.Close);
            double handlerDelay = Ms(record.RequestStart, record.Open);
            handlerDelays.Add(handlerDelay);
            double pingLate = ping == 0 ? double.NaN : Ms(record.Open, ping) - intervalMs;
            double closeLate = close == 0 || record.Reason != "ping timeout" ? double.NaN : Ms(record.Open, close) - intervalMs - timeoutMs;
            if (pingLate < 0 || closeLate < 0)
            {
                earlySessions.Add($"ping {pingLate:F3} / close {closeLate:F3}; against the request start {pingLate + handlerDelay:F3} / {closeLate + handlerDelay:F3}; handler delay {handlerDelay:F3}");
            }

            pingsEarlyAgainstRequest += pingLate + handlerDelay < 0 ? 1 : 0;
            closesEarlyAgainstRequest += closeLate + handlerDelay < 0 ? 1 : 0;
            if (ping != 0)
            {
                pings.Add(pingLate);
            }
            else
            {
                withoutPing++;
            }

            if (record.Pings > 1)
            {
                morePings++;
            }

            if (close == 0)
            {
                leftOpen++;
                continue;
            }

            string reason = record.Reason ?? "?";
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            if (reason == "ping timeout")
            {
                closes.Add(closeLate);
            }
        }

        if (all.Length != opened)
        {
            failures.Add($"the server opened {all.Length} sessions, the clients {opened}");
        }

        if (withoutPing > 0)
        {
            failures.Add($"{withoutPing} sessions got no ping");
        }

        if (morePings > 0)
        {
            failures.Add($"{morePings} sessions got more than one ping (the timeout should have closed them first)");
        }

        int otherCloses = reasons.Where(r => r.Key != "ping timeout").Sum(r => r.Value);
        if (otherCloses > 0)
        {
            failures.Add($"{otherCloses} sessions closed for another reason than a ping timeout");
        }

        LatenessStats pingStats = LatenessStats.Of(pings);
        LatenessStats closeStats = LatenessStats.Of(closes);
        // Early against onConnection alone can be the handler's own delay (the session's clock starts
        // just before it runs); early against the request's start is early whatever that delay.
        if (pingsEarlyAgainstRequest > 0)
        {
            failures.Add($"{pingsEarlyAgainstRequest} pings went out before pingInterval had passed since the handshake request came in");
        }

        if (closesEarlyAgainstRequest > 0)
        {
            failures.Add($"{closesEarlyAgainstRequest} sessions closed before pingInterval + pingTimeout had passed since the handshake request came in");
        }

        return new HeartbeatServerResult
        {
            PingIntervalMs = (int)intervalMs,
            PingTimeoutMs = (int)timeoutMs,
            Sessions = all.Length,
            Pings = pingStats,
            Closes = closeStats,
            PingsEarlyAgainstRequest = pingsEarlyAgainstRequest,
            ClosesEarlyAgainstRequest = closesEarlyAgainstRequest,
            HandlerDelay = LatenessStats.Of(handlerDelays),
            EarlySessions = earlySessions.Take(10).ToList(),
            SessionsWithoutPing = withoutPing,
            SessionsWithMorePings = morePings,
            SessionsLeftOpen = leftOpen,
            CloseReasons = reasons,
            OpenSpanSeconds = all.Length == 0 ? 0 : Ms(all.Min(r => r.Open), all.Max(r => r.Open)) / 1000,
            OpeningCpuSeconds = (cpuOpened - cpuStart).TotalSeconds,
            OpeningSeconds = Stopwatch.GetElapsedTime(start, openedAt).TotalSeconds,
            HeartbeatCpuSeconds = (cpuEnd - cpuOpened).TotalSeconds,
            HeartbeatSeconds = Stopwatch.GetElapsedTime(openedAt, end).TotalSeconds,
            Failures = failures.Count,
            FailureTexts = failures,
            Events = events,
            Machine = Machine.Describe(),
        };

        static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>
    /// Runs the clients: opens N sessions (16 handshakes at a time), calls <paramref name="onOpened"/>
    /// with how many opened, then waits (bounded) until the server has closed every one. The clients
    /// read every frame but never answer a ping, and answer the server's close frame.
    /// </summary>
    public static async Task<HeartbeatClientResult> RunClientsAsync(Uri uri, BenchOptions options, Action<int> onOpened)
    {
        int count = options.HeartbeatSessions;
        var clients = new List<Client>(count);
        var connectFailures = new Dictionary<string, int>(StringComparer.Ordinal);
        TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        double connectSeconds;
        try
        {
            using var gate = new SemaphoreSlim(ConnectParallelism);
            var opening = new List<Task>(count);
            for (int i = 0; i < count; i++)
            {
                await gate.WaitAsync().ConfigureAwait(false);
                opening.Add(OpenOneAsync());
            }

            await Task.WhenAll(opening).ConfigureAwait(false);
            connectSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

            async Task OpenOneAsync()
            {
                var client = new Client();
                try
                {
                    using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    await client.OpenAsync(uri, connectTimeout.Token).ConfigureAwait(false);
                    lock (clients)
                    {
                        clients.Add(client);
                    }

                    client.Loop = Task.Run(client.ReadAsync);
                }
                catch (Exception ex)
                {
                    client.WebSocket.Abort();
                    client.WebSocket.Dispose();
                    lock (clients)
                    {
                        string key = $"{ex.GetType().Name}: {ex.Message}";
                        connectFailures[key] = connectFailures.GetValueOrDefault(key) + 1;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        finally
        {
            onOpened(clients.Count);
        }

        // Wait for the server to close every session (each client's read loop ends with the close).
        int notClosed = 0;
        Task all = Task.WhenAll(clients.Select(c => c.Loop));
        try
        {
            await all.WaitAsync(CloseWait(options)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            notClosed = clients.Count(c => !c.Loop.IsCompleted);
            foreach (Client client in clients)
            {
                client.WebSocket.Abort();
            }

            await all.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        TimeSpan cpuEnd = Environment.CpuUsage.TotalTime;
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ends = new Dictionary<string, int>(StringComparer.Ordinal);
        var pings = new Dictionary<int, int>();
        foreach (Client client in clients)
        {
            string end = client.End ?? "no end";
            ends[end] = ends.GetValueOrDefault(end) + 1;
            pings[client.Pings] = pings.GetValueOrDefault(client.Pings) + 1;
            client.WebSocket.Dispose();
        }

        return new HeartbeatClientResult
        {
            Requested = count,
            Opened = clients.Count,
            ConnectSeconds = connectSeconds,
            ConnectFailures = connectFailures,
            PingsPerClient = pings,
            Ends = ends,
            UnexpectedFrames = clients.Sum(c => c.Unexpected),
            NotClosed = notClosed,
            CpuSeconds = (cpuEnd - cpuStart).TotalSeconds,
            WallSeconds = wall,
        };
    }

    /// <summary>
    /// Runs both sides in this process (<c>--in-process</c>). Each connection then costs two file
    /// descriptors in one process, so N is bounded by half the descriptor limit.
    /// </summary>
    public static async Task<HeartbeatResult> RunInProcessAsync(BenchOptions options)
    {
        Task<HeartbeatClientResult>? clients = null;
        HeartbeatServerResult server = await RunServerAsync(options, async uri =>
        {
            var opened = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            clients = RunClientsAsync(uri, options, n => opened.TrySetResult(n));
            await Task.WhenAny(opened.Task, clients).ConfigureAwait(false);
            return opened.Task.IsCompleted ? opened.Task.Result : 0;
        }).ConfigureAwait(false);
        HeartbeatClientResult clientResult = await clients!.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return new HeartbeatResult { Server = server, Clients = clientResult, InProcess = true };
    }

    /// <summary>A client that reads everything and answers nothing but the close frame.</summary>
    private sealed class Client
    {
        private byte[] _buffer = new byte[256];

        public ClientWebSocket WebSocket { get; } = CreateWebSocket();

        public Task Loop { get; set; } = Task.CompletedTask;

        public int Pings;
        public int Unexpected;
        public string? End;

        private static ClientWebSocket CreateWebSocket()
        {
            var webSocket = new ClientWebSocket();
            webSocket.Options.KeepAliveInterval = TimeSpan.Zero;
            return webSocket;
        }

        public async Task OpenAsync(Uri uri, CancellationToken cancellationToken)
        {
            await WebSocket.ConnectAsync(uri, Invoker, cancellationToken).ConfigureAwait(false);
            (WebSocketMessageType type, int length) = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (type == WebSocketMessageType.Close || length == 0 || _buffer[0] != (byte)'0')
            {
                throw new InvalidOperationException("Expected an open packet.");
            }
        }

        public async Task ReadAsync()
        {
            try
            {
                while (true)
                {
                    (WebSocketMessageType type, int length) = await ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                    if (type == WebSocketMessageType.Close)
                    {
                        End = $"close frame {(int?)WebSocket.CloseStatus} '{WebSocket.CloseStatusDescription}'";
                        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await WebSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closeTimeout.Token).ConfigureAwait(false);
                        return;
                    }

                    if (length == 1 && _buffer[0] == (byte)'2')
                    {
                        Pings++; // and no pong
                    }
                    else
                    {
                        Unexpected++;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                End ??= $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        private async ValueTask<(WebSocketMessageType Type, int Length)> ReceiveAsync(CancellationToken cancellationToken)
        {
            int length = 0;
            while (true)
            {
                if (length == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                ValueWebSocketReceiveResult result = await WebSocket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                length += result.Count;
                if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
                {
                    return (result.MessageType, length);
                }
            }
        }
    }
}
