using System.Diagnostics;
using System.Globalization;
using System.Net;
using TypedSocketIo;
using TypedSocketIo.Client;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;

// The JSON and msgpack parsers compared end to end: one .NET client echoing through TypedSocketIo's
// server on 127.0.0.1 (both in this process), one acknowledged echo at a time, with typed contracts.
// Payloads: binary of 1 KB, 64 KB and 1 MB, and a number-heavy object. Per round trip: CPU time of
// the process (client and server together), wall time, and bytes on the wire (the Engine.IO
// messages both sides sent, WebSocket framing aside).
//
//   dotnet run -c Release --project bench/TypedSocketIo.ParserBench -- [--seconds 3] [--transport websocket|polling]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
double seconds = 3;
string transport = "websocket";
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--transport": transport = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Options: --seconds S --transport websocket|polling");
            return 2;
    }
}

var random = new Random(42);
byte[] Bytes(int n)
{
    var data = new byte[n];
    random.NextBytes(data);
    return data;
}

Telemetry numbers = new(
    1_700_000_000_123,
    Enumerable.Range(0, 200).Select(i => Math.Round(Math.Sin(i) * 1000, 3)).ToArray(),
    Enumerable.Range(0, 100).Select(i => i * 37 - 1000).ToArray(),
    Enumerable.Range(0, 50).Select(i => new Point(i * 0.5, -i * 1.25, i % 2 == 0)).ToArray());

Console.WriteLine($"Echo round trips, one at a time, {transport}, {seconds} s each; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"{"payload",-16} {"parser",-8} {"round trips/s",14} {"CPU µs/rt",10} {"wire bytes/rt",14} {"messages/rt",12}");
foreach ((string name, Func<IBenchClientEvents, Task> roundTrip) in new (string, Func<IBenchClientEvents, Task>)[]
{
    ("binary 1 KB", Echo(Bytes(1024))),
    ("binary 64 KB", Echo(Bytes(64 * 1024))),
    ("binary 1 MB", Echo(Bytes(1024 * 1024))),
    ("numbers", async emit =>
    {
        Telemetry back = await emit.Numbers(numbers);
        if (back.Values.Length != numbers.Values.Length || back.Values[7] != numbers.Values[7])
        {
            throw new InvalidOperationException("The echo differs.");
        }
    }),
})
{
    foreach ((string parserName, ISocketIoParser parser) in new (string, ISocketIoParser)[] { ("json", JsonSocketIoParser.Instance), ("msgpack", MsgPackSocketIoParser.Instance) })
    {
        Result result = await MeasureAsync(parser, transport, seconds, roundTrip);
        Console.WriteLine($"{name,-16} {parserName,-8} {result.PerSecond,14:F0} {result.CpuMicroseconds,10:F1} {result.WireBytes,14:F0} {result.Messages,12:F1}");
    }
}

return 0;

static Func<IBenchClientEvents, Task> Echo(byte[] payload) => async emit =>
{
    byte[] back = await emit.Echo(payload);
    if (back.Length != payload.Length || back[^1] != payload[^1])
    {
        throw new InvalidOperationException("The echo differs.");
    }
};

static async Task<Result> MeasureAsync(ISocketIoParser parser, string transport, double seconds, Func<IBenchClientEvents, Task> roundTrip)
{
    var serverParser = new CountingParser(parser);
    var clientParser = new CountingParser(parser);
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    builder.Logging.ClearProviders();
    builder.Services.AddSocketIo(o =>
    {
        o.Parser = serverParser;
        o.MaxHttpBufferSize = 4_000_000;
    });
    await using WebApplication app = builder.Build();
    app.MapSocketIo().Server.Of<IBenchClientEvents, IBenchServerEvents>("/").OnConnection(socket =>
    {
        socket.On.Echo(static data => data);
        socket.On.Numbers(static t => t);
    });
    await app.StartAsync();
    await using var client = SocketIoClient.Create<IBenchServerEvents, IBenchClientEvents>(new Uri(app.Urls.First()), new SocketIoClientOptions
    {
        ForceNew = true,
        Reconnection = false,
        Transports = [transport],
        Parser = clientParser,
    });
    await client.ConnectAsync();
    IBenchClientEvents emit = client.Timeout(TimeSpan.FromSeconds(30)).Emit;

    var warmup = Stopwatch.StartNew();
    while (warmup.Elapsed < TimeSpan.FromSeconds(Math.Min(1, seconds / 3)))
    {
        await roundTrip(emit);
    }

    serverParser.Reset();
    clientParser.Reset();
    var process = Process.GetCurrentProcess();
    TimeSpan cpuBefore = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    long rounds = 0;
    while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        await roundTrip(emit);
        rounds++;
    }

    watch.Stop();
    process.Refresh();
    TimeSpan cpu = process.TotalProcessorTime - cpuBefore;
    return new Result(
        rounds / watch.Elapsed.TotalSeconds,
        cpu.TotalMicroseconds / rounds,
        (double)(serverParser.Bytes + clientParser.Bytes) / rounds,
        (double)(serverParser.Messages + clientParser.Messages) / rounds);
}

internal sealed record Result(double PerSecond, double CpuMicroseconds, double WireBytes, double Messages);

/// <summary>A parser that counts what it encodes: Engine.IO messages and their bytes (text ones with their "4" type digit).</summary>
internal sealed class CountingParser(ISocketIoParser inner) : ISocketIoParser
{
    private long _bytes;
    private long _messages;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Messages => Interlocked.Read(ref _messages);

    public void Reset()
    {
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _messages, 0);
    }

    public EnginePacket[] Encode(SocketIoPacket packet)
    {
        EnginePacket[] messages = inner.Encode(packet);
        foreach (EnginePacket message in messages)
        {
            Interlocked.Add(ref _bytes, message.Data.Length + (message.IsBinary ? 0 : 1));
        }

        Interlocked.Add(ref _messages, messages.Length);
        return messages;
    }

    public ISocketIoDecoder CreateDecoder() => inner.CreateDecoder();
}

/// <summary>A number-heavy payload.</summary>
public sealed record Telemetry(long Timestamp, double[] Values, int[] Counters, Point[] Points);

/// <summary>One sample point.</summary>
public sealed record Point(double X, double Y, bool Valid);

/// <summary>What the client sends.</summary>
[SocketIoEvents]
public interface IBenchClientEvents
{
    Task<byte[]> Echo(byte[] data);

    Task<Telemetry> Numbers(Telemetry telemetry);
}

/// <summary>What the server sends (nothing).</summary>
[SocketIoEvents]
public interface IBenchServerEvents
{
    void Unused();
}
