using System.Diagnostics;

namespace TypedSocketIo.Bench;

/// <summary>The result of the round trips of one server: echo (Engine.IO), raw (plain WebSocket), sio or sio-ackraw (Socket.IO event with ack).</summary>
internal sealed record EchoResult
{
    public required string Scenario { get; init; }
    public required int Clients { get; init; }
    public required int MessageBytes { get; init; }
    public required double Seconds { get; init; }
    public required int Slices { get; init; }
    public required long RoundTrips { get; init; }
    public required double RoundTripsPerSecond { get; init; }
    public required double P50Us { get; init; }
    public required double P90Us { get; init; }
    public required double P99Us { get; init; }
    public required double P999Us { get; init; }
    public required double MaxUs { get; init; }
    /// <summary>
    /// Allocated bytes per round trip: the median over the slices of each slice's
    /// <c>GC.GetTotalAllocatedBytes</c> delta per round trip (see <see cref="AllocationCounterJumps"/>).
    /// </summary>
    public required double AllocatedBytesPerRoundTrip { get; init; }
    /// <summary>The whole measurement's allocated bytes over its round trips (wrong when the counter jumped).</summary>
    public required double AllocatedBytesPerRoundTripTotal { get; init; }
    /// <summary>Each slice's <c>GC.GetTotalAllocatedBytes</c> delta, in bytes (negative when the counter dropped).</summary>
    public required List<long> SliceAllocatedBytes { get; init; }
    /// <summary>
    /// Slices whose allocated bytes per round trip are more than 25 % off the median. Under DATAS
    /// (Server GC), <c>GC.GetTotalAllocatedBytes</c> sums only the heaps active at the moment, so it
    /// drops when a heap is decommissioned and jumps back when it returns (dotnet/runtime#131069),
    /// which corrupts the slice where that happens; the median of the slices is immune to it.
    /// </summary>
    public required int AllocationCounterJumps { get; init; }
    public required int Gen0 { get; init; }
    public required int Gen1 { get; init; }
    public required int Gen2 { get; init; }
    public required double GcPauseMs { get; init; }
    public required double CpuUsPerRoundTrip { get; init; }
    /// <summary>Process CPU time over wall time, in cores (2 = both cores of this machine busy).</summary>
    public required double CpuCores { get; init; }
    public required List<double> SliceRoundTripsPerSecond { get; init; }
    public required List<double> SliceCpuUsPerRoundTrip { get; init; }
    public required long Mismatches { get; init; }
    public required long UnexpectedFrames { get; init; }
    public required long PingsAnswered { get; init; }
    public required List<string> Failures { get; init; }
    public required Events MeasuredEvents { get; init; }
    /// <summary>The first frame the server sent to the first client (Engine.IO's open packet; for Socket.IO, then its CONNECT).</summary>
    public string? FirstFrame { get; init; }
    /// <summary>With --alloc-types: the most allocated types (sampled), client and server.</summary>
    public List<string>? AllocationTypes { get; init; }
}

/// <summary>A/B of two scenarios that ran interleaved, slice pair by slice pair.</summary>
internal sealed record PairRatios
{
    public required string A { get; init; }
    public required string B { get; init; }
    /// <summary>A/B throughput of each pair of slices (slice i of A and slice i of B, taken in the same round).</summary>
    public required List<double> Throughput { get; init; }
    /// <summary>A/B CPU per round trip of each pair of slices.</summary>
    public required List<double> Cpu { get; init; }
}

/// <summary>The round-trip scenarios of one run (any of echo, raw, sio, sio-ackraw, interleaved).</summary>
internal sealed record RoundTripResult
{
    public required List<EchoResult> Results { get; init; }
    /// <summary>The ratios of the pairs in <see cref="EchoScenario.Pairs"/> whose both sides ran.</summary>
    public required List<PairRatios> Pairs { get; init; }
    public required Events ShutdownEvents { get; init; }
    public required List<string> Failures { get; init; }
    public required string Machine { get; init; }
}

/// <summary>
/// C clients per server doing sequential request/response round trips. With several servers (echo,
/// raw, sio, sio-ackraw) in the run, each has its own Kestrel and clients in this process, and the
/// measurement is cut into slices that alternate between them (A B C C B A A B C …, only one server's
/// clients active at a time), so that other load on the machine falls on all alike.
/// </summary>
internal static class EchoScenario
{
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(5);

    /// <summary>The ratios reported when both scenarios of a pair ran: A/B.</summary>
    public static readonly (string A, string B)[] Pairs =
    [
        ("echo", "raw"),
        ("sio", "raw"),
        ("sio", "echo"),
        ("sio-ackraw", "raw"),
        ("sio-ackraw", "echo"),
        ("sio-ackraw", "sio"),
    ];

    private sealed class Group(ServerKind kind, BenchServer server, BenchClient[] clients)
    {
        public ServerKind Kind { get; } = kind;
        public string Name => Kind.Name();
        public BenchServer Server { get; } = server;
        public BenchClient[] Clients { get; } = clients;
        public Phase Phase { get; } = new();
        public Task[] Loops { get; set; } = [];
        public List<string> Failures { get; } = new();

        // Sums over the measured slices.
        public double Seconds;
        public long RoundTrips;
        public long Allocated;
        public int Gen0, Gen1, Gen2;
        public TimeSpan Cpu, GcPause;
        public Events Events = Events.Empty;
        public readonly List<double> SliceRates = new();
        public readonly List<double> SliceCpu = new();
        public readonly List<long> SliceAllocated = new();
        public readonly List<long> SliceRoundTrips = new();

        public long Recorded() => Clients.Sum(c => c.Histogram.Count);
    }

    public static async Task<RoundTripResult> RunAsync(IReadOnlyList<ServerKind> kinds, BenchOptions options)
    {
        var groups = new List<Group>();
        var failures = new List<string>();
        using AllocationSampler? sampler = options.AllocTypes ? new AllocationSampler() : null;
        using var runTimeout = new CancellationTokenSource(TimeSpan.FromSeconds((2 * (options.Warmup + options.Duration)) + 60));
        try
        {
            foreach (ServerKind kind in kinds)
            {
                BenchServer server = await BenchServer.StartAsync(kind).ConfigureAwait(false);
                var clients = new BenchClient[options.Clients];
                for (int i = 0; i < clients.Length; i++)
                {
                    clients[i] = new BenchClient(options.MessageSize, socketIo: kind.IsSocketIo());
                }

                var group = new Group(kind, server, clients);
                groups.Add(group);
                using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await Task.WhenAll(clients.Select(c => c.ConnectAsync(server.Uri, connectTimeout.Token, keepGreeting: true))).ConfigureAwait(false);
                group.Loops = clients.Select(c => Task.Run(() => c.RunAsync(group.Phase, runTimeout.Token))).ToArray();
            }

            // Warm-up: each server twice, alternating, W/2 seconds each time.
            for (int round = 0; round < 2; round++)
            {
                foreach (Group group in Order(groups, round))
                {
                    await RunSliceAsync(group, Phase.Warmup, options.Warmup / 2, measured: false).ConfigureAwait(false);
                }
            }

            Machine.FullCollect(); // the measurement does not pay for the warm-up's garbage
            sampler?.Enable();

            int slices = Math.Max(1, (int)Math.Round(options.Duration / options.Slice));
            double sliceSeconds = options.Duration / slices;
            for (int i = 0; i < slices; i++)
            {
                foreach (Group group in Order(groups, i))
                {
                    DateTime start = DateTime.UtcNow;
                    await RunSliceAsync(group, Phase.Measure, sliceSeconds, measured: true).ConfigureAwait(false);
                    sampler?.AddWindow(group.Name, start, DateTime.UtcNow);
                }
            }

            // Stop and close (bounded).
            Diagnostics.Snapshot beforeShutdown = Diagnostics.Instance.Take();
            foreach (Group group in groups)
            {
                group.Phase.Set(Phase.Stop);
                try
                {
                    await Task.WhenAll(group.Loops).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    group.Failures.Add("client loops did not stop within 10 s; aborted");
                    Array.ForEach(group.Clients, c => c.Abort());
                }

                await Task.WhenAll(group.Clients.Select(c => c.CloseAsync(TimeSpan.FromSeconds(5)))).ConfigureAwait(false);
                if (!await group.Server.WaitForOpenConnectionsAsync(0, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
                {
                    group.Failures.Add($"{group.Server.OpenConnections} server-side connections still open 10 s after the clients closed");
                }
            }

            Machine.FullCollect(); // surfaces unobserved task exceptions
            Events shutdown = Diagnostics.Instance.Take().Since(beforeShutdown);

            await Task.Delay(sampler is null ? 0 : 1000).ConfigureAwait(false); // let the last events arrive
            var results = groups.Select(g => ToResult(g, options, slices))
                .Select(r => r with { AllocationTypes = sampler?.Top(r.Scenario, 16, r.AllocatedBytesPerRoundTrip) })
                .ToList();
            var pairs = new List<PairRatios>();
            foreach ((string nameA, string nameB) in Pairs)
            {
                Group? a = groups.Find(g => g.Name == nameA);
                Group? b = groups.Find(g => g.Name == nameB);
                if (a is null || b is null)
                {
                    continue;
                }

                var throughput = new List<double>();
                var cpu = new List<double>();
                for (int i = 0; i < slices; i++)
                {
                    throughput.Add(a.SliceRates[i] / b.SliceRates[i]);
                    cpu.Add(a.SliceCpu[i] / b.SliceCpu[i]);
                }

                pairs.Add(new PairRatios { A = nameA, B = nameB, Throughput = throughput, Cpu = cpu });
            }

            return new RoundTripResult
            {
                Results = results,
                Pairs = pairs,
                ShutdownEvents = shutdown,
                Failures = failures,
                Machine = Machine.Describe(),
            };
        }
        finally
        {
            foreach (Group group in groups)
            {
                Array.ForEach(group.Clients, c => c.Abort());
                await group.Server.DisposeAsync().ConfigureAwait(false);
                Array.ForEach(group.Clients, c => c.Dispose());
            }
        }
    }

    /// <summary>A B C, then C B A, then A B C …</summary>
    private static IEnumerable<Group> Order(List<Group> groups, int index) =>
        index % 2 == 0 ? groups : Enumerable.Reverse(groups);

    /// <summary>Lets one server's clients run for <paramref name="seconds"/>, then parks them again and accounts the slice.</summary>
    private static async Task RunSliceAsync(Group group, int state, double seconds, bool measured)
    {
        long recordedBefore = group.Recorded();
        Diagnostics.Snapshot eventsBefore = Diagnostics.Instance.Take();
        ResourceSnapshot before = ResourceSnapshot.Take();
        group.Phase.Set(state);
        await WatchAsync(group, TimeSpan.FromSeconds(seconds), before.Timestamp).ConfigureAwait(false);
        group.Phase.Set(Phase.Paused);
        ResourceSnapshot after = ResourceSnapshot.Take();
        Diagnostics.Snapshot eventsAfter = Diagnostics.Instance.Take();
        await WaitParkedAsync(group).ConfigureAwait(false);
        if (!measured)
        {
            return;
        }

        long roundTrips = group.Recorded() - recordedBefore;
        double sliceSeconds = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
        group.Seconds += sliceSeconds;
        group.RoundTrips += roundTrips;
        group.Allocated += after.AllocatedBytes - before.AllocatedBytes;
        group.Gen0 += after.Gen0 - before.Gen0;
        group.Gen1 += after.Gen1 - before.Gen1;
        group.Gen2 += after.Gen2 - before.Gen2;
        group.Cpu += after.Cpu - before.Cpu;
        group.GcPause += after.GcPause - before.GcPause;
        group.Events = group.Events.Plus(eventsAfter.Since(eventsBefore));
        group.SliceRates.Add(roundTrips / sliceSeconds);
        group.SliceAllocated.Add(after.AllocatedBytes - before.AllocatedBytes);
        group.SliceRoundTrips.Add(roundTrips);
        group.SliceCpu.Add((after.Cpu - before.Cpu).TotalMicroseconds / Math.Max(roundTrips, 1));
    }

    /// <summary>Waits <paramref name="duration"/>, aborting any client that makes no progress for <see cref="StallLimit"/>.</summary>
    private static async Task WatchAsync(Group group, TimeSpan duration, long sliceStart)
    {
        long end = sliceStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(Stopwatch.GetElapsedTime(now, end).TotalMilliseconds, 1, 100))).ConfigureAwait(false);
            now = Stopwatch.GetTimestamp();
            for (int i = 0; i < group.Clients.Length; i++)
            {
                BenchClient client = group.Clients[i];
                long last = Math.Max(Volatile.Read(ref client.LastProgress), sliceStart);
                if (!group.Loops[i].IsCompleted && Stopwatch.GetElapsedTime(last, now) > StallLimit)
                {
                    group.Failures.Add($"client {i} made no progress for {StallLimit.TotalSeconds} s (a lost message or a hang); aborted");
                    client.Abort();
                }
            }
        }
    }

    /// <summary>Waits (bounded) until every client has finished its round trip and parked.</summary>
    private static async Task WaitParkedAsync(Group group)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(StallLimit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            bool all = true;
            for (int i = 0; i < group.Clients.Length; i++)
            {
                all &= group.Clients[i].IsParked || group.Loops[i].IsCompleted;
            }

            if (all)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                for (int i = 0; i < group.Clients.Length; i++)
                {
                    if (!group.Clients[i].IsParked && !group.Loops[i].IsCompleted)
                    {
                        group.Failures.Add($"client {i} did not finish its round trip within {StallLimit.TotalSeconds} s (a lost message or a hang); aborted");
                        group.Clients[i].Abort();
                    }
                }

                return;
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        List<double> sorted = values.Order().ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static EchoResult ToResult(Group group, BenchOptions options, int slices)
    {
        var histogram = new LatencyHistogram();
        foreach (BenchClient client in group.Clients)
        {
            histogram.Add(client.Histogram);
        }

        var failures = new List<string>(group.Failures);
        failures.AddRange(group.Clients.Select(c => c.Failure).OfType<string>());
        double perRoundTrip = Math.Max(group.RoundTrips, 1);
        List<double> sliceAllocation = group.SliceAllocated.Select((bytes, i) => (double)bytes / Math.Max(group.SliceRoundTrips[i], 1)).ToList();
        double allocation = Median(sliceAllocation);
        int jumps = sliceAllocation.Count(a => Math.Abs(a - allocation) > Math.Max(0.25 * allocation, 16));
        return new EchoResult
        {
            Scenario = group.Name,
            Clients = options.Clients,
            MessageBytes = options.MessageSize,
            Seconds = group.Seconds,
            Slices = slices,
            RoundTrips = group.RoundTrips,
            RoundTripsPerSecond = group.RoundTrips / group.Seconds,
            P50Us = histogram.Percentile(50),
            P90Us = histogram.Percentile(90),
            P99Us = histogram.Percentile(99),
            P999Us = histogram.Percentile(99.9),
            MaxUs = histogram.MaxMicroseconds,
            AllocatedBytesPerRoundTrip = allocation,
            AllocatedBytesPerRoundTripTotal = group.Allocated / perRoundTrip,
            SliceAllocatedBytes = group.SliceAllocated,
            AllocationCounterJumps = jumps,
            Gen0 = group.Gen0,
            Gen1 = group.Gen1,
            Gen2 = group.Gen2,
            GcPauseMs = group.GcPause.TotalMilliseconds,
            CpuUsPerRoundTrip = group.Cpu.TotalMicroseconds / perRoundTrip,
            CpuCores = group.Cpu.TotalSeconds / group.Seconds,
            SliceRoundTripsPerSecond = group.SliceRates,
            SliceCpuUsPerRoundTrip = group.SliceCpu,
            Mismatches = group.Clients.Sum(c => c.Mismatches),
            UnexpectedFrames = group.Clients.Sum(c => c.UnexpectedFrames),
            PingsAnswered = group.Clients.Sum(c => c.PingsAnswered),
            Failures = failures,
            MeasuredEvents = group.Events,
            FirstFrame = group.Clients[0].Greeting,
        };
    }
}
