using System.Diagnostics;
using System.Globalization;
using System.Text;
using TypedSocketIo.ClusterBench;

// Cross-server broadcast over Redis (classic flavour): a driver client sends "go" to one server,
// which broadcasts "b" to every socket of the cluster; R receivers on the other server count the
// deliveries and their latency (driver and receivers share this process's clock). Configurations,
// interleaved, each measured once per round: one TypedSocketIo server (driver and receivers on it,
// no Redis), two TypedSocketIo servers on Redis, two Node socket.io 4.8 servers on Redis.
//   dotnet run -c Release --project bench/TypedSocketIo.ClusterBench -- [rounds] [seconds] [receivers] [out.md]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3;
int receiverCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
string? outFile = args.Length > 3 ? args[3] : null;
string nodeDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../tests/node"));
if (!Directory.Exists(Path.Combine(nodeDir, "node_modules")))
{
    nodeDir = Path.GetFullPath("tests/node");
}

var (redis, redisPort, redisDir) = await Servers.StartRedisAsync();
var one = await Servers.StartDotNetAsync(null, "");
var dotA = await Servers.StartDotNetAsync(redisPort, "bench-dotnet");
var dotB = await Servers.StartDotNetAsync(redisPort, "bench-dotnet");
var nodeA = await Servers.StartNodeAsync(nodeDir, redisPort, "bench-node");
var nodeB = await Servers.StartNodeAsync(nodeDir, redisPort, "bench-node");
await Task.Delay(500); // the adapters subscribe

var configs = new (string Name, string DriverUrl, string ReceiverUrl)[]
{
    ("1 TypedSocketIo server (no Redis)", one.Url, one.Url),
    ("2 TypedSocketIo servers, Redis", dotA.Url, dotB.Url),
    ("2 Node socket.io servers, Redis", nodeA.Url, nodeB.Url),
};
var rates = configs.Select(_ => new List<double>()).ToArray();
var medians = configs.Select(_ => new List<double>()).ToArray();
var p99s = configs.Select(_ => new List<double>()).ToArray();

for (int round = 1; round <= rounds; round++)
{
    for (int c = 0; c < configs.Length; c++)
    {
        await using RawClient driver = await RawClient.ConnectAsync(configs[c].DriverUrl);
        var receivers = new List<RawClient>();
        for (int i = 0; i < receiverCount; i++)
        {
            receivers.Add(await RawClient.ConnectAsync(configs[c].ReceiverUrl));
        }

        // Throughput: as fast as the slowest receiver keeps up (at most 256 broadcasts in flight).
        long start = receivers.Sum(r => r.Received);
        long sent = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            while (sent - receivers.Min(r => r.Received) > 256 && watch.Elapsed.TotalSeconds < seconds)
            {
                await Task.Delay(1);
            }

            await driver.GoAsync();
            sent++;
        }

        double rate = (receivers.Sum(r => r.Received) - start) / watch.Elapsed.TotalSeconds;
        var drain = Stopwatch.StartNew();
        while (receivers.Any(r => r.Received < sent) && drain.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }

        // Latency: 200 broadcasts per second, send to delivery.
        foreach (RawClient r in receivers)
        {
            r.RecordLatency = true;
        }

        var paced = Stopwatch.StartNew();
        for (int n = 0; paced.Elapsed.TotalSeconds < Math.Max(1, seconds / 2); n++)
        {
            await driver.GoAsync();
            double next = (n + 1) * 5.0;
            double wait = next - paced.Elapsed.TotalMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }
        }

        await Task.Delay(200);
        double[] latencies = receivers.SelectMany(r => r.TakeLatencies()).Order().ToArray();
        rates[c].Add(rate);
        medians[c].Add(latencies.Length == 0 ? double.NaN : latencies[latencies.Length / 2]);
        p99s[c].Add(latencies.Length == 0 ? double.NaN : latencies[(int)(latencies.Length * 0.99)]);
        Console.Error.WriteLine($"round {round} {configs[c].Name}: {rate:F0} deliveries/s, latency median {medians[c][^1]:F3} ms, p99 {p99s[c][^1]:F3} ms");
        foreach (RawClient r in receivers)
        {
            await r.DisposeAsync();
        }
    }
}

static double Median(List<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"{rounds} rounds, configurations interleaved within each round; {seconds:F0} s of throughput and {Math.Max(1, seconds / 2):F1} s of latency (200 broadcasts/s) per configuration and round; {receiverCount} receivers; medians over the rounds.");
report.AppendLine();
report.AppendLine("| configuration | deliveries/s | latency median (ms) | latency p99 (ms) |");
report.AppendLine("|---|---:|---:|---:|");
for (int c = 0; c < configs.Length; c++)
{
    report.AppendLine(CultureInfo.InvariantCulture, $"| {configs[c].Name} | {Median(rates[c]):F0} | {Median(medians[c]):F3} | {Median(p99s[c]):F3} |");
}

report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Added latency of the Redis hop, TypedSocketIo: {Median(medians[1]) - Median(medians[0]):F3} ms (median); two TypedSocketIo servers deliver {Median(rates[1]) / Median(rates[2]):F2}× the broadcasts per second of two Node servers, at {Median(medians[1]) / Median(medians[2]):F2}× their median latency.");
Console.WriteLine(report);
if (outFile is not null)
{
    await File.WriteAllTextAsync(outFile, report.ToString());
}

await one.App.StopAsync();
await dotA.App.StopAsync();
await dotB.App.StopAsync();
foreach (Process p in new[] { nodeA.Process, nodeB.Process, redis })
{
    p.Kill(entireProcessTree: true);
    await p.WaitForExitAsync();
}

Directory.Delete(redisDir, recursive: true);
