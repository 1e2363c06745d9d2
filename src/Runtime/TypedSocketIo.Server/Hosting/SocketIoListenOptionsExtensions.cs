using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        listenOptions.Use(next => new DirectWebSocketMiddleware(next, services, new DirectLimits(
            limits.MaxRequestLineSize,
            limits.MaxRequestHeadersTotalSize,
            limits.MaxRequestHeaderCount,
            limits.RequestHeadersTimeout)).OnConnectionAsync);
        return listenOptions;
    }
}
