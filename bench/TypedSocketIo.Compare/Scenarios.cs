using System.Diagnostics;

namespace TypedSocketIo.Compare;

/// <summary>The scenarios, each against a freshly started peer.</summary>
internal static class Scenarios
{
    public const string Data = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // 32 bytes

    /// <summary>Server CPU microseconds per acknowledged echo round trip, <paramref name="clients"/> clients one echo at a time each.</summary>
    public static async Task<Measurement> EchoAsync(Peer peer, PeerProcess server, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var connections = await ConnectAllAsync(peer, server, clients, clients);
        try
        {
            using var stop = new CancellationTokenSource();
            bool measuring = false;
            Func<bool> counting = () => Volatile.Read(ref measuring);
            Task<long>[] loops = connections.Select(c => Task.Run(() => c.EchoAsync(Data, counting, stop.Token))).ToArray();
            await Task.Delay(warmup);
            Snapshot start = Snapshot.Take(server);
            Volatile.Write(ref measuring, true);
            await Task.Delay(duration);
            Volatile.Write(ref measuring, false);
            Snapshot end = Snapshot.Take(server);
            stop.Cancel();
            long done = (await Task.WhenAll(loops)).Sum();
            (double serverLoad, double generatorLoad, double seconds) = end.Since(start);
            double cpuMicros = (end.ServerCpu - start.ServerCpu).TotalMicroseconds / done;
            return new Measurement(cpuMicros, serverLoad, generatorLoad, $"{done / seconds:F0} round trips/s");
        }
        finally
        {
            DisposeAll(connections);
        }
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

    /// <summary>WebSocket connections per second, handshake included, <paramref name="concurrency"/> at a time.</summary>
    public static async Task<Measurement> ConnectAsync(Peer peer, PeerProcess server, int clients, int concurrency)
    {
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
