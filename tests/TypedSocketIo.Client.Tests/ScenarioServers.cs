using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>How a scenario server is started.</summary>
public sealed record ScenarioOptions
{
    public string Path { get; init; } = "/socket.io/";

    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(25);

    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public long MaxHttpBufferSize { get; init; } = 1_000_000;

    /// <summary>Whether the server speaks socket.io-msgpack-parser's wire instead of the default JSON parser.</summary>
    public bool MsgPack { get; init; }

    /// <summary>Connection state recovery's maximum disconnection duration; off when null.</summary>
    public TimeSpan? Recovery { get; init; }

    /// <summary>With <see cref="Recovery"/>: whether the middleware also runs for recovered sockets.</summary>
    public bool RecoveryRunsMiddleware { get; init; }
}

/// <summary>
/// A server running the scenarios of tests/node/socketio-server.js (see its header for the list):
/// Node's socket.io, or TypedSocketIo's server with the same behaviour. Survives restarts on the
/// same port and keeps what the server recorded across them.
/// </summary>
public abstract class ScenarioServer : IAsyncDisposable
{
    private readonly List<(string Kind, string Detail)> _records = new();
    private readonly HashSet<int> _taken = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected ScenarioServer(ScenarioOptions options) => Options = options;

    public ScenarioOptions Options { get; }

    public int Port { get; protected set; }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri Uri => new($"http://127.0.0.1:{Port}");

    /// <summary>The URL of a namespace.</summary>
    public Uri Url(string nsp = "/") => new(Uri, nsp);

    /// <summary>Whether the server can be frozen (stop answering without closing anything).</summary>
    public abstract bool CanFreeze { get; }

    public abstract Task StartAsync();

    /// <summary>Stops the server at once, as a crash would.</summary>
    public abstract Task StopAsync();

    /// <summary>Stops answering anything (not even pings) until <see cref="ThawAsync"/>.</summary>
    public virtual Task FreezeAsync() => throw new NotSupportedException();

    public virtual Task ThawAsync() => throw new NotSupportedException();

    public abstract ValueTask DisposeAsync();

    protected void Record(string kind, string detail)
    {
        TaskCompletionSource changed;
        lock (_records)
        {
            _records.Add((kind, detail));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits (bounded) for the next record of <paramref name="kind"/> not taken yet, and takes it.</summary>
    public async Task<string> NextAsync(string kind, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(15);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_records)
            {
                for (int i = 0; i < _records.Count; i++)
                {
                    if (_records[i].Kind == kind && _taken.Add(i))
                    {
                        return _records[i].Detail;
                    }
                }

                changed = _changed.Task;
            }

            TimeSpan left = limit - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No \"{kind}\" record within {limit}. Records: {Describe()}");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>How many records of <paramref name="kind"/> there are (taken or not).</summary>
    public int Count(string kind)
    {
        lock (_records)
        {
            return _records.Count(r => r.Kind == kind);
        }
    }

    public string Describe()
    {
        lock (_records)
        {
            return string.Join("; ", _records.Select(r => $"{r.Kind} {r.Detail}"));
        }
    }

    /// <summary>A free loopback port (for servers started on a port chosen in advance).</summary>
    protected static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The scenarios on Node's socket.io 4.8.</summary>
public sealed class NodeScenarioServer(ScenarioOptions options) : ScenarioServer(options)
{
    private NodeDriver? _node;
    private Task? _pump;
    private bool _frozen;

    public override bool CanFreeze => true;

    public override async Task StartAsync()
    {
        string Ms(TimeSpan t) => ((int)t.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] arguments =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--path", Options.Path.TrimEnd('/'),
            "--ping-interval", Ms(Options.PingInterval),
            "--ping-timeout", Ms(Options.PingTimeout),
            "--max-http-buffer-size", Options.MaxHttpBufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--parser", Options.MsgPack ? "msgpack" : "json",
            .. Options.Recovery is { } recovery ? ["--recovery", Ms(recovery)] : Array.Empty<string>(),
            .. Options.RecoveryRunsMiddleware ? ["--recovery-run-middlewares"] : Array.Empty<string>(),
        ];
        _node = await NodeDriver.StartAsync("socketio-server.js", arguments);
        Port = _node.Ready.GetProperty("port").GetInt32();
        NodeDriver node = _node;
        _pump = Task.Run(async () =>
        {
            while (!node.HasExited)
            {
                JsonElement record;
                try
                {
                    record = await node.NextAsync(e => e.GetProperty("event").GetString() == "record", TimeSpan.FromSeconds(1));
                }
                catch (TimeoutException)
                {
                    continue;
                }

                Record(record.GetProperty("kind").GetString()!, record.GetProperty("detail").GetString()!);
            }
        });
    }

    public override async Task StopAsync()
    {
        if (_node is { } node)
        {
            await ThawAsync();
            await node.KillAsync();
            await node.DisposeAsync();
            _node = null;
        }
    }

    public override Task FreezeAsync()
    {
        Signal("STOP");
        _frozen = true;
        return Task.CompletedTask;
    }

    public override Task ThawAsync()
    {
        if (_frozen)
        {
            Signal("CONT");
            _frozen = false;
        }

        return Task.CompletedTask;
    }

    private void Signal(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, _node!.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_node is { } node)
        {
            await ThawAsync();
            await node.DisposeAsync();
        }
    }

    public override string ToString() => Options.MsgPack ? "node socket.io with socket.io-msgpack-parser" : "node socket.io";
}

/// <summary>The scenarios on TypedSocketIo's server (Kestrel on loopback).</summary>
public sealed class OwnScenarioServer(ScenarioOptions options) : ScenarioServer(options)
{
    private static readonly Regex AnyButSecure = new("^/(?!secure$|odd$).*", RegexOptions.CultureInvariant);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly HashSet<EngineSocket> _connections = new();
    private WebApplication? _app;

    public override bool CanFreeze => false;

    public override async Task StartAsync()
    {
        if (Port == 0)
        {
            Port = FreePort();
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, Port));
        builder.Logging.ClearProviders();
        builder.Services.AddSocketIo(o =>
        {
            o.PingInterval = Options.PingInterval;
            o.PingTimeout = Options.PingTimeout;
            o.MaxHttpBufferSize = Options.MaxHttpBufferSize;
            o.Parser = Options.MsgPack ? MsgPackSocketIoParser.Instance : JsonSocketIoParser.Instance;
            if (Options.Recovery is { } recovery)
            {
                o.ConnectionStateRecovery = new ConnectionStateRecoveryOptions { MaxDisconnectionDuration = recovery, SkipMiddlewares = !Options.RecoveryRunsMiddleware };
            }
        });
        WebApplication app = builder.Build();
        SocketIoServer io = app.MapSocketIo(Options.Path);
        Namespace dynamic = io.Of(AnyButSecure);
        if (Options.Recovery is not null)
        {
            Func<TypedSocketIo.Server.Socket, Func<Task>, Task> recordMiddleware = (socket, next) =>
            {
                Record("middleware", socket.Recovered ? "true" : "false");
                return next();
            };
            io.Of("/").Use(recordMiddleware);
            dynamic.Use(recordMiddleware);
        }

        io.Of("/").OnConnection(Scenarios);
        dynamic.OnConnection(Scenarios);
        io.Of("/secure")
            .Use((socket, next) =>
            {
                JsonElement auth = socket.Handshake.Auth;
                string? token = auth.ValueKind == JsonValueKind.Object && auth.TryGetProperty("token", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (token == "ok")
                {
                    return next();
                }

                return Task.FromException(new ConnectionRejectedException("not authorized", new { code = 401, token }));
            })
            .OnConnection(Scenarios);
        io.Of("/odd").Use((_, _) => throw new ConnectionRejectedException("odd \ud800 name")); // a lone surrogate, written as an escape
        await app.StartAsync();
        _app = app;
    }

    private void Scenarios(TypedSocketIo.Server.Socket socket)
    {
        string nsp = socket.Namespace.Name;
        lock (_connections)
        {
            if (_connections.Add(socket.Conn))
            {
                socket.Conn.Closed += (conn, reason, _) =>
                {
                    lock (_connections)
                    {
                        _connections.Remove(conn);
                    }

                    Record("engine-close", reason);
                };
            }
        }

        Record("connect", JsonSerializer.Serialize(new { nsp, auth = socket.Handshake.Auth }));
        socket.On("whoami", e => e.Ack(new
        {
            nsp,
            id = socket.Id,
            transport = socket.Conn.Transport,
            auth = socket.Handshake.Auth,
            query = socket.Handshake.Query.TryGetValue("q", out var q) ? q.ToString() : null,
            header = socket.Handshake.Headers.TryGetValue("x-test", out var h) ? h.ToString() : null,
        }));
        socket.On("echo", e => socket.Emit("echo", e.Args.ToValues()));
        socket.On("ack", e => e.Ack(e.Args.ToValues()));
        socket.On("ask", async e =>
        {
            try
            {
                SocketIoArgs answer = await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", e.Args.ToValues());
                e.Ack(answer.ToValues());
            }
            catch (SocketIoTimeoutException ex)
            {
                e.Ack(new { error = ex.Message });
            }
        });
        socket.On("never", e => Record("never", e.Args.ToString()));
        socket.On("flaky", e =>
        {
            string key = e.Args.Get<string>(0);
            int n;
            lock (_attempts)
            {
                n = _attempts[key] = _attempts.GetValueOrDefault(key) + 1;
            }

            Record("flaky", $"{key}:{n}");
            if (n >= 3)
            {
                e.Ack(n);
            }
        });
        socket.On("record", e => Record("record", e.Args.ToString()));
        socket.On("disconnect-me", _ => socket.Disconnect());
        socket.On("close-engine", _ => socket.Conn.Close());
        socket.On("types", e => e.Ack(Enumerable.Range(0, e.Args.Count)
            .Select(i => e.Args.IsBinary(i) ? "buffer" : e.Args[i].ValueKind switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.Number => "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                _ => "object",
            }).ToArray()));
        socket.On("date", e => e.Ack(DateTime.UnixEpoch.AddMilliseconds(1700000000123)));
        socket.On("join", async e =>
        {
            string room = e.Args.Get<string>(0);
            await socket.Join(room);
            socket.Data = new Dictionary<string, string> { ["room"] = room };
            e.Ack();
        });
        socket.On("state", e => e.Ack(new
        {
            id = socket.Id,
            recovered = socket.Recovered,
            rooms = socket.Rooms.Where(r => r != socket.Id).Order(StringComparer.Ordinal).ToArray(),
            data = socket.Data,
        }));
        socket.On("drop-and-send", e =>
        {
            string room = e.Args.Get<string>(0);
            int n = e.Args.Get<int>(1);
            socket.Conn.Close();
            for (int i = 1; i <= n; i++)
            {
                socket.Namespace.To(room).Emit("missed", i);
            }

            socket.Namespace.To("not-" + room).Emit("other", 0);
            socket.Emit("direct", n);
        });
        socket.Disconnected += (_, reason, _) => Record("disconnect", $"{nsp}:{reason}");
    }

    public override async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await app.StopAsync(cts.Token);
            await app.DisposeAsync();
        }
    }

    public override async ValueTask DisposeAsync() => await StopAsync();

    public override string ToString() => Options.MsgPack ? "TypedSocketIo server with the msgpack parser" : "TypedSocketIo server";
}
