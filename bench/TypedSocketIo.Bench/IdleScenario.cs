using System.Diagnostics;

namespace TypedSocketIo.Bench;

/// <summary>The result of one idle run: N connections of one kind, opened and left idle.</summary>
internal sealed record IdleResult
{
    public required string Scenario { get; init; }
    public required int Connections { get; init; }
    public required int Opened { get; init; }
    public required int ServerConnections { get; init; }
    public required long HeapDeltaBytes { get; init; }
    public required long WorkingSetDeltaBytes { get; init; }
    public required double HeapBytesPerConnection { get; init; }
    public required double WorkingSetBytesPerConnection { get; init; }
    /// <summary>Process CPU while the connections sit idle, in percent of one core.</summary>
    public required double IdleCpuPercent { get; init; }
    public required double ConnectSeconds { get; init; }
    public required double CloseSeconds { get; init; }
    public required int LeftOpenAfterClose { get; init; }
    public required List<string> Failures { get; init; }
    public required Events OpenEvents { get; init; }
    public required Events CloseEvents { get; init; }
    public required string Machine { get; init; }
}

/// <summary>
/// Opens N idle WebSocket connections to one of the servers and measures the process's managed
/// heap and working set before and after, each after a full compacting collection. The clients live
/// in the same process, so each kind is measured in a fresh process and the raw run is the baseline.
/// </summary>
internal static class IdleScenario
{
    private const int ConnectParallelism = 16;
    private const int CloseParallelism = 64;
    private static readonly TimeSpan IdleCpuWindow = TimeSpan.FromSeconds(2);

    public static async Task<IdleResult> RunAsync(ServerKind kind, BenchOptions options)
    {
        string name = kind == ServerKind.EngineIo ? "idle-engine" : "idle-raw";
        var failures = new List<string>();
        // Heartbeats would not change the memory of a session (its timer entry exists either way),
        // but idle clients do not read, so a long interval keeps them from timing out if N is large.
        // The raw baseline waits with a zero-byte read, holding no buffer while idle as Engine.IO's
        // transport does, so the difference between the two is the cost of an Engine.IO session.
        await using BenchServer server = await BenchServer.StartAsync(kind, o =>
        {
            o.PingInterval = TimeSpan.FromMinutes(10);
            o.PingTimeout = TimeSpan.FromMinutes(1);
        }, rawBufferWhileIdle: false).ConfigureAwait(false);

        // Warm up: JIT, pools, the client handler.
        var warm = await OpenAsync(server, Math.Min(32, options.Connections), options, failures).ConfigureAwait(false);
        await CloseAllAsync(warm).ConfigureAwait(false);
        if (!await server.WaitForOpenConnectionsAsync(0, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            failures.Add($"warm-up: {server.OpenConnections} server connections still open 10 s after close");
        }

        Machine.FullCollect();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Machine.WorkingSet();
        Diagnostics.Snapshot eventsBefore = Diagnostics.Instance.Take();

        long start = Stopwatch.GetTimestamp();
        List<BenchClient> clients = await OpenAsync(server, options.Connections, options, failures).ConfigureAwait(false);
        double connectSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (!await server.WaitForOpenConnectionsAsync(clients.Count, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            failures.Add($"the server counts {server.OpenConnections} open connections, the clients {clients.Count}");
        }

        await Task.Delay(500).ConfigureAwait(false); // let the accept paths settle
        Machine.FullCollect();
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAfter = Machine.WorkingSet();
        int serverConnections = server.OpenConnections;
        int stillOpen = clients.Count(c => c.State == System.Net.WebSockets.WebSocketState.Open);
        if (stillOpen != clients.Count)
        {
            failures.Add($"{clients.Count - stillOpen} client connections closed while idle");
        }

        // CPU while idle (timers, heartbeat bookkeeping).
        TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
        long idleStart = Stopwatch.GetTimestamp();
        await Task.Delay(IdleCpuWindow).ConfigureAwait(false);
        double idleCpuPercent = 100 * (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds / Stopwatch.GetElapsedTime(idleStart).TotalSeconds;
        Diagnostics.Snapshot eventsOpen = Diagnostics.Instance.Take();

        start = Stopwatch.GetTimestamp();
        await CloseAllAsync(clients).ConfigureAwait(false);
        bool closed = await server.WaitForOpenConnectionsAsync(0, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        double closeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int leftOpen = server.OpenConnections;
        if (!closed)
        {
            failures.Add($"{leftOpen} server connections still open 15 s after the clients closed");
        }

        Machine.FullCollect();
        Diagnostics.Snapshot eventsClose = Diagnostics.Instance.Take();
        foreach (string failure in clients.Select(c => c.Failure).OfType<string>().Distinct().Take(5))
        {
            failures.Add("client: " + failure);
        }

        int opened = clients.Count;
        double n = Math.Max(opened, 1);
        return new IdleResult
        {
            Scenario = name,
            Connections = options.Connections,
            Opened = opened,
            ServerConnections = serverConnections,
            HeapDeltaBytes = heapAfter - heapBefore,
            WorkingSetDeltaBytes = workingSetAfter - workingSetBefore,
            HeapBytesPerConnection = (heapAfter - heapBefore) / n,
            WorkingSetBytesPerConnection = (workingSetAfter - workingSetBefore) / n,
            IdleCpuPercent = idleCpuPercent,
            ConnectSeconds = connectSeconds,
            CloseSeconds = closeSeconds,
            LeftOpenAfterClose = leftOpen,
            Failures = failures,
            OpenEvents = eventsOpen.Since(eventsBefore),
            CloseEvents = eventsClose.Since(eventsOpen),
            Machine = Machine.Describe(),
        };
    }

    /// <summary>Opens <paramref name="count"/> connections, a few at a time, each bounded; returns those that opened.</summary>
    private static async Task<List<BenchClient>> OpenAsync(BenchServer server, int count, BenchOptions options, List<string> failures)
    {
        var opened = new List<BenchClient>(count);
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        using var gate = new SemaphoreSlim(ConnectParallelism);
        var tasks = new Task[count];
        for (int i = 0; i < count; i++)
        {
            await gate.WaitAsync().ConfigureAwait(false);
            tasks[i] = OpenOneAsync();
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        foreach ((string error, int times) in errors)
        {
            failures.Add($"connect failed {times}×: {error}");
        }

        return opened;

        async Task OpenOneAsync()
        {
            var client = new BenchClient(messageSize: 0); // idle clients send nothing
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await client.ConnectAsync(server.Uri, timeout.Token).ConfigureAwait(false);
                lock (opened)
                {
                    opened.Add(client);
                }
            }
            catch (Exception ex)
            {
                client.Abort();
                client.Dispose();
                lock (opened)
                {
                    string key = $"{ex.GetType().Name}: {ex.Message}";
                    errors[key] = errors.GetValueOrDefault(key) + 1;
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private static async Task CloseAllAsync(List<BenchClient> clients)
    {
        using var gate = new SemaphoreSlim(CloseParallelism);
        await Task.WhenAll(clients.Select(async client =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                await client.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        foreach (BenchClient client in clients)
        {
            client.Dispose();
        }
    }
}
