// Connection state recovery under a mass disconnect (bench/README.md, "Connection state recovery"):
// N real WebSocket clients connect (Engine.IO 4 / Socket.IO 5 by hand, ClientWebSocket), each
// socket joins two rooms and gets data; then every client's connection is aborted at once and
// the server broadcasts a number of events they miss. The server keeps N sessions and the packet log; the
// managed heap is measured before the clients connect, once every connection is gone (sessions
// kept), and after the sessions expired.
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;

// Arguments: [clients] [events] [off]; "off" runs the same steps with recovery off, for the baseline.
int clients = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
int events = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000;
bool off = args.Contains("off");
TimeSpan window = TimeSpan.FromSeconds(20);

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
builder.Logging.ClearProviders();
builder.Services.AddSocketIo(o => o.ConnectionStateRecovery = off ? null : new ConnectionStateRecoveryOptions { MaxDisconnectionDuration = window });
WebApplication app = builder.Build();
SocketIoServer io = app.MapSocketIo().Server;
int disconnected = 0;
io.Sockets.OnConnection(socket =>
{
    _ = socket.Join(["lobby", "team-" + (socket.Id[0] % 16)]);
    socket.Data = new Dictionary<string, string> { ["user"] = "user-" + socket.Id[..8], ["locale"] = "en" };
    socket.Disconnected += (_, _, _) => Interlocked.Increment(ref disconnected);
});
await app.StartAsync();
int port = new Uri(app.Urls.First()).Port;
var uri = new Uri($"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");

long baseline = Heap();
var watch = Stopwatch.StartNew();
var sockets = new ClientWebSocket[clients];
using (var gate = new SemaphoreSlim(200))
{
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            sockets[i] = await ConnectAsync(uri);
        }
        finally
        {
            gate.Release();
        }
    }));
}

Console.WriteLine($"{clients} clients connected in {watch.Elapsed.TotalSeconds:F1} s");
foreach (ClientWebSocket socket in sockets)
{
    socket.Abort(); // the mass disconnect: every transport drops at once
}

await WaitAsync(() => Volatile.Read(ref disconnected) == clients, TimeSpan.FromSeconds(60));
Array.Clear(sockets);
for (int i = 0; i < events; i++)
{
    // What the clients miss while away: the log keeps it for their return.
    io.Sockets.To("lobby").Emit("news", new { n = i, text = "an event of about a hundred bytes once encoded, as a chat line would be" });
}

(int sessions, int packets) = io.Sockets.Adapter.RecoveryCounts;
long kept = Heap();
Console.WriteLine($"kept: {sessions} sessions, {packets} logged events; heap {Mb(baseline)} before, {Mb(kept)} with them ({(kept - baseline) / Math.Max(1, sessions)} B per session, log included)");

if (off)
{
    await app.StopAsync();
    return;
}

await WaitAsync(() =>
{
    io.Sockets.Adapter.SweepRecovery();
    return io.Sockets.Adapter.RecoveryCounts == (0, 0);
}, window + TimeSpan.FromSeconds(30));
long expired = Heap();
Console.WriteLine($"expired after {window.TotalSeconds:F0} s: heap {Mb(expired)}");
await app.StopAsync();

static long Heap()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return GC.GetTotalMemory(forceFullCollection: true);
}

static string Mb(long bytes) => $"{bytes / 1048576.0:F1} MB";

static async Task WaitAsync(Func<bool> condition, TimeSpan limit)
{
    var watch = Stopwatch.StartNew();
    while (!condition())
    {
        if (watch.Elapsed > limit)
        {
            throw new TimeoutException("The condition was not met in " + limit);
        }

        await Task.Delay(50);
    }
}

static async Task<ClientWebSocket> ConnectAsync(Uri uri)
{
    var socket = new ClientWebSocket();
    await socket.ConnectAsync(uri, CancellationToken.None);
    var buffer = new byte[512];
    await socket.ReceiveAsync(buffer, CancellationToken.None); // 0{"sid":…} (the Engine.IO open packet)
    await socket.SendAsync("40"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
    WebSocketReceiveResult answer = await socket.ReceiveAsync(buffer, CancellationToken.None);
    string text = Encoding.UTF8.GetString(buffer, 0, answer.Count);
    if (!text.StartsWith("40{", StringComparison.Ordinal))
    {
        throw new InvalidOperationException("Unexpected CONNECT answer: " + text);
    }

    return socket;
}
