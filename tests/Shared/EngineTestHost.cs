using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Testing;

/// <summary>What the server saw, in order: connections, messages and closes.</summary>
public sealed record ServerEvent(string Kind, string Sid, string? Reason = null, string? Description = null, EnginePacket Message = default);

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) serving Engine.IO at /engine.io/, recording
/// what its sessions do. By default it echoes every message back.
/// </summary>
public sealed class EngineTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ServerEvent> _events = Channel.CreateUnbounded<ServerEvent>();

    private EngineTestHost(WebApplication app, EngineIOServer server, Uri baseUri)
    {
        _app = app;
        Server = server;
        BaseUri = baseUri;
    }

    /// <summary>The Engine.IO server.</summary>
    public EngineIOServer Server { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri BaseUri { get; }

    /// <summary>Whether sessions echo the messages they receive.</summary>
    public bool Echo { get; set; } = true;

    /// <summary>The sessions opened so far, by id.</summary>
    public Dictionary<string, EngineSocket> Sockets { get; } = new();

    /// <summary>Starts a host.</summary>
    public static async Task<EngineTestHost> StartAsync(
        Action<EngineIOOptions>? configure = null,
        Action<EngineSocket>? onConnection = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configurePipeline = null,
        Action<EngineIOEndpointConventionBuilder>? configureEndpoint = null,
        Action<ListenOptions>? configureListener = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => configureListener?.Invoke(listen)));
        builder.Logging.ClearProviders();
        configureBuilder?.Invoke(builder);
        WebApplication app = builder.Build();
        configurePipeline?.Invoke(app);
        EngineTestHost? host = null;
        EngineIOEndpointConventionBuilder endpoint = app.MapEngineIo("/engine.io/", socket =>
        {
            host!.OnConnection(socket);
            onConnection?.Invoke(socket);
        }, configure);
        configureEndpoint?.Invoke(endpoint);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = new EngineTestHost(app, endpoint.Server, new Uri(address));
        return host;
    }

    private void OnConnection(EngineSocket socket)
    {
        lock (Sockets)
        {
            Sockets[socket.Id] = socket;
            Monitor.PulseAll(Sockets);
        }

        _events.Writer.TryWrite(new ServerEvent("connection", socket.Id));
        socket.MessageReceived += (s, message) =>
        {
            _events.Writer.TryWrite(new ServerEvent("message", s.Id, Message: message));
            if (Echo)
            {
                s.Send(message);
            }
        };
        socket.Closed += (s, reason, description) => _events.Writer.TryWrite(new ServerEvent("close", s.Id, reason, description));
    }

    /// <summary>
    /// The session with that id. A client can read the open packet before the server's connection
    /// event has run: the session is waited for, up to ten seconds.
    /// </summary>
    public EngineSocket Socket(string sid)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        lock (Sockets)
        {
            EngineSocket? socket;
            while (!Sockets.TryGetValue(sid, out socket))
            {
                TimeSpan left = TimeSpan.FromSeconds(10) - deadline.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    throw new KeyNotFoundException($"No session {sid} within 10 s.");
                }

                Monitor.Wait(Sockets, left);
            }

            return socket;
        }
    }

    /// <summary>An absolute URL of the Engine.IO endpoint with the given query.</summary>
    public Uri Url(string query, string path = "/engine.io/") => new(BaseUri, path + "?" + query);

    /// <summary>A ws:// URL of the Engine.IO endpoint with the given query.</summary>
    public Uri WebSocketUrl(string query) => new($"ws://{BaseUri.Authority}/engine.io/?{query}");

    /// <summary>Waits (bounded) for the next server event of <paramref name="kind"/>, skipping others.</summary>
    public async Task<ServerEvent> NextAsync(string kind, string? sid = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                ServerEvent e = await _events.Reader.ReadAsync(cts.Token);
                if (e.Kind == kind && (sid is null || e.Sid == sid))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No server '{kind}' event{(sid is null ? "" : " for " + sid)} within {timeout ?? TimeSpan.FromSeconds(10)}.");
        }
    }

    /// <summary>Stops the host.</summary>
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
