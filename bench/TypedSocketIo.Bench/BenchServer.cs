using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TypedSocketIo.Server;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Bench;

/// <summary>What the in-process server serves.</summary>
internal enum ServerKind
{
    /// <summary><c>MapEngineIo("/engine.io")</c> with an echo handler.</summary>
    EngineIo,

    /// <summary>A plain ASP.NET Core WebSocket echo endpoint at <c>/raw</c>.</summary>
    Raw,

    /// <summary>
    /// <c>MapSocketIo()</c> (path <c>/socket.io/</c>) whose sockets answer the event <c>echo</c> with
    /// <c>e.Ack(e.Args.GetString(0))</c>, the way users write it.
    /// </summary>
    SocketIo,

    /// <summary>The same Socket.IO server, but the handler acks with <c>e.AckRaw(…)</c>: the argument's raw JSON wrapped in <c>[…]</c>.</summary>
    SocketIoAckRaw,
}

internal static class ServerKinds
{
    /// <summary>The round-trip scenarios, in the order <c>all</c> runs them (raw in the middle, next to both others).</summary>
    public static readonly string[] RoundTripScenarios = ["echo", "raw", "sio", "sio-ackraw"];

    public static string Name(this ServerKind kind) => kind switch
    {
        ServerKind.EngineIo => "echo",
        ServerKind.Raw => "raw",
        ServerKind.SocketIo => "sio",
        ServerKind.SocketIoAckRaw => "sio-ackraw",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static ServerKind FromName(string name) => name switch
    {
        "echo" => ServerKind.EngineIo,
        "raw" => ServerKind.Raw,
        "sio" => ServerKind.SocketIo,
        "sio-ackraw" => ServerKind.SocketIoAckRaw,
        _ => throw new ArgumentException($"'{name}' is not a round-trip scenario."),
    };

    public static bool IsSocketIo(this ServerKind kind) => kind is ServerKind.SocketIo or ServerKind.SocketIoAckRaw;
}

/// <summary>A Kestrel server on 127.0.0.1 (port chosen by the OS) serving one of the endpoints.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    /// <summary>The first frame the raw endpoint sends, standing in for Engine.IO's open packet.</summary>
    private static readonly byte[] RawHello = "0{}"u8.ToArray();

    private readonly WebApplication _app;
    private int _rawOpen;
    private bool _rawBufferWhileIdle = true;

    private BenchServer(WebApplication app, ServerKind kind)
    {
        _app = app;
        Kind = kind;
    }

    public ServerKind Kind { get; }

    public Uri Uri { get; private set; } = null!;

    /// <summary>The Engine.IO server (for Socket.IO, the one underneath; null for <see cref="ServerKind.Raw"/>).</summary>
    public EngineIOServer? Engine { get; private set; }

    /// <summary>Open server-side connections: Engine.IO sessions, or raw WebSockets in their echo loop.</summary>
    public int OpenConnections => Engine?.SessionCount ?? Volatile.Read(ref _rawOpen);

    /// <param name="kind">The endpoint to serve.</param>
    /// <param name="configure">Engine.IO options (for Socket.IO, applied to its <see cref="SocketIoServerOptions"/>).</param>
    /// <param name="rawBufferWhileIdle">
    /// Whether the raw endpoint keeps its receive buffer while waiting (the usual sample code), or
    /// waits with a zero-byte read and rents a buffer per message as Engine.IO's transport does.
    /// </param>
    /// <param name="onEngineConnection">For <see cref="ServerKind.EngineIo"/>: the connection handler instead of the echo handler.</param>
    /// <param name="configureApp">Called before the endpoint is mapped (to add a middleware in front of it).</param>
    public static async Task<BenchServer> StartAsync(
        ServerKind kind,
        Action<EngineIOOptions>? configure = null,
        bool rawBufferWhileIdle = true,
        Action<EngineSocket>? onEngineConnection = null,
        Action<WebApplication>? configureApp = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new CountingLoggerProvider());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (kind.IsSocketIo())
        {
            builder.Services.AddSocketIo(o => configure?.Invoke(o));
        }

        WebApplication app = builder.Build();
        var server = new BenchServer(app, kind) { _rawBufferWhileIdle = rawBufferWhileIdle };
        configureApp?.Invoke(app);
        if (kind == ServerKind.EngineIo)
        {
            EngineIOEndpointConventionBuilder endpoint = app.MapEngineIo("/engine.io", onEngineConnection ?? OnConnection, configure);
            server.Engine = endpoint.Server;
        }
        else if (kind.IsSocketIo())
        {
            SocketIoServer io = app.MapSocketIo();
            io.OnConnection(kind == ServerKind.SocketIo ? OnSocketIoConnection : OnSocketIoConnectionAckRaw);
            server.Engine = io.Engine;
        }
        else
        {
            // Built like MapEngineIo builds its endpoint (a routed branch with its own
            // UseWebSockets, keep-alive pings off) so the two differ only in what runs inside.
            IApplicationBuilder pipeline = ((IEndpointRouteBuilder)app).CreateApplicationBuilder();
            pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
            pipeline.Run(server.RawEchoAsync);
            app.Map("/raw", pipeline.Build());
        }

        using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(startTimeout.Token).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new Uri(address);
        string path = kind switch
        {
            ServerKind.EngineIo => "/engine.io/?EIO=4&transport=websocket",
            ServerKind.Raw => "/raw",
            _ => "/socket.io/?EIO=4&transport=websocket",
        };
        server.Uri = new Uri($"ws://127.0.0.1:{http.Port}{path}");
        return server;
    }

    /// <summary>The Engine.IO echo handler: every message goes straight back.</summary>
    private static void OnConnection(EngineSocket socket)
    {
        socket.MessageReceived += static (s, message) =>
        {
            if (!s.Send(message))
            {
                Diagnostics.Instance.CountRefusedSend();
            }
        };
        socket.Closed += static (_, reason, _) => Diagnostics.Instance.CountClose(reason);
    }

    /// <summary>The Socket.IO echo handler as users write it: ack with the first argument.</summary>
    private static void OnSocketIoConnection(Socket socket)
    {
        socket.On("echo", static e =>
        {
            if (!e.Ack(e.Args.GetString(0)))
            {
                Diagnostics.Instance.CountRefusedSend();
            }
        });
        socket.Disconnected += static (_, reason, _) => Diagnostics.Instance.CountClose(reason);
    }

    /// <summary>
    /// The fastest ack the API offers: the first argument's raw JSON (no decoding, no serializing),
    /// wrapped in <c>[…]</c> in a new array of its exact size, sent with <c>AckRaw</c>. A fresh array
    /// per ack because the library does not say when it is done with the memory.
    /// </summary>
    private static void OnSocketIoConnectionAckRaw(Socket socket)
    {
        socket.On("echo", static e =>
        {
            ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(e.Args[0]);
            byte[] json = new byte[raw.Length + 2];
            json[0] = (byte)'[';
            raw.CopyTo(json.AsSpan(1));
            json[^1] = (byte)']';
            if (!e.AckRaw(json))
            {
                Diagnostics.Instance.CountRefusedSend();
            }
        });
        socket.Disconnected += static (_, reason, _) => Diagnostics.Instance.CountClose(reason);
    }

    /// <summary>
    /// The baseline: accept, say hello, then receive → send until the client closes. By default it
    /// keeps a 4 KB receive buffer per connection (the usual sample code); with
    /// <see cref="_rawBufferWhileIdle"/> off it waits with a zero-byte read and rents the buffer
    /// per message, as Engine.IO's WebSocket transport does, so an idle connection holds none.
    /// </summary>
    private async Task RawEchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using WebSocket webSocket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        Interlocked.Increment(ref _rawOpen);
        CancellationToken aborted = context.RequestAborted;
        string reason = "transport close";
        try
        {
            await webSocket.SendAsync(RawHello, WebSocketMessageType.Text, endOfMessage: true, aborted);
            if (_rawBufferWhileIdle)
            {
                byte[] buffer = new byte[4096];
                while (true)
                {
                    ValueWebSocketReceiveResult result = await webSocket.ReceiveAsync(buffer.AsMemory(), aborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted);
                        break;
                    }

                    await webSocket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, aborted);
                }
            }
            else
            {
                while (true)
                {
                    ValueWebSocketReceiveResult peek = await webSocket.ReceiveAsync(Memory<byte>.Empty, aborted);
                    if (peek.MessageType == WebSocketMessageType.Close)
                    {
                        await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted);
                        break;
                    }

                    byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
                    try
                    {
                        ValueWebSocketReceiveResult result = await webSocket.ReceiveAsync(buffer.AsMemory(), aborted);
                        await webSocket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, aborted);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            reason = "transport error";
        }
        finally
        {
            Interlocked.Decrement(ref _rawOpen);
            Diagnostics.Instance.CountClose(reason);
        }
    }

    /// <summary>Waits (bounded) until the server sees <paramref name="count"/> open connections.</summary>
    public async Task<bool> WaitForOpenConnectionsAsync(int count, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (OpenConnections != count)
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("warning: the server did not stop within 10 s");
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
