using System.Diagnostics;

namespace TypedSocketIo.Compare;

/// <summary>The scenarios, each against a freshly started peer.</summary>
internal static class Scenarios
{
    public const string Data = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // 32 bytes

    /// <summary>Server CPU microseconds per acknowledged echo round trip, <paramref name="clients"/> clients one echo at a time each.</summary>
    public static Task<Measurement> EchoAsync(Peer peer, PeerProcess server, int clients, TimeSpan warmup, TimeSpan duration) =>
        WebSocketRoundTripsAsync(peer, server, clients, c => (counting, stop) => c.EchoAsync(Data, counting, stop), warmup, duration,
            static (done, seconds) => $"{done / seconds:F0} round trips/s");

    /// <summary>
    /// Server CPU microseconds per acknowledged echo round trip, <paramref name="clients"/> clients
    /// with <paramref name="depth"/> echoes in flight each (several messages per read and per write).
    /// </summary>
    public static Task<Measurement> PipelinedEchoAsync(Peer peer, PeerProcess server, int clients, int depth, TimeSpan warmup, TimeSpan duration) =>
        WebSocketRoundTripsAsync(peer, server, clients, c => (counting, stop) => c.EchoPipelinedAsync(Data, depth, counting, stop), warmup, duration,
            static (done, seconds) => $"{done / seconds:F0} round trips/s");

    /// <summary>
    /// Server CPU microseconds per acknowledged echo of <paramref name="size"/> bytes of binary data,
    /// <paramref name="clients"/> clients one echo at a time each; the detail gives the payload MB/s (each way).
    /// </summary>
    public static Task<Measurement> BinaryEchoAsync(Peer peer, PeerProcess server, int clients, int size, TimeSpan warmup, TimeSpan duration)
    {
        byte[] payload = new byte[size];
        new Random(size).NextBytes(payload);
        byte[] base64 = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(payload));
        return WebSocketRoundTripsAsync(peer, server, clients, c => (counting, stop) => c.EchoBinaryAsync(payload, base64, counting, stop), warmup, duration,
            (done, seconds) => $"{done / seconds:F0} round trips/s, {done * (double)size / seconds / 1e6:F1} MB/s each way");
    }

    /// <summary>Server CPU microseconds per round trip of <paramref name="loop"/>, run by each of <paramref name="clients"/> WebSocket clients.</summary>
    private static async Task<Measurement> WebSocketRoundTripsAsync(
        Peer peer, PeerProcess server, int clients, Func<LoadClient, Loop> loop, TimeSpan warmup, TimeSpan duration, Func<long, double, string> detail)
    {
        var connections = await ConnectAllAsync(peer, server, clients, clients);
        try
        {
            (long done, double serverLoad, double generatorLoad, double seconds, TimeSpan cpu) =
                await RoundTripsAsync(server, connections.Select(loop), warmup, duration);
            return new Measurement(cpu.TotalMicroseconds / done, serverLoad, generatorLoad, detail(done, seconds));
        }
        finally
        {
            DisposeAll(connections);
        }
    }

    /// <summary>
    /// Server CPU microseconds per acknowledged echo round trip over Engine.IO long-polling (no
    /// upgrade), <paramref name="clients"/> clients one echo at a time each (Socket.IO peers only).
    /// </summary>
    public static async Task<Measurement> PollingEchoAsync(Peer peer, PeerProcess server, int clients, TimeSpan warmup, TimeSpan duration)
    {
        if (peer.Wire != WireKind.SocketIo)
        {
            throw new ArgumentException($"{peer.Name} has no Engine.IO long-polling.", nameof(peer));
        }

        var connections = new PollingClient[clients];
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            for (int i = 0; i < clients; i++)
            {
                connections[i] = new PollingClient();
            }

            await Task.WhenAll(connections.Select(c => c.ConnectAsync(server.Port, cts.Token)));
            (long done, double serverLoad, double generatorLoad, double seconds, TimeSpan cpu) =
                await RoundTripsAsync(server, connections.Select(c => (Loop)((counting, stop) => c.EchoAsync(Data, counting, stop))), warmup, duration);
            return new Measurement(cpu.TotalMicroseconds / done, serverLoad, generatorLoad, $"{done / seconds:F0} round trips/s");
        }
        finally
        {
            foreach (PollingClient? client in connections)
            {
                client?.Dispose();
            }
        }
    }

    /// <summary>One client's round-trip loop: how many round trips completed while the first argument said to count.</summary>
    private delegate Task<long> Loop(Func<bool> counting, CancellationToken stop);

    /// <summary>Runs every loop through <paramref name="warmup"/>, then counts their round trips and the server's CPU time over <paramref name="duration"/>.</summary>
    private static async Task<(long Done, double ServerLoad, double GeneratorLoad, double Seconds, TimeSpan ServerCpu)> RoundTripsAsync(
        PeerProcess server, IEnumerable<Loop> loops, TimeSpan warmup, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource();
        bool measuring = false;
        Func<bool> counting = () => Volatile.Read(ref measuring);
        Task<long>[] running = loops.Select(loop => Task.Run(() => loop(counting, stop.Token))).ToArray();
        await Task.Delay(warmup);
        Snapshot start = Snapshot.Take(server);
        Volatile.Write(ref measuring, true);
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        Snapshot end = Snapshot.Take(server);
        stop.Cancel();
        // A round trip in flight ends within 60 s, or the peer is stuck (the caller's Dispose then aborts the loops).
        long done = (await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(60))).Sum();
        (double serverLoad, double generatorLoad, double seconds) = end.Since(start);
        return (done, serverLoad, generatorLoad, seconds, end.ServerCpu - start.ServerCpu);
    }

    /// <summary>Server CPU microseconds per delivery of a broadcast to <paramref name="clients"/> connected clients.</summary>
    public static async Task<Measurement> BroadcastAsync(Peer peer, PeerProcess server, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var connections = await ConnectAllAsync(peer, server, clients, 64);
        using var stop = new CancellationTokenSource();
        Task[] listeners = connections.Select(c => c.ListenAsync(stop.Token)).ToArray();
        try
        {
            LoadClient trigger = connections[0];
            long sent = 0;
            long Delivered() => connections.Sum(static c => Interlocked.Read(ref c.Deliveries));
            async Task RunUntilAsync(long until)
            {
                // Two broadcasts in flight: the next one is asked for when all but the last are delivered.
                while (Stopwatch.GetTimestamp() < until)
                {
                    await trigger.SendBroadcastAsync(Data);
                    sent++;
                    long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
                    while (Delivered() < (sent - 1) * clients)
                    {
                        if (Stopwatch.GetTimestamp() > deadline)
                        {
                            throw new TimeoutException($"{peer.Name}: broadcasts not delivered within 30 s.");
                        }

                        await Task.Delay(1);
                    }
                }
            }

            async Task AllDeliveredAsync()
            {
                long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
                while (Delivered() < sent * clients)
                {
                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new TimeoutException($"{peer.Name}: {sent * clients - Delivered()} deliveries missing after 30 s.");
                    }

                    await Task.Delay(1);
                }
            }

            await RunUntilAsync(Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency));
            await AllDeliveredAsync();

            Snapshot start = Snapshot.Take(server);
            long before = Delivered();
            await RunUntilAsync(Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
            await AllDeliveredAsync();

            Snapshot end = Snapshot.Take(server);
            long deliveries = Delivered() - before;
            (double serverLoad, double generatorLoad, double seconds) = end.Since(start);
            return new Measurement((end.ServerCpu - start.ServerCpu).TotalMicroseconds / deliveries, serverLoad, generatorLoad, $"{deliveries / seconds:F0} deliveries/s");
        }
        finally
        {
            stop.Cancel();
            DisposeAll(connections);
            await Task.WhenAll(listeners);
        }
    }

    /// <summary>Server RSS bytes per idle connection: <paramref name="clients"/> connections after the handshake, doing nothing.</summary>
    public static async Task<Measurement> IdleAsync(Peer peer, PeerProcess server, int clients)
    {
        // One connection first, so what every server allocates once is counted before.
        var first = await ConnectAllAsync(peer, server, 1, 1);
        long before = await SettledRssAsync(server);
        Snapshot start = Snapshot.Take(server);
        var connections = await ConnectAllAsync(peer, server, clients, 64);
        Snapshot end = Snapshot.Take(server);
        using var stop = new CancellationTokenSource();
        Task[] listeners = connections.Select(c => c.ListenAsync(stop.Token)).ToArray();
        try
        {
            long after = await SettledRssAsync(server);
            (double serverLoad, double generatorLoad, _) = end.Since(start);
            return new Measurement((after - before) / (double)clients, serverLoad, generatorLoad, $"{after / 1048576.0:F0} MiB at {clients} connections");
        }
        finally
        {
            stop.Cancel();
            DisposeAll(connections);
            DisposeAll(first);
            await Task.WhenAll(listeners);
        }
    }

    /// <summary>
    /// WebSocket connections per second, handshake included, <paramref name="concurrency"/> at a
    /// time, after a warm-up of connections made and closed for <paramref name="warmup"/> (so that
    /// the rate is of a server that already ran its connection path, not of its first start).
    /// </summary>
    public static async Task<Measurement> ConnectAsync(Peer peer, PeerProcess server, int clients, int concurrency, TimeSpan warmup)
    {
        long warmUntil = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            DisposeAll(await ConnectAllAsync(peer, server, 200, concurrency));
        }

        Snapshot start = Snapshot.Take(server);
        var connections = await ConnectAllAsync(peer, server, clients, concurrency);
        Snapshot end = Snapshot.Take(server);
        DisposeAll(connections);
        (double serverLoad, double generatorLoad, double seconds) = end.Since(start);
        return new Measurement(clients / seconds, serverLoad, generatorLoad, $"{(end.ServerCpu - start.ServerCpu).TotalMicroseconds / clients:F0} µs server CPU per connection");
    }

    /// <summary><paramref name="count"/> clients connected to <paramref name="server"/>, handshake done, <paramref name="concurrency"/> connecting at a time.</summary>
    public static async Task<LoadClient[]> ConnectAllAsync(Peer peer, PeerProcess server, int count, int concurrency)
    {
        var clients = new LoadClient[count];
        int next = -1;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        async Task WorkerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var client = new LoadClient(peer.Wire);
                clients[i] = client;
                await client.ConnectAsync(server.Port, cts.Token);
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(WorkerAsync)));
        }
        catch
        {
            DisposeAll(clients);
            throw;
        }

        return clients;
    }

    /// <summary>The RSS of <paramref name="server"/> once it stopped moving (at most 10 s).</summary>
    public static async Task<long> SettledRssAsync(PeerProcess server)
    {
        // A collector may still be returning memory: wait (at most 10 s) until two readings 500 ms apart agree within 1 %.
        long previous = server.ResidentBytes();
        for (int i = 0; i < 20; i++)
        {
            await Task.Delay(500);
            long current = server.ResidentBytes();
            if (Math.Abs(current - previous) <= previous / 100)
            {
                return current;
            }

            previous = current;
        }

        return previous;
    }

    public static void DisposeAll(LoadClient?[] clients)
    {
        foreach (LoadClient? client in clients)
        {
            client?.Dispose();
        }
    }

    /// <summary>The server's and the generator's CPU time at one instant.</summary>
    private readonly record struct Snapshot(long Timestamp, TimeSpan ServerCpu, TimeSpan GeneratorCpu)
    {
        public static Snapshot Take(PeerProcess server) =>
            new(Stopwatch.GetTimestamp(), server.CpuTime(), Process.GetCurrentProcess().TotalProcessorTime);

        public (double ServerLoad, double GeneratorLoad, double Seconds) Since(Snapshot start)
        {
            double seconds = Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds;
            return ((ServerCpu - start.ServerCpu).TotalSeconds / seconds, (GeneratorCpu - start.GeneratorCpu).TotalSeconds / seconds, seconds);
        }
    }
}
