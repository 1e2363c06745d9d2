using System.Globalization;
using System.Text;

namespace TypedSocketIo.Bench;

/// <summary>Prints the results as tables on stdout.</summary>
internal static class Report
{
    public static void Print(RoundTripResult? roundTrip, List<IdleResult> idle, List<HeartbeatResult> heartbeats, BenchOptions options)
    {
        List<EchoResult> echo = roundTrip?.Results ?? [];
        if (roundTrip is not null)
        {
            PrintEcho(roundTrip, options);
        }

        if (idle.Count > 0)
        {
            PrintIdle(idle, options);
        }

        foreach (HeartbeatResult heartbeat in heartbeats)
        {
            PrintHeartbeat(heartbeat);
        }

        PrintEvents(roundTrip, idle);
    }

    private static void PrintEcho(RoundTripResult roundTrip, BenchOptions options)
    {
        List<EchoResult> results = roundTrip.Results;
        Console.WriteLine($"Round trips: {options.Clients} clients per server, each doing sequential request/response of {options.MessageSize} B of data; " +
            "clients and server in one process (CPU and allocations count both sides)" +
            (results.Any(r => r.Scenario.StartsWith("sio", StringComparison.Ordinal))
                ? $"; sio frames carry the event name and ack id too: 42<id>[\"echo\",\"<data>\"] → 43<id>[\"<data>\"], event frame {options.MessageSize + 13} B and ack frame {options.MessageSize + 6} B plus the id's digits (echo and raw frames: {options.MessageSize + 1} B)"
                : ""));
        var table = new Table("scenario", "rt/s", "slices min–max rt/s", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs", "alloc B/rt", "CPU µs/rt", "CPU cores", "GCs 0/1/2", "GC pause ms", "errors");
        foreach (EchoResult r in results)
        {
            long errors = r.Mismatches + r.UnexpectedFrames + r.Failures.Count;
            string spread = r.SliceRoundTripsPerSecond.Count == 0 ? "-" : $"{F0(r.SliceRoundTripsPerSecond.Min())}–{F0(r.SliceRoundTripsPerSecond.Max())}";
            table.Add(r.Scenario, F0(r.RoundTripsPerSecond), spread, F0(r.P50Us), F0(r.P90Us), F0(r.P99Us), F0(r.P999Us), F0(r.MaxUs),
                F0(r.AllocatedBytesPerRoundTrip), F1(r.CpuUsPerRoundTrip), F2(r.CpuCores), $"{r.Gen0}/{r.Gen1}/{r.Gen2}", F1(r.GcPauseMs),
                errors.ToString(CultureInfo.InvariantCulture));
        }

        foreach (PairRatios pair in roundTrip.Pairs)
        {
            EchoResult a = results.Find(r => r.Scenario == pair.A)!;
            EchoResult b = results.Find(r => r.Scenario == pair.B)!;
            table.Add($"{pair.A}/{pair.B}", Ratio(a.RoundTripsPerSecond, b.RoundTripsPerSecond), "", Ratio(a.P50Us, b.P50Us), Ratio(a.P90Us, b.P90Us),
                Ratio(a.P99Us, b.P99Us), Ratio(a.P999Us, b.P999Us), "", Signed(a.AllocatedBytesPerRoundTrip - b.AllocatedBytesPerRoundTrip),
                Ratio(a.CpuUsPerRoundTrip, b.CpuUsPerRoundTrip), "", "", "", "");
        }

        table.Print();
        foreach (PairRatios pair in roundTrip.Pairs)
        {
            EchoResult a = results.Find(r => r.Scenario == pair.A)!;
            EchoResult b = results.Find(r => r.Scenario == pair.B)!;
            string name = $"{pair.A}/{pair.B}";
            Console.WriteLine($"{name} throughput ratio {a.RoundTripsPerSecond / b.RoundTripsPerSecond:F3} over the whole measurement; " +
                $"per slice pair median {Median(pair.Throughput):F3} (range {pair.Throughput.Min():F2}–{pair.Throughput.Max():F2}).");
            Console.WriteLine($"{name} CPU per round trip {a.CpuUsPerRoundTrip / b.CpuUsPerRoundTrip:F3} " +
                $"(per slice pair median {Median(pair.Cpu):F3}); {Layer(pair.A, pair.B)} adds {Signed(a.CpuUsPerRoundTrip - b.CpuUsPerRoundTrip, "F1")} µs CPU " +
                $"and {Signed(a.AllocatedBytesPerRoundTrip - b.AllocatedBytesPerRoundTrip)} B allocated per round trip.");
        }

        Console.WriteLine();
    }

    /// <summary>What scenario A has on top of scenario B, in words.</summary>
    private static string Layer(string a, string b) => (a, b) switch
    {
        ("echo", "raw") => "Engine.IO",
        ("sio", "raw") => "Socket.IO (with Engine.IO)",
        ("sio", "echo") => "the Socket.IO layer",
        ("sio-ackraw", "raw") => "Socket.IO with AckRaw (with Engine.IO)",
        ("sio-ackraw", "echo") => "the Socket.IO layer with AckRaw",
        ("sio-ackraw", "sio") => "AckRaw instead of Ack",
        _ => a,
    };

    private static double Median(List<double> values) => EchoScenario.Median(values);

    private static void PrintIdle(List<IdleResult> results, BenchOptions options)
    {
        Console.WriteLine($"Idle connections: {options.Connections} WebSockets opened and left idle{(options.InProcess ? "" : ", each kind in a fresh process")}, " +
            "measured after a full compacting GC; the clients live in the same process, so compare with idle-raw");
        var table = new Table("scenario", "opened", "heap B/conn", "working set B/conn", "heap Δ MB", "working set Δ MB", "idle CPU %", "connect s", "close s", "left open");
        foreach (IdleResult r in results)
        {
            table.Add(r.Scenario, r.Opened.ToString(CultureInfo.InvariantCulture), F0(r.HeapBytesPerConnection), F0(r.WorkingSetBytesPerConnection),
                F1(r.HeapDeltaBytes / 1048576.0), F1(r.WorkingSetDeltaBytes / 1048576.0), F2(r.IdleCpuPercent), F2(r.ConnectSeconds), F2(r.CloseSeconds),
                r.LeftOpenAfterClose.ToString(CultureInfo.InvariantCulture));
        }

        IdleResult? engine = results.LastOrDefault(r => r.Scenario == "idle-engine");
        IdleResult? raw = results.LastOrDefault(r => r.Scenario == "idle-raw");
        if (engine is not null && raw is not null)
        {
            table.Add("engine − raw", "", Signed(engine.HeapBytesPerConnection - raw.HeapBytesPerConnection),
                Signed(engine.WorkingSetBytesPerConnection - raw.WorkingSetBytesPerConnection), "", "", "", "", "", "");
        }

        table.Print();
        if (engine is not null && raw is not null)
        {
            Console.WriteLine($"Engine.IO session cost over a plain WebSocket: {engine.HeapBytesPerConnection - raw.HeapBytesPerConnection:+0;-0} B managed heap, " +
                $"{engine.WorkingSetBytesPerConnection - raw.WorkingSetBytesPerConnection:+0;-0} B working set per connection " +
                "(both hold no receive buffer while idle; the usual sample code that keeps a 4 KB buffer per connection would cost ~4.1 KB more than idle-raw)");
        }

        Console.WriteLine();
    }

    private static void PrintHeartbeat(HeartbeatResult result)
    {
        HeartbeatServerResult server = result.Server;
        HeartbeatClientResult clients = result.Clients;
        Console.WriteLine($"Heartbeat precision: {clients.Requested} Engine.IO WebSocket sessions, pingInterval {server.PingIntervalMs} ms, pingTimeout {server.PingTimeoutMs} ms; " +
            "the clients read everything but never answer a ping. Server-side times: the connection handler, the ping's PacketCreated, Closed. " +
            "ping lateness = ping − (open + pingInterval); close lateness = close − (open + pingInterval + pingTimeout)");
        var table = new Table("what", "count", "min ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms", "early");
        foreach ((string name, LatenessStats stats) in new[] { ("ping lateness", server.Pings), ("close lateness", server.Closes) })
        {
            table.Add(name, stats.Count.ToString(CultureInfo.InvariantCulture), F3(stats.MinMs), F3(stats.P50Ms), F3(stats.P90Ms), F3(stats.P99Ms),
                F3(stats.MaxMs), F3(stats.MeanMs), stats.Early.ToString(CultureInfo.InvariantCulture));
        }

        LatenessStats delay = server.HandlerDelay;
        table.Add("handler delay", delay.Count.ToString(CultureInfo.InvariantCulture), F3(delay.MinMs), F3(delay.P50Ms), F3(delay.P90Ms), F3(delay.P99Ms), F3(delay.MaxMs), F3(delay.MeanMs), "");
        table.Print();
        Console.WriteLine("(handler delay = onConnection − the handshake request's entry into the endpoint: the server starts the session's clock in between)");
        Console.WriteLine($"Early against the request's entry (early whatever the handler's delay; must be 0): pings {server.PingsEarlyAgainstRequest}, closes {server.ClosesEarlyAgainstRequest}");
        foreach (string early in server.EarlySessions)
        {
            Console.WriteLine($"  early against onConnection: {early} ms");
        }

        string where = result.InProcess ? "server and clients in this process" : "the server in a child process, the clients in this one";
        Console.WriteLine($"Sessions: the clients opened {clients.Opened} of {clients.Requested} in {F2(clients.ConnectSeconds)} s ({F0(clients.Opened / Math.Max(clients.ConnectSeconds, 1e-9))}/s, 16 handshakes at a time); " +
            $"the server saw {server.Sessions} (first to last open {F2(server.OpenSpanSeconds)} s); {where}.");
        Console.WriteLine($"Server process CPU: while opening {F2(server.OpeningCpuSeconds)} s over {F2(server.OpeningSeconds)} s ({F2(server.OpeningCpuSeconds / Math.Max(server.OpeningSeconds, 1e-9))} cores); " +
            $"from then to the last close {F2(server.HeartbeatCpuSeconds)} s over {F2(server.HeartbeatSeconds)} s ({F2(server.HeartbeatCpuSeconds / Math.Max(server.HeartbeatSeconds, 1e-9))} cores)" +
            (result.InProcess ? " (clients included)" : $"; client process CPU {F2(clients.CpuSeconds)} s over {F2(clients.WallSeconds)} s"));
        Console.WriteLine($"Server closes: {string.Join(", ", server.CloseReasons.Select(p => $"'{p.Key}'×{p.Value}"))}; sessions without a ping {server.SessionsWithoutPing}, " +
            $"with more than one ping {server.SessionsWithMorePings}, left open {server.SessionsLeftOpen}");
        Console.WriteLine($"Clients: pings received per client {string.Join(", ", clients.PingsPerClient.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}; " +
            $"ends {string.Join(", ", clients.Ends.Select(p => $"{p.Key} ×{p.Value}"))}; unexpected frames {clients.UnexpectedFrames}; not closed in time {clients.NotClosed}" +
            (clients.ConnectFailures.Count == 0 ? "" : "; connect failures " + string.Join(", ", clients.ConnectFailures.Select(p => $"{p.Key} ×{p.Value}"))));
        Console.WriteLine($"Server events: {server.Events.Describe()}");
        foreach (string failure in server.FailureTexts)
        {
            Console.WriteLine($"  heartbeat: FAILURE {failure}");
        }

        Console.WriteLine();
    }

    private static string F3(double value) => double.IsNaN(value) ? "-" : value.ToString("F3", CultureInfo.InvariantCulture);

    private static void PrintEvents(RoundTripResult? roundTrip, List<IdleResult> idle)
    {
        Console.WriteLine("Events (exceptions counted first-chance, caught or not):");
        foreach (EchoResult r in roundTrip?.Results ?? [])
        {
            Console.WriteLine($"  {r.Scenario}: during its measured slices: {r.MeasuredEvents.Describe()}");
            if (r.FirstFrame is { } first)
            {
                Console.WriteLine($"  {r.Scenario}: first frame from the server: {first}");
            }

            if (r.AllocationCounterJumps > 0)
            {
                Console.WriteLine($"  {r.Scenario}: the allocation counter jumped in {r.AllocationCounterJumps} of {r.SliceAllocatedBytes.Count} slices " +
                    $"(whole measurement {F0(r.AllocatedBytesPerRoundTripTotal)} B/rt; slice deltas {string.Join(" ", r.SliceAllocatedBytes.Select(b => (b / 1048576.0).ToString("F0", CultureInfo.InvariantCulture)))} MB): " +
                    "a DATAS heap-count change (GC.GetTotalAllocatedBytes counts only the active heaps, dotnet/runtime#131069); alloc B/rt is the median of the slices");
            }

            if (r.AllocationTypes is { } types)
            {
                Console.WriteLine($"  {r.Scenario}: allocated types (sampled): {string.Join(", ", types)}");
            }

            if (r.Mismatches + r.UnexpectedFrames + r.PingsAnswered > 0)
            {
                Console.WriteLine($"  {r.Scenario}: mismatched echoes {r.Mismatches}, unexpected frames {r.UnexpectedFrames}, pings answered {r.PingsAnswered}");
            }

            foreach (string failure in r.Failures)
            {
                Console.WriteLine($"  {r.Scenario}: FAILURE {failure}");
            }
        }

        if (roundTrip is not null)
        {
            Console.WriteLine($"  round trips: while stopping and closing the clients: {roundTrip.ShutdownEvents.Describe()}");
            foreach (string failure in roundTrip.Failures)
            {
                Console.WriteLine($"  round trips: FAILURE {failure}");
            }
        }

        foreach (IdleResult r in idle)
        {
            Console.WriteLine($"  {r.Scenario}: while opening: {r.OpenEvents.Describe()}");
            Console.WriteLine($"  {r.Scenario}: while closing: {r.CloseEvents.Describe()}");
            foreach (string failure in r.Failures)
            {
                Console.WriteLine($"  {r.Scenario}: FAILURE {failure}");
            }
        }

        Console.WriteLine();
    }

    private static string F0(double value) => double.IsNaN(value) ? "-" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Signed(double value) => value.ToString("+#,0;-#,0;0", CultureInfo.InvariantCulture);

    private static string Signed(double value, string format) => (value >= 0 ? "+" : "") + value.ToString(format, CultureInfo.InvariantCulture);

    private static string Ratio(double a, double b) => b == 0 || double.IsNaN(a) || double.IsNaN(b) ? "-" : (a / b).ToString("F2", CultureInfo.InvariantCulture) + "×";

    /// <summary>A plain text table, first column left-aligned, the others right-aligned.</summary>
    private sealed class Table(params string[] header)
    {
        private readonly List<string[]> _rows = [header];

        public void Add(params string[] cells) => _rows.Add(cells);

        public void Print()
        {
            int columns = _rows.Max(r => r.Length);
            int[] widths = new int[columns];
            foreach (string[] row in _rows)
            {
                for (int i = 0; i < row.Length; i++)
                {
                    widths[i] = Math.Max(widths[i], row[i].Length);
                }
            }

            for (int r = 0; r < _rows.Count; r++)
            {
                var line = new StringBuilder();
                string[] row = _rows[r];
                for (int i = 0; i < row.Length; i++)
                {
                    line.Append(i == 0 ? row[i].PadRight(widths[i]) : "  " + row[i].PadLeft(widths[i]));
                }

                Console.WriteLine(line.ToString().TrimEnd());
                if (r == 0)
                {
                    Console.WriteLine(new string('-', widths.Sum() + (2 * (columns - 1))));
                }
            }
        }
    }
}
