using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// Serves the WebSocket requests taken at a listener, whoever took them (the connection middleware
/// over Kestrel's transport, or the server's own socket transport): each through the Engine.IO
/// server, on a context of its own, and then its session.
/// </summary>
internal sealed partial class DirectRequests
{
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly Func<DirectLimits> _readLimits;
    private DirectEndpoints? _endpoints;
    private DirectLimits? _limits;

    /// <param name="services">The application's services.</param>
    /// <param name="limits">The listener's limits, read at the first connection: the application may set them after the listener.</param>
    public DirectRequests(IServiceProvider services, Func<DirectLimits> limits)
    {
        _services = services;
        _readLimits = limits;
        _logger = (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger<DirectWebSocketMiddleware>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The listener's limits on a request's head.</summary>
    public DirectLimits Limits => _limits ??= _readLimits();

    /// <summary>The application's Engine.IO endpoints; complete once it has started, which is before its first connection.</summary>
    public DirectEndpoints Endpoints => _endpoints ??= DirectEndpoints.Find(_services);

    /// <summary>
    /// Serves a request taken at the listener: its answer, and for an upgrade its session, until it
    /// ends. Holds only the exchange while the session lasts.
    /// </summary>
    public Task ServeAsync(DirectConnection connection, RequestHead head)
    {
        // Not an async method itself: its state machine would keep the head (and its headers) for
        // the session's life.
        DirectExchange exchange = Start(connection, head, out Task session);
        return FinishAsync(connection, exchange, session);
    }

    /// <summary>
    /// Serves a request taken on a connection the server owns (nothing awaits it), as
    /// <see cref="ServeAsync"/> does: while the session lasts, only the exchange and one delegate on
    /// the session's task are kept, not a state machine that waits for it.
    /// </summary>
    public void Serve(DirectConnection connection, RequestHead head)
    {
        DirectExchange exchange = Start(connection, head, out Task session);
        if (session.IsCompleted)
        {
            _ = FinishAsync(connection, exchange, session);
        }
        else
        {
            exchange.FinishWhenDone(this, session);
        }
    }

    /// <summary>Ends the request once its session ended: a failed request's answer, the response's last callbacks, and the connection's end.</summary>
    internal async Task FinishAsync(DirectConnection connection, DirectExchange exchange, Task session)
    {
        try
        {
            await session.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRequestFailed(ex);
            if (!exchange.Upgraded)
            {
                exchange.Fail();
            }
        }

        try
        {
            await exchange.FinishAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // the client went away before the answer: nothing more to say
        }
        catch (Exception ex)
        {
            LogRequestFailed(ex); // an application's OnCompleted callback, or disposing its request services
        }
        finally
        {
            connection.Ended();
        }
    }

    /// <summary>
    /// Starts the request through the Engine.IO server on a context of its own; <paramref name="session"/>
    /// is its task (the session's, once upgraded). The request's objects are not kept while the
    /// session lasts, only the exchange.
    /// </summary>
    private DirectExchange Start(DirectConnection connection, RequestHead head, out Task session)
    {
        var exchange = new DirectExchange(connection);
        var features = new FeatureCollection(10);
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = connection.IsTls ? "https" : "http",
            Method = HttpMethods.Get,
            PathBase = "",
            Path = head.Path,
            QueryString = head.QueryString,
            RawTarget = head.Target,
            Headers = head.Headers,
        });
        var endPoint = connection.RemoteEndPoint as IPEndPoint;
        var local = connection.LocalEndPoint as IPEndPoint;
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = connection.ConnectionId,
            RemoteIpAddress = endPoint?.Address,
            RemotePort = endPoint?.Port ?? 0,
            LocalIpAddress = local?.Address,
            LocalPort = local?.Port ?? 0,
        });
        features.Set<IHttpResponseFeature>(exchange);
        features.Set<IHttpResponseBodyFeature>(exchange);
        features.Set<IHttpUpgradeFeature>(exchange);
        features.Set<IHttpWebSocketFeature>(exchange);
        features.Set<IHttpRequestLifetimeFeature>(exchange);
        var context = new DefaultHttpContext(features);
        // Request services, as ASP.NET Core gives a request: a scope made on first use, and given
        // back once the handshake is answered.
        var services = new RequestServicesFeature(context, _services.GetService<IServiceScopeFactory>());
        features.Set<IServiceProvidersFeature>(services);
        exchange.Services = services;

        try
        {
            session = head.Server.HandleRequestAsync(context);
        }
        catch (Exception ex)
        {
            session = Task.FromException(ex);
        }

        return exchange;
    }

    [LoggerMessage(1, LogLevel.Error, "An Engine.IO WebSocket request taken from the listener failed.")]
    private partial void LogRequestFailed(Exception exception);
}
