using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TypedSocketIo.Server;

namespace TypedSocketIo.RecoveryBench;

/// <summary>
/// The server process: a Socket.IO server with connection state recovery (or without it, for the
/// baseline), websocket only, on 127.0.0.1 with a free port. Prints <c>listening &lt;port&gt;</c>
/// (as the TypedSocketIo.Compare peers do), then answers one line per command read on stdin:
/// <list type="bullet">
/// <item><c>emit N</c>: broadcasts N events of about a hundred bytes to the room every socket joined.</item>
/// <item><c>disconnected N</c>: waits (bounded) until N sockets ran their disconnect, Kestrel holds no connection and every Engine.IO session was collected; answers how many of them left for a reason recovery keeps.</item>
/// <item><c>measure</c>: an aggressive full collection, then the GC heap, its pinned part, committed bytes, sessions and logged events kept.</item>
/// <item><c>expire</c>: waits (bounded) until the periodic sweep dropped every session and event, then measures.</item>
/// </list>
/// Exits when stdin ends.
/// </summary>
internal static class RecoveryServer
{
    public static async Task<int> RunAsync(bool recovery, TimeSpan window)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSocketIo(o =>
        {
            o.Transports = ["websocket"];
            o.ConnectionStateRecovery = recovery ? new ConnectionStateRecoveryOptions { MaxDisconnectionDuration = window } : null;
        });
        WebApplication app = builder.Build();
        SocketIoServer io = app.MapSocketIo().Server;
        int disconnected = 0, recoverable = 0;
        var sessions = new List<WeakReference>(); // each connection's Engine.IO session, to see it collected
        io.Sockets.OnConnection(socket =>
        {
            lock (sessions)
            {
                sessions.Add(new WeakReference(socket.Conn));
            }

            _ = socket.Join(["lobby", "team-" + (socket.Id[0] % 16)]);
            socket.Data = new Dictionary<string, string> { ["user"] = "user-" + socket.Id[..8], ["locale"] = "en" };
            socket.Disconnected += (_, reason, _) =>
            {
                if (Socket.IsRecoverable(reason))
                {
                    Interlocked.Increment(ref recoverable);
                }

                Interlocked.Increment(ref disconnected);
            };
        });

        // Kestrel's open connections (its kestrel.active_connections counter): a disconnected
        // socket's connection may take a moment more to be released.
        long connections = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, delta, _, _) => Interlocked.Add(ref connections, delta));
        meters.Start();
        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Console.WriteLine($"listening {port}");
        int sent = 0;
        while (await Task.Run(Console.In.ReadLine) is { } line)
        {
            string[] words = line.Split(' ');
            string answer;
            try
            {
                answer = await AnswerAsync(words);
            }
            catch (TimeoutException ex)
            {
                answer = "failed: " + ex.Message;
            }

            Console.WriteLine(answer);
        }

        await app.StopAsync();
        return 0;

        async Task<string> AnswerAsync(string[] words)
        {
            switch (words[0])
            {
                case "emit":
                    int count = int.Parse(words[1], CultureInfo.InvariantCulture);
                    for (int i = 0; i < count; i++, sent++)
                    {
                        io.Sockets.To("lobby").Emit("news", new { n = sent, text = "an event of about a hundred bytes once encoded, as a chat line would be" });
                    }

                    return $"emitted {count}";
                case "disconnected":
                    int expected = int.Parse(words[1], CultureInfo.InvariantCulture);
                    await WaitAsync(() => Volatile.Read(ref disconnected) >= expected && Volatile.Read(ref connections) == 0, TimeSpan.FromSeconds(60));

                    // What a closed connection held is garbage once nothing refers to it: wait
                    // (bounded) until every session was collected, so that the next measurement
                    // counts what recovery keeps and nothing of the connections.
                    var watch = Stopwatch.StartNew();
                    await WaitAsync(
                        () =>
                        {
                            GC.Collect();
                            lock (sessions)
                            {
                                return sessions.TrueForAll(static w => !w.IsAlive);
                            }
                        },
                        TimeSpan.FromSeconds(120),
                        pollMs: 500);
                    lock (sessions)
                    {
                        sessions.Clear();
                        sessions.TrimExcess();
                    }

                    return $"disconnected {Volatile.Read(ref disconnected)} recoverable {Volatile.Read(ref recoverable)}, every connection collected {watch.Elapsed.TotalSeconds:F1} s after";
                case "measure":
                    return Measure(io);
                case "expire":
                    // The periodic sweep runs every MaxDisconnectionDuration: what was kept goes within two of them.
                    await WaitAsync(() => io.Sockets.Adapter.RecoveryCounts == (0, 0), (window * 2) + TimeSpan.FromSeconds(15));
                    return Measure(io);
                default:
                    return $"failed: unknown command '{words[0]}'";
            }
        }
    }

    /// <summary>
    /// After an aggressive collection (compacting, and giving free GC memory back to the system, so
    /// that RSS follows what is live): the GC heap, its pinned object heap (where Kestrel's buffer
    /// pool lives), the GC's committed bytes, and the sessions and events kept.
    /// </summary>
    private static string Measure(SocketIoServer io)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
        GCGenerationInfo poh = info.GenerationInfo[4];
        long pinned = poh.SizeAfterBytes - poh.FragmentationAfterBytes;
        (int sessions, int packets) = io.Sockets.Adapter.RecoveryCounts;
        return string.Create(CultureInfo.InvariantCulture, $"heap {info.HeapSizeBytes - info.FragmentedBytes} pinned {pinned} committed {info.TotalCommittedBytes} sessions {sessions} packets {packets}");
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, int pollMs = 50)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException("The condition was not met in " + limit);
            }

            await Task.Delay(pollMs);
        }
    }
}
