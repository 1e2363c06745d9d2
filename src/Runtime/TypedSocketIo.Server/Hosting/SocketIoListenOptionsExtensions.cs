using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TypedSocketIo.Server.EngineIO.Direct;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Serves Socket.IO's WebSocket connections straight from a Kestrel listener.</summary>
public static class SocketIoListenOptionsExtensions
{
    /// <summary>
    /// Takes the WebSocket connections of the application's Socket.IO (and Engine.IO) endpoints at
    /// this listener, below ASP.NET Core's HTTP layer: a connection whose first request is such an
    /// upgrade is answered here and framed by the server itself, and keeps none of ASP.NET Core's
    /// per-request objects while it lasts. Every other connection goes on to ASP.NET Core
    /// unchanged, from its first byte: long-polling, other endpoints, HTTP/2.
    /// </summary>
    /// <remarks>
    /// The application's own middleware does not run for the WebSocket requests taken here; the
    /// server's options (<c>AllowRequest</c>, the header callbacks) and Socket.IO middleware do. An
    /// endpoint that asks for authorization, a host or rate limiting is left to ASP.NET Core, and
    /// so is every request while the server uses ASP.NET Core's WebSocket (permessage-deflate, or
    /// <c>WebSocketFraming.AspNetCore</c>). Call it after <c>UseHttps</c>, so that it reads the
    /// decrypted bytes. The listener's limits on a request's head (line, headers, count, timeout)
    /// apply here as Kestrel applies them. See docs/server.md, "WebSockets from the listener".
    /// </remarks>
    public static ListenOptions UseSocketIoWebSockets(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        KestrelServerLimits limits = listenOptions.KestrelServerOptions.Limits;
        IServiceProvider services = listenOptions.ApplicationServices;
        var requests = new DirectRequests(services, () => new DirectLimits(
            limits.MaxRequestLineSize,
            limits.MaxRequestHeadersTotalSize,
            limits.MaxRequestHeaderCount,
            limits.RequestHeadersTimeout));
        listenOptions.Use(next => new DirectWebSocketMiddleware(next, requests).OnConnectionAsync);
        services.GetService<DirectSocketTransport>()?.Add(listenOptions.EndPoint, requests); // with UseSocketIoTransport
        return listenOptions;
    }

    /// <summary>
    /// Lets the listeners that take Socket.IO's WebSockets (<see cref="UseSocketIoWebSockets"/>)
    /// serve each such session on its bare socket, with no Kestrel connection or pipes while it
    /// lasts: the host's transport becomes Kestrel's socket transport with those listeners accepted
    /// by the server. Each of their connections is looked at before Kestrel sees it, its bytes left
    /// unread: a WebSocket upgrade of an Engine.IO endpoint whose head came whole in its first bytes
    /// is served here; every other connection becomes Kestrel's own socket connection and goes on
    /// through the listener's middleware (<see cref="UseSocketIoWebSockets"/> then takes a head
    /// that came in pieces). Every other listener is bound by Kestrel's socket transport, with the
    /// options of <c>UseSockets</c>.
    /// </summary>
    /// <remarks>
    /// The sessions served on bare sockets are not Kestrel's connections: Kestrel's connection
    /// limits, connection logging and metrics do not count them. Only for listeners without TLS
    /// (a TLS connection's first bytes are not a request, so it goes on to Kestrel). See
    /// docs/server.md, "WebSockets from the listener".
    /// </remarks>
    public static IWebHostBuilder UseSocketIoTransport(this IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(static services =>
        {
            services.TryAddSingleton<DirectSocketTransport>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, DirectSocketTransport>(static sp => sp.GetRequiredService<DirectSocketTransport>()));
        });
    }
}
