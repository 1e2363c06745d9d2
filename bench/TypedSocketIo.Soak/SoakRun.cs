using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TypedSocketIo.Soak;

/// <summary>One row of the results: the server's sample and the load process's counters at that time.</summary>
internal sealed record Row(string Phase, ServerSample Server, double ServerCpuCores, int ClientsOpen, int SlowOpen, long Acks, double AckP50Ms,
    double AckP99Ms, LoadSnapshot Load, double LoadCpuSeconds);

/// <summary>The load process's counters at one time.</summary>
internal sealed record LoadSnapshot(long Connects, long ConnectFailures, long AckTimeouts, long AckMismatches, long Said, long FeedMessages,
    long UnexpectedEnds, long Churned, long SlowOpened, long SlowDropped, long SlowPingTimeouts, long NormalClosedByServer, long EchoesSent);

/// <summary>
/// The load side of the soak: starts the server process, keeps the connections open with traffic,
/// slow readers and churn for the duration, records every sample, then closes everything and writes
/// the CSV, the SVG and the summary.
/// </summary>
internal sealed class SoakRun
{
    private const int ConnectParallelism = 32;

    /// <summary>The first slow readers open over this many seconds of the load, so that they fill up at different times.</summary>
    private const double SlowRampSeconds = 20;
    private static readonly TimeSpan AckLimit = TimeSpan.FromSeconds(10);
    private static readonly byte[] EchoData = "soak-echo-0123456789abcdefghijkl"u8.ToArray();

    private readonly SoakOptions _options;
    private readonly LoadStats _stats = new();
    private readonly List<NormalClient> _clients = new();
    private readonly ConcurrentDictionary<string, NormalClient> _clientsBySid = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlowReader> _slow = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectGate = new(ConnectParallelism);
    private readonly List<Row> _rows = new();
    private readonly List<string> _failures = new();
    private readonly ConcurrentBag<Task> _background = new();
    private readonly Random _random = new(12345);
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _port;
    private volatile string _phase = "start";
    private volatile bool _stopping;
    private int _roomCounter;
    private double _loadStart, _loadEnd;
    private ServerSample? _previous;
    private StreamWriter _csv = StreamWriter.Null;
    private string _loadAverageAtStart = "";

    public SoakRun(SoakOptions options) => _options = options;

    private double Now => Stopwatch.GetElapsedTime(_started).TotalSeconds;

    public async Task<int> RunAsync()
    {
        _loadAverageAtStart = LoadAverage();
        Directory.CreateDirectory(_options.OutDirectory);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string basePath = Path.Combine(_options.OutDirectory, $"soak-{stamp}");
        Console.WriteLine($"TypedSocketIo.Soak — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC — {Machine()}");
        Console.WriteLine(Describe(_options));

        _csv = new StreamWriter(basePath + ".csv", append: false, new UTF8Encoding(false)) { AutoFlush = true };
        await _csv.WriteLineAsync(SoakReport.CsvHeader).ConfigureAwait(false);
        using Process server = StartServer();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finalSample = new TaskCompletionSource<ServerSample>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task reader = Task.Run(() => ReadServerAsync(server, ready, finalSample));
        int exitCode = 1;
        try
        {
            _port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            _phase = "open"; // the baseline sample came before the READY line

            // Open everything, then run the load for the duration.
            await OpenInitialAsync().ConfigureAwait(false);
            _phase = "load";
            _loadStart = Now;
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {_clients.Count} clients and {_slow.Count} slow readers open after {_loadStart:F1} s; load for {_options.Duration} s");
            await LoadAsync().ConfigureAwait(false);
            _loadEnd = Now;

            // Close everything and let the server come back to no sessions.
            _phase = "close";
            _stopping = true;
            await CloseAllAsync().ConfigureAwait(false);
            await WaitForServerIdleAsync().ConfigureAwait(false);
            _phase = "final";
            await server.StandardInput.WriteLineAsync("stop").ConfigureAwait(false);
            await server.StandardInput.FlushAsync().ConfigureAwait(false);
            await finalSample.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(exitTimeout.Token).ConfigureAwait(false);
            await reader.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (server.ExitCode != 0)
            {
                _failures.Add($"the server process exited with {server.ExitCode}");
            }

            exitCode = 0;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or InvalidOperationException or IOException)
        {
            _failures.Add($"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            foreach (SlowReader slow in _slow.Values)
            {
                slow.Dispose();
            }

            _csv.Dispose();
        }

        CheckTotals();
        string loadAverages = $"{_loadAverageAtStart} at the start, {LoadAverage()} at the end (other work on the machine shares its cores)";
        string summary = SoakReport.Summary(_options, _rows, _stats, _failures, _loadStart, _loadEnd, Machine(), loadAverages, stamp);
        await File.WriteAllTextAsync(basePath + "-summary.md", summary).ConfigureAwait(false);
        await File.WriteAllTextAsync(basePath + ".svg", SoakReport.Svg(_options, _rows, _loadStart, _loadEnd)).ConfigureAwait(false);
        Console.WriteLine(summary);
        Console.WriteLine($"wrote {basePath}.csv, {basePath}.svg and {basePath}-summary.md");
        return exitCode == 0 && _failures.Count == 0 ? 0 : 1;
    }

    private Process StartServer()
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("No process path."),
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(SoakRun).Assembly.Location);
        }

        foreach (string argument in _options.ServerArguments())
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the server process.");
    }

    private async Task ReadServerAsync(Process server, TaskCompletionSource<int> ready, TaskCompletionSource<ServerSample> finalSample)
    {
        while (await server.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(SoakServer.ReadyTag, StringComparison.Ordinal))
            {
                ready.TrySetResult(int.Parse(line.AsSpan(SoakServer.ReadyTag.Length), CultureInfo.InvariantCulture));
            }
            else if (line.StartsWith(SoakServer.SampleTag, StringComparison.Ordinal))
            {
                ServerSample sample = JsonSerializer.Deserialize<ServerSample>(line.AsSpan(SoakServer.SampleTag.Length), SoakServer.Json)!;
                await OnSampleAsync(sample).ConfigureAwait(false);
                if (_phase == "final")
                {
                    finalSample.TrySetResult(sample);
                }
            }
            else if (line.StartsWith(SoakServer.ClosedTag, StringComparison.Ordinal))
            {
                string rest = line[SoakServer.ClosedTag.Length..];
                int space = rest.IndexOf(' ', StringComparison.Ordinal);
                OnServerClosed(rest[..space], rest[(space + 1)..]);
            }
            else
            {
                Console.Error.WriteLine("  [server] " + line);
            }
        }

        ready.TrySetException(new InvalidOperationException("The server process ended before it was ready."));
        finalSample.TrySetException(new InvalidOperationException("The server process ended without a last sample."));
    }

    /// <summary>A session the server ended (not a client's own close): a slow reader is replaced; a normal client must never be dropped.</summary>
    private void OnServerClosed(string sid, string reason)
    {
        if (_slow.TryRemove(sid, out SlowReader? slow))
        {
            if (reason == "transport error: send buffer full")
            {
                Interlocked.Increment(ref _stats.SlowDropped);
            }
            else if (reason == "ping timeout")
            {
                Interlocked.Increment(ref _stats.SlowPingTimeouts);
            }
            else
            {
                Interlocked.Increment(ref _stats.SlowOtherCloses);
                _stats.CountEnd("slow reader closed by the server: " + reason);
            }

            slow.Dispose();
            if (!_stopping)
            {
                _background.Add(OpenSlowAsync());
            }
        }
        else if (_clientsBySid.ContainsKey(sid))
        {
            Interlocked.Increment(ref _stats.NormalClosedByServer);
            _stats.CountEnd("normal client closed by the server: " + reason);
        }
    }

    private async Task OnSampleAsync(ServerSample sample)
    {
        double cores = _previous is null ? 0 : (sample.CpuSeconds - _previous.CpuSeconds) / Math.Max(sample.T - _previous.T, 1e-9);
        _previous = sample;
        Bench.LatencyHistogram acks = _stats.TakeInterval();
        int clients;
        lock (_clients)
        {
            clients = _clients.Count;
        }

        var row = new Row(_phase, sample, cores, clients, _slow.Count, acks.Count, acks.Percentile(50) / 1000, acks.Percentile(99) / 1000,
            Snapshot(), Environment.CpuUsage.TotalTime.TotalSeconds);
        lock (_rows)
        {
            _rows.Add(row);
        }

        await _csv.WriteLineAsync(SoakReport.CsvLine(row)).ConfigureAwait(false);

        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {row.Phase} t={sample.T:F0}s sessions {sample.Sessions} heap {sample.HeapBytes / 1048576.0:F0} MB" +
            (sample.LiveHeapBytes >= 0 ? $" (live {sample.LiveHeapBytes / 1048576.0:F1})" : "") +
            $" ws {sample.WorkingSetBytes / 1048576.0:F0} MB fds {sample.Fds} threads {sample.Threads} cpu {cores:F2} dropped {sample.DroppedSendBufferFull} " +
            $"acks {acks.Count} p99 {acks.Percentile(99) / 1000:F1} ms timeouts {_stats.AckTimeouts} lost {_stats.UnexpectedEnds}");
    }

    private LoadSnapshot Snapshot() => new(
        Interlocked.Read(ref _stats.Connects), Interlocked.Read(ref _stats.ConnectFailures), Interlocked.Read(ref _stats.AckTimeouts),
        Interlocked.Read(ref _stats.AckMismatches), Interlocked.Read(ref _stats.Said), Interlocked.Read(ref _stats.FeedMessages),
        Interlocked.Read(ref _stats.UnexpectedEnds), Interlocked.Read(ref _stats.ChurnedGraceful) + Interlocked.Read(ref _stats.ChurnedAborted),
        Interlocked.Read(ref _stats.SlowOpened), Interlocked.Read(ref _stats.SlowDropped), Interlocked.Read(ref _stats.SlowPingTimeouts),
        Interlocked.Read(ref _stats.NormalClosedByServer), Interlocked.Read(ref _stats.EchoesSent));

    private async Task OpenInitialAsync()
    {
        // The slow readers come during the first seconds of the load (see LoadAsync), so that they do not all fill up at once.
        var tasks = new List<Task>();
        for (int i = 0; i < _options.NormalClients; i++)
        {
            tasks.Add(OpenNormalAsync(feed: i < _options.FeedReaders));
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120 + (_options.Connections / 20.0))).ConfigureAwait(false);
    }

    private async Task OpenNormalAsync(bool feed)
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        var client = new NormalClient(_stats, feed);
        try
        {
            int room = Interlocked.Increment(ref _roomCounter) % _options.Rooms;
            var uri = new Uri($"ws://127.0.0.1:{_port}/socket.io/?EIO=4&transport=websocket&room=room-{room}{(feed ? "&feed=1" : "")}");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await client.OpenAsync(uri, timeout.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _stats.Connects);
            client.Lost = OnLost;
            _clientsBySid[client.Sid] = client;
            lock (_clients)
            {
                _clients.Add(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or System.Net.WebSockets.WebSocketException or System.Net.Http.HttpRequestException or JsonException)
        {
            Interlocked.Increment(ref _stats.ConnectFailures);
            _stats.CountConnectError($"{ex.GetType().Name}: {ex.Message}");
            client.Abort();
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task OpenSlowAsync()
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            SlowReader slow = await SlowReader.OpenAsync(_port, "/socket.io/?EIO=4&transport=websocket&feed=1&slow=1", timeout.Token).ConfigureAwait(false);
            _slow[slow.Sid] = slow;
            Interlocked.Increment(ref _stats.SlowOpened);
            Interlocked.Increment(ref _stats.Connects);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or System.Net.Sockets.SocketException or JsonException)
        {
            Interlocked.Increment(ref _stats.ConnectFailures);
            _stats.CountConnectError($"slow reader: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>A normal client lost its connection without being closed on purpose: it is replaced.</summary>
    private void OnLost(NormalClient client, string end)
    {
        Remove(client);
        if (!_stopping)
        {
            _background.Add(OpenNormalAsync(client.Feed));
        }
    }

    private bool Remove(NormalClient client)
    {
        _clientsBySid.TryRemove(client.Sid, out _);
        lock (_clients)
        {
            int index = _clients.IndexOf(client);
            if (index < 0)
            {
                return false;
            }

            _clients[index] = _clients[^1];
            _clients.RemoveAt(_clients.Count - 1);
            return true;
        }
    }

    private NormalClient? Pick()
    {
        lock (_clients)
        {
            return _clients.Count == 0 ? null : _clients[_random.Next(_clients.Count)];
        }
    }

    /// <summary>The load: echoes with acks, room broadcasts and churn at their rates, for the duration.</summary>
    private async Task LoadAsync()
    {
        double echoBudget = 0, sayBudget = 0, churnBudget = 0, slowBudget = 0;
        int slowStarted = 0;
        double slowRate = _options.SlowReaders / SlowRampSeconds;
        long says = 0;
        long end = Stopwatch.GetTimestamp() + (long)(_options.Duration * Stopwatch.Frequency);
        long last = Stopwatch.GetTimestamp();
        long lastExpiry = last;
        bool gracefulNext = true;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Stopwatch.GetTimestamp() < end && await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            long now = Stopwatch.GetTimestamp();
            double dt = Math.Min(Stopwatch.GetElapsedTime(last, now).TotalSeconds, 1);
            last = now;
            echoBudget += _options.Events * dt;
            sayBudget += _options.Broadcasts * dt;
            churnBudget += _options.Churn * dt;
            slowBudget += slowRate * dt;
            for (; slowBudget >= 1 && slowStarted < _options.SlowReaders; slowBudget--, slowStarted++)
            {
                _background.Add(OpenSlowAsync());
            }

            for (; echoBudget >= 1; echoBudget--)
            {
                if (Pick() is { } client && client.TrySendEcho(EchoData))
                {
                    Interlocked.Increment(ref _stats.EchoesSent);
                }
            }

            for (; sayBudget >= 1; sayBudget--)
            {
                byte[] frame = Encoding.UTF8.GetBytes($"42[\"say\",\"hello {++says}\"]");
                if (Pick() is { } client && client.TrySay(frame))
                {
                    Interlocked.Increment(ref _stats.SaysSent);
                }
            }

            for (; churnBudget >= 1; churnBudget--)
            {
                // Feed readers stay (they show that readers in the feed room are never dropped).
                if (Pick() is { Feed: false } client && Remove(client))
                {
                    bool graceful = gracefulNext;
                    gracefulNext = !gracefulNext;
                    Interlocked.Increment(ref graceful ? ref _stats.ChurnedGraceful : ref _stats.ChurnedAborted);
                    _background.Add(client.CloseAsync(graceful));
                    _background.Add(OpenNormalAsync(feed: false));
                }
            }

            if (Stopwatch.GetElapsedTime(lastExpiry, now).TotalSeconds >= 1)
            {
                lastExpiry = now;
                NormalClient[] all;
                lock (_clients)
                {
                    all = _clients.ToArray();
                }

                foreach (NormalClient client in all)
                {
                    if (client.ExpireAck(AckLimit))
                    {
                        Interlocked.Increment(ref _stats.AckTimeouts);
                    }
                }
            }
        }
    }

    private async Task CloseAllAsync()
    {
        await Task.WhenAll(_background).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false); // opens and closes under way
        NormalClient[] all;
        lock (_clients)
        {
            all = _clients.ToArray();
            _clients.Clear();
        }

        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(all.Select(async client =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                await client.CloseAsync(graceful: true).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        foreach (string sid in _slow.Keys)
        {
            if (_slow.TryRemove(sid, out SlowReader? slow))
            {
                slow.Dispose();
            }
        }
    }

    /// <summary>Waits (bounded) for a sample in which the server has no session left.</summary>
    private async Task WaitForServerIdleAsync()
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            ServerSample? last;
            lock (_rows)
            {
                last = _rows.Count == 0 ? null : _rows[^1].Server;
            }

            if (last is not null && last.Sessions == 0 && _rows[^1].Phase == "close")
            {
                return;
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        _failures.Add("the server still had sessions 30 s after every client closed");
    }

    private void CheckTotals()
    {
        LoadSnapshot load = Snapshot();
        if (load.NormalClosedByServer > 0)
        {
            _failures.Add($"the server closed {load.NormalClosedByServer} normal clients (only slow readers may be dropped)");
        }

        if (load.AckTimeouts > 0)
        {
            _failures.Add($"{load.AckTimeouts} acks did not come within {AckLimit.TotalSeconds} s");
        }

        if (load.UnexpectedEnds > 0)
        {
            _failures.Add($"{load.UnexpectedEnds} normal clients lost their connection");
        }

        if (_options.SlowReaders > 0 && _options.Duration >= 60 && load.SlowDropped == 0)
        {
            _failures.Add("no slow reader was dropped for a full send buffer");
        }
    }

    /// <summary>The 1-minute load average (Linux), or "?".</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, " +
        $"{(System.Runtime.GCSettings.IsServerGC ? "Server" : "Workstation")} GC{(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? " (non-concurrent)" : " (concurrent)")}";

    public static string Describe(SoakOptions o) =>
        $"{o.Connections} connections ({o.NormalClients} clients, {o.SlowReaders} slow readers), {o.Duration} s of load, " +
        $"{o.Events} echoes with ack/s, {o.Broadcasts} room broadcasts/s over {o.Rooms} rooms, churn {o.Churn}/s, " +
        $"feed {o.FeedBytes} B × {o.FeedRate}/s to {o.FeedReaders} readers + the slow readers, MaxSendBufferSize {(o.MaxSendBufferSize is { } m ? m.ToString(CultureInfo.InvariantCulture) : "default (4 MB)")}, " +
        $"sample every {o.Sample} s, full GC every {o.FullGcEvery} s, warm-up {o.Warmup} s";
}
