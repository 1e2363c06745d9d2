using System.Diagnostics;
using System.Globalization;
using System.Net;
using TypedSocketIo.Client;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;

// Many .NET clients from one process against a Socket.IO server: how long they take to connect,
// then how many acknowledged echoes per second they get through together.
//
//   dotnet run -c Release --project bench/TypedSocketIo.ClientLoad -- [--clients 1000] [--duration 10]
//       [--transport websocket|polling|upgrade] [--size 32] [--url http://host:port] [--event echo]
//
// Without --url, the program starts TypedSocketIo's server on 127.0.0.1 in this process (its
// "echo" handler acknowledges with the argument it got). With --url, the server must acknowledge
// the event named by --event the same way (tests/node/socketio-server.js does for "ack").
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int clients = 1000, duration = 10, size = 32;
string transport = "websocket", eventName = "echo";
Uri? url = null;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--clients": clients = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--duration": duration = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--transport": transport = Next(); break;
        case "--url": url = new Uri(Next()); break;
        case "--event": eventName = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Options: --clients N --duration S --transport websocket|polling|upgrade --size B --url U --event E");
            return 2;
    }
}

ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), 64);
WebApplication? app = null;
if (url is null)
{
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    builder.Logging.ClearProviders();
    builder.Services.AddSocketIo();
    app = builder.Build();
    app.MapSocketIo().Server.Of("/").OnConnection(socket => socket.On("echo", static e => e.Ack(e.Args.GetString(0))));
    await app.StartAsync();
    url = new Uri(app.Urls.First());
}

Console.WriteLine($"{clients} clients, {transport}, {size}-byte messages, {duration} s of echoes against {url} " +
    $"({(app is null ? "external server" : "TypedSocketIo server in this process")}; {Environment.ProcessorCount} cores, .NET {Environment.Version})");

var options = new SocketIoClientOptions
{
    ForceNew = true,
    AutoConnect = false,
    Reconnection = false,
    Timeout = TimeSpan.FromSeconds(60),
    Transports = transport switch
    {
        "websocket" => ["websocket"],
        "polling" => ["polling"],
        "upgrade" => ["polling", "websocket"],
        _ => throw new ArgumentException("--transport is websocket, polling or upgrade."),
    },
};
var sockets = new SocketIoClient[clients];
var connectTimes = new double[clients];
long allocatedBefore = GC.GetTotalAllocatedBytes();
var total = Stopwatch.StartNew();
using (var gate = new SemaphoreSlim(64))
{
    // At most 64 handshakes in flight, as a browser fleet would ramp up rather than all at once.
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            sockets[i] = SocketIoClient.Create(url, options);
            await sockets[i].ConnectAsync().WaitAsync(TimeSpan.FromSeconds(60));
            connectTimes[i] = watch.Elapsed.TotalMilliseconds;
        }
        finally
        {
            gate.Release();
        }
    }));
}

total.Stop();
Array.Sort(connectTimes);
Console.WriteLine($"connect: all {clients} in {total.Elapsed.TotalSeconds:F2} s ({clients / total.Elapsed.TotalSeconds:F0}/s); " +
    $"per client p50 {Percentile(connectTimes, 0.50):F1} ms, p99 {Percentile(connectTimes, 0.99):F1} ms, max {connectTimes[^1]:F1} ms");

string payload = new('x', size);
long echoes = 0, failures = 0;
var latencies = new List<double>[clients];
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
var measured = Stopwatch.StartNew();
long allocatedAtStart = GC.GetTotalAllocatedBytes();
await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
{
    var mine = latencies[i] = new List<double>();
    SocketIoClient socket = sockets[i];
    while (!stop.IsCancellationRequested)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            SocketIoArgs ack = await socket.Timeout(TimeSpan.FromSeconds(30)).EmitWithAck(eventName, [payload]);
            if (ack.GetString(0)?.Length != size)
            {
                Interlocked.Increment(ref failures);
                continue;
            }
        }
        catch (Exception)
        {
            Interlocked.Increment(ref failures);
            continue;
        }

        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Interlocked.Increment(ref echoes);
    }
})));
measured.Stop();
long allocated = GC.GetTotalAllocatedBytes() - allocatedAtStart;
double[] all = latencies.SelectMany(l => l).Order().ToArray();
Console.WriteLine($"echo: {echoes} acknowledged in {measured.Elapsed.TotalSeconds:F1} s = {echoes / measured.Elapsed.TotalSeconds:F0}/s; " +
    $"round trip p50 {Percentile(all, 0.50):F2} ms, p99 {Percentile(all, 0.99):F2} ms; {failures} failed; " +
    $"{(echoes == 0 ? 0 : allocated / echoes)} B allocated per echo (client{(app is null ? "" : " and server")})");
Console.WriteLine($"connected at the end: {sockets.Count(s => s.Connected)} of {clients}; " +
    $"{(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1_048_576} MiB allocated in all");

foreach (SocketIoClient socket in sockets)
{
    await socket.DisposeAsync();
}

if (app is not null)
{
    await app.StopAsync();
}

return failures == 0 && sockets.All(s => s is not null) ? 0 : 1;

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
