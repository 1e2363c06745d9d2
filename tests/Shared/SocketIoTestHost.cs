using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;

namespace TypedSocketIo.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port) serving Socket.IO at /socket.io/.</summary>
public sealed class SocketIoTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Kind, string Detail, bool Taken)> _events = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private SocketIoTestHost(WebApplication app, SocketIoServer io, Uri baseUri)
    {
        _app = app;
        Io = io;
        BaseUri = baseUri;
    }

    /// <summary>The server.</summary>
    public SocketIoServer Io { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri BaseUri { get; }

    /// <summary>The URL of a namespace, for clients.</summary>
    public string Url(string nsp = "/") => BaseUri.ToString().TrimEnd('/') + (nsp == "/" ? "" : nsp);

    /// <summary>Starts a host; <paramref name="configure"/> sets up namespaces and handlers.</summary>
    public static async Task<SocketIoTestHost> StartAsync(Action<SocketIoServer, SocketIoTestHost>? configure = null,
        Action<SocketIoServerOptions>? options = null, Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configurePipeline = null, Action<SocketIoEndpointConventionBuilder>? configureEndpoint = null,
        Action<ListenOptions>? configureListener = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => configureListener?.Invoke(listen)));
        builder.Logging.ClearProviders();
        builder.Services.AddSocketIo(o =>
        {
            o.AllowEIO3 = true;
            options?.Invoke(o);
        });
        configureBuilder?.Invoke(builder);
        WebApplication app = builder.Build();
        configurePipeline?.Invoke(app);
        SocketIoEndpointConventionBuilder endpoint = app.MapSocketIo();
        configureEndpoint?.Invoke(endpoint);
        SocketIoServer io = endpoint.Server;
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new SocketIoTestHost(app, io, new Uri(address));
        configure?.Invoke(io, host);
        return host;
    }

    /// <summary>Records something the server saw, for the test to wait on.</summary>
    public void Record(string kind, string detail = "")
    {
        TaskCompletionSource changed;
        lock (_events)
        {
            _events.Add((kind, detail, false));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits (bounded) for the first recorded event of <paramref name="kind"/> not yet taken, and takes it.</summary>
    public async Task<string> NextAsync(string kind, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(10);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_events)
            {
                for (int i = 0; i < _events.Count; i++)
                {
                    if (!_events[i].Taken && _events[i].Kind == kind)
                    {
                        _events[i] = _events[i] with { Taken = true };
                        return _events[i].Detail;
                    }
                }

                changed = _changed.Task;
            }

            TimeSpan left = limit - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Nothing recorded as '{kind}' within {limit}.");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>How many events of <paramref name="kind"/> were recorded.</summary>
    public int Count(string kind)
    {
        lock (_events)
        {
            return _events.Count(e => e.Kind == kind);
        }
    }

    /// <summary>The application's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Stops the host (bounded) and disposes it; later calls do nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
