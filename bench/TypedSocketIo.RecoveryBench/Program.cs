// Connection state recovery under a mass disconnect (bench/README.md, "Connection state recovery").
// The server runs in its own process (RecoveryServer, started and driven as the TypedSocketIo.Compare
// peers are, pinned to core 0); this process is the load, on core 1: N WebSocket clients speaking
// Engine.IO 4 / Socket.IO 5 by hand (Compare's LoadClient) connect, each socket joins two rooms and
// gets data and a few live events; then every client's connection drops at once (transport close,
// a reason recovery keeps) and the server broadcasts events they miss. The server's RSS and GC heap
// are measured before the clients connect, with N sessions and the log kept, and once they expired;
// the run fails (exit 1) if a kept session costs more than the bounds below or the memory does not
// come back down.
//
//   dotnet run -c Release --project bench/TypedSocketIo.RecoveryBench -- [clients] [missed events] [off]
using System.Globalization;
using TypedSocketIo.Compare;
using TypedSocketIo.RecoveryBench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
TimeSpan window = TimeSpan.FromSeconds(30);
if (args.Length == 2 && args[0] == "peer")
{
    return await RecoveryServer.RunAsync(recovery: args[1] != "recovery-off", window);
}

int clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
int missed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
bool off = args.Contains("off");
const int Live = 10;

// The bounds (bench/README.md): GC heap and RSS per kept session, the log of `missed` events
// included; once expired, the heap within this much of where it was before the clients came.
const double HeapBoundKb = 1.5, RssBoundKb = 4.0, ExpiredHeapSlackMb = 8.0;

string root = AppContext.BaseDirectory;
var peer = new Peer("tsio-recovery", WireKind.SocketIo, off ? "recovery-off" : "recovery");
using PeerProcess server = await PeerProcess.StartAsync(peer, 0, root);
PeerProcess.PinThisProcess(1);
TimeSpan limit = TimeSpan.FromSeconds(90);
Stage baseline = await Stage.MeasureAsync(server, "before", "measure", limit);

LoadClient[] connections = await Scenarios.ConnectAllAsync(peer, server, clients, 64);
using var stop = new CancellationTokenSource();
Task[] listeners = connections.Select(c => c.ListenAsync(stop.Token)).ToArray();
Expect(await server.AskAsync($"emit {Live}", limit), "emitted ");
await Until(() => connections.Sum(static c => Interlocked.Read(ref c.Deliveries)) >= (long)Live * clients, limit, () => $"{connections.Count(static c => Interlocked.Read(ref c.Deliveries) < Live)} clients had fewer than {Live} live events");
Stage connected = await Stage.MeasureAsync(server, "connected", "measure", limit);

Scenarios.DisposeAll(connections); // the mass disconnect: every transport drops at once
await Task.WhenAll(listeners);
string left = Expect(await server.AskAsync($"disconnected {clients}", limit), "disconnected ");
Expect(await server.AskAsync($"emit {missed}", limit), "emitted ");
Stage kept = await Stage.MeasureAsync(server, "kept", "measure", limit);
Stage? expired = off ? null : await Stage.MeasureAsync(server, "expired", "expire", (window * 2) + limit);

Console.WriteLine($"{clients} clients, {Live} live events each, then all dropped ({left}); {missed} events broadcast while away; recovery {(off ? "off" : $"on, MaxDisconnectionDuration {window.TotalSeconds:F0} s")}");
Console.WriteLine();
Console.WriteLine("| server | RSS MiB | GC heap MiB | of which pinned MiB | GC committed MiB | sessions kept | events logged |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (Stage stage in new[] { baseline, connected, kept, expired }.OfType<Stage>())
{
    Console.WriteLine($"| {stage.Name} | {Mib(stage.Rss)} | {Mib(stage.Heap)} | {Mib(stage.Pinned)} | {Mib(stage.Committed)} | {stage.Sessions} | {stage.Packets} |");
}

var failures = new List<string>();
if (!off)
{
    // What expiry gave back is what the kept sessions and the log held.
    int sessions = Math.Max(1, kept.Sessions);
    double heapKb = (kept.Unpinned - expired!.Unpinned) / 1024.0 / sessions, rssKb = (kept.Rss - expired.Rss) / 1024.0 / sessions;
    double above = (expired.Unpinned - baseline.Unpinned) / 1048576.0;
    Console.WriteLine();
    Console.WriteLine($"per kept session, log included (kept − expired): GC heap without the pinned part {heapKb:F2} KB (bound {HeapBoundKb}), RSS {rssKb:F2} KB (bound {RssBoundKb})");
    Console.WriteLine($"expired: GC heap without the pinned part {above:F1} MiB above the start (bound {ExpiredHeapSlackMb}); RSS {Mib(expired.Rss - baseline.Rss)} MiB above it");
    if (kept.Sessions != clients || kept.Packets < missed)
    {
        failures.Add($"kept {kept.Sessions} sessions and {kept.Packets} events, expected {clients} and at least {missed}");
    }

    if (heapKb > HeapBoundKb)
    {
        failures.Add($"GC heap per kept session {heapKb:F2} KB > {HeapBoundKb} KB");
    }

    if (rssKb > RssBoundKb)
    {
        failures.Add($"RSS per kept session {rssKb:F2} KB > {RssBoundKb} KB");
    }

    if (above > ExpiredHeapSlackMb)
    {
        failures.Add($"GC heap after expiry {above:F1} MiB above the start > {ExpiredHeapSlackMb} MiB");
    }
}

foreach (string failure in failures)
{
    Console.Error.WriteLine("FAILED: " + failure);
}

return failures.Count == 0 ? 0 : 1;

static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

static string Expect(string answer, string prefix) =>
    answer.StartsWith(prefix, StringComparison.Ordinal) ? answer : throw new InvalidOperationException($"The server answered '{answer}'.");

static async Task Until(Func<bool> condition, TimeSpan limit, Func<string> what)
{
    var watch = System.Diagnostics.Stopwatch.StartNew();
    while (!condition())
    {
        if (watch.Elapsed > limit)
        {
            throw new TimeoutException($"After {limit}: {what()}.");
        }

        await Task.Delay(50);
    }
}

namespace TypedSocketIo.RecoveryBench
{
    /// <summary>The server's memory at one stage: RSS (settled, from /proc), and what it reports after an aggressive full collection.</summary>
    internal sealed record Stage(string Name, long Rss, long Heap, long Pinned, long Committed, int Sessions, int Packets)
    {
        /// <summary>The GC heap without its pinned part, which is mostly Kestrel's buffer pool (it lets blocks go slowly, on its own clock).</summary>
        public long Unpinned => Heap - Pinned;

        public static async Task<Stage> MeasureAsync(PeerProcess server, string name, string command, TimeSpan limit)
        {
            // heap H pinned P committed C sessions S packets P
            string answer = await server.AskAsync(command, limit);
            string[] w = answer.Split(' ');
            if (w.Length != 10 || w[0] != "heap")
            {
                throw new InvalidOperationException($"The server answered '{answer}' to '{command}'.");
            }

            long rss = await Scenarios.SettledRssAsync(server);
            long Number(int i) => long.Parse(w[i], CultureInfo.InvariantCulture);
            return new Stage(name, rss, Number(1), Number(3), Number(5), (int)Number(7), (int)Number(9));
        }
    }
}
