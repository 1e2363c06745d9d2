using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using TypedSocketIo.Server.EngineIO.Framing;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// An Engine.IO server: verifies requests, runs handshakes, and routes each request to its
/// session. Created by <c>MapEngineIo</c>; the Socket.IO server runs on the same class.
/// </summary>
public sealed class EngineIOServer
{
    private static readonly string[] ErrorMessages =
    [
        "Transport unknown",
        "Session ID unknown",
        "Bad handshake method",
        "Bad request",
        "Forbidden",
        "Unsupported protocol version",
    ];

    private readonly ConcurrentDictionary<string, EngineSocket> _sessions = new(StringComparer.Ordinal);
    private volatile bool _closed;

    /// <summary>Creates a server with <paramref name="options"/>.</summary>
    public EngineIOServer(EngineIOOptions options, ILogger<EngineIOServer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Log = new EngineLog(logger);
    }

    /// <summary>The options (read at each request; change them before the server starts).</summary>
    public EngineIOOptions Options { get; }

    internal EngineLog Log { get; }

    /// <summary>The instruments the transports report to; null records nothing.</summary>
    internal EngineMetrics? Metrics { get; init; }

    /// <summary>How many sessions are open.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The open sessions.</summary>
    public ICollection<EngineSocket> Sessions => _sessions.Values;

    /// <summary>Raised for every new session, before its handshake response is sent.</summary>
    public event Action<EngineSocket>? Connection;

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of the server's metrics (see
    /// docs/server.md): the Engine.IO instruments and, under a Socket.IO server, its own.
    /// </summary>
    public const string MeterName = "TypedSocketIo.Server";

    /// <summary>Finds an open session by id.</summary>
    public bool TryGetSession(string id, out EngineSocket socket) => _sessions.TryGetValue(id, out socket!);

    /// <summary>Closes every session (reason <c>server shutting down</c>) and refuses new ones.</summary>
    public void Close()
    {
        _closed = true;
        foreach (EngineSocket socket in _sessions.Values)
        {
            socket.OnClose("server shutting down", null);
        }
    }

    internal void Remove(EngineSocket socket) => _sessions.TryRemove(new KeyValuePair<string, EngineSocket>(socket.Id, socket));

    /// <summary>Handles one Engine.IO request (handshake, poll, post or WebSocket).</summary>
    /// <remarks>
    /// Not an async method, nor are the steps that start a session: the task returned is the
    /// session's own (the WebSocket's receive loop, the poll) once its start completed, so that a
    /// request that lasts as long as its WebSocket holds no state machine of its start.
    /// </remarks>
    public Task HandleRequestAsync(HttpContext context)
    {
        // A repeated parameter counts once, as the reference reads it (its first value); a repeated
        // transport that names two different transports is a bad request.
        IQueryCollection query = context.Request.Query;
        StringValues transports = query.TryGetValue("transport", out StringValues t) ? t : default;
        string? transport = transports.Count > 0 ? transports[0] : null;
        string? sid = query.TryGetValue("sid", out StringValues s) && s.Count > 0 ? s[0] : null;
        bool isWebSocket = context.WebSockets.IsWebSocketRequest;

        if (transport is null || !Options.Transports.Contains(transport))
        {
            return RefuseAsync(context, EngineErrorCode.UnknownTransport);
        }

        for (int i = 1; i < transports.Count; i++)
        {
            if (transports[i] != transport)
            {
                return RefuseAsync(context, EngineErrorCode.BadRequest);
            }
        }

        if (!string.IsNullOrEmpty(sid))
        {
            if (!_sessions.TryGetValue(sid, out EngineSocket? socket))
            {
                return RefuseAsync(context, EngineErrorCode.UnknownSid);
            }

            if (isWebSocket)
            {
                if (transport != EngineIOOptions.WebSocket || !Options.AllowUpgrades)
                {
                    return RefuseAsync(context, EngineErrorCode.BadRequest);
                }

                return UpgradeAsync(context, socket);
            }

            if (transport != EngineIOOptions.Polling || socket.Polling is not { } polling)
            {
                return RefuseAsync(context, EngineErrorCode.BadRequest);
            }

            if (HttpMethods.IsGet(context.Request.Method))
            {
                return polling.HandleGetAsync(context);
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                return polling.HandlePostAsync(context);
            }

            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return RefuseAsync(context, EngineErrorCode.BadHandshakeMethod);
        }

        // A WebSocket handshake must say transport=websocket, and a websocket one must be a WebSocket
        // request (the reference accepts the former's upgrade, then closes it without a session).
        if ((transport == EngineIOOptions.WebSocket) != isWebSocket)
        {
            return RefuseAsync(context, EngineErrorCode.BadRequest);
        }

        return Started(Options.AllowRequest is { } allowRequest
            ? AllowThenHandshakeAsync(context, allowRequest, transport, isWebSocket)
            : HandshakeAsync(context, transport, isWebSocket));
    }

    /// <summary>
    /// The task of a session whose start is <paramref name="starting"/>: the session's own when the
    /// start completed at once (the common case), otherwise one that waits for the start, then for it.
    /// </summary>
    private static Task Started(ValueTask<Task> starting) =>
        starting.IsCompletedSuccessfully ? starting.Result : AfterStartAsync(starting);

    private static async Task AfterStartAsync(ValueTask<Task> starting) =>
        await (await starting.ConfigureAwait(false)).ConfigureAwait(false);

    private async ValueTask<Task> AllowThenHandshakeAsync(HttpContext context, Func<HttpContext, ValueTask<EngineRequestVerdict>> allowRequest, string transport, bool isWebSocket)
    {
        EngineRequestVerdict verdict = await allowRequest(context).ConfigureAwait(false);
        if (!verdict.Allowed)
        {
            await RefuseAsync(context, EngineErrorCode.Forbidden, verdict.Message).ConfigureAwait(false);
            return Task.CompletedTask;
        }

        return await HandshakeAsync(context, transport, isWebSocket).ConfigureAwait(false);
    }

    /// <summary>Opens a session and returns its task: the WebSocket's receive loop, or the first poll.</summary>
    private async ValueTask<Task> HandshakeAsync(HttpContext context, string transport, bool isWebSocket)
    {
        string? eio = context.Request.Query["EIO"];
        EngineIOProtocol? requested = eio == "4" ? EngineIOProtocol.V4 : eio == "3" && Options.AllowEIO3 ? EngineIOProtocol.V3 : null;
        if (requested is not { } protocol || _closed)
        {
            return RefuseAsync(context, requested is null ? EngineErrorCode.UnsupportedProtocolVersion : EngineErrorCode.BadRequest);
        }

        string id;
        try
        {
            id = Options.GenerateId is { } generate ? await generate(context).ConfigureAwait(false) : GenerateId();
            if (string.IsNullOrEmpty(id) || _sessions.ContainsKey(id))
            {
                throw new InvalidOperationException("The session id generator returned an empty or duplicate id.");
            }
        }
        catch (Exception ex)
        {
            Log.IdGenerationFailed(ex);
            return RefuseAsync(context, EngineErrorCode.BadRequest);
        }

        // b64 (v3): the client cannot take binary payloads, so binary goes as base64 text.
        bool supportsBinary = protocol == EngineIOProtocol.V4 || string.IsNullOrEmpty(context.Request.Query["b64"]);
        ApplyInitialHeaders(context, id, polling: !isWebSocket);

        if (isWebSocket)
        {
            WebSocketConnection webSocket = await AcceptWebSocketAsync(context, protocol).ConfigureAwait(false);
            var webSocketTransport = new WebSocketTransport(webSocket, protocol, AbortOf(context)) { Metrics = Metrics };
            Open(context, id, protocol, webSocketTransport);
            // The session ends with its transport: the receive loop's end closes the transport,
            // which closes the session (Closed, wired by the session before the loop starts).
            return webSocketTransport.RunAsync();
        }

        var pollingTransport = new PollingTransport(this, protocol, supportsBinary);
        Open(context, id, protocol, pollingTransport);
        return pollingTransport.HandleGetAsync(context);
    }

    private EngineSocket Open(HttpContext context, string id, EngineIOProtocol protocol, EngineTransport transport)
    {
        var socket = new EngineSocket(this, id, protocol, new EngineRequest(context), transport);
        _sessions[id] = socket;
        socket.Open(id);
        Log.SessionOpened(id, transport.Name, (int)protocol);
        try
        {
            Connection?.Invoke(socket);
        }
        catch (Exception ex)
        {
            Log.ConnectionHandlerFailed(ex);
            socket.OnClose("forced close", ex.Message);
        }

        return socket;
    }

    private Task UpgradeAsync(HttpContext context, EngineSocket socket)
    {
        Options.OnHeaders?.Invoke(context.Response.Headers, context);
        return Started(AcceptUpgradeAsync(context, socket));
    }

    /// <summary>Accepts the upgrade's WebSocket and returns its task: its receive loop.</summary>
    private async ValueTask<Task> AcceptUpgradeAsync(HttpContext context, EngineSocket socket)
    {
        WebSocketConnection webSocket = await AcceptWebSocketAsync(context, socket.Protocol).ConfigureAwait(false);
        var transport = new WebSocketTransport(webSocket, socket.Protocol, AbortOf(context)) { Metrics = Metrics };
        return socket.HandleUpgradeAsync(transport);
    }

    /// <summary>
    /// What cuts the request's connection, without keeping its HttpContext for the session's life:
    /// the request's lifetime feature (in Kestrel, its HTTP/1.1 connection), or the context itself.
    /// </summary>
    private static IHttpRequestLifetimeFeature AbortOf(HttpContext context) =>
        context.Features.Get<IHttpRequestLifetimeFeature>() ?? new ContextLifetime(context);

    /// <summary>A host without a lifetime feature: the context's own abort.</summary>
    private sealed class ContextLifetime(HttpContext context) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted
        {
            get => context.RequestAborted;
            set => context.RequestAborted = value;
        }

        public void Abort() => context.Abort();
    }

    /// <summary>
    /// Accepts the WebSocket: with the server's own framing when <see cref="EngineIOOptions.WebSocketFraming"/>
    /// asks for it and the request is an HTTP/1.1 upgrade without permessage-deflate; with ASP.NET
    /// Core's WebSocket otherwise (HTTP/2, a host without the upgrade feature, compression on).
    /// </summary>
    private async Task<WebSocketConnection> AcceptWebSocketAsync(HttpContext context, EngineIOProtocol protocol)
    {
        if (Options.WebSocketFraming == WebSocketFraming.Builtin && Options.PerMessageDeflate is null && WebSocketHandshake.CanAccept(context))
        {
            Stream stream = await WebSocketHandshake.AcceptAsync(context).ConfigureAwait(false);
            return new FramedWebSocketConnection(stream, protocol, Options.MaxHttpBufferSize);
        }

        WebSocket webSocket = await AcceptAspNetCoreWebSocketAsync(context).ConfigureAwait(false);
        return new AspNetCoreWebSocketConnection(webSocket, protocol, Options.MaxHttpBufferSize, Options.PerMessageDeflate?.Threshold);
    }

    private Task<WebSocket> AcceptAspNetCoreWebSocketAsync(HttpContext context)
    {
        var accept = new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero };
        if (Options.PerMessageDeflate is { } deflate)
        {
            accept.DangerousEnableCompression = true;
            accept.DisableServerContextTakeover = !deflate.ServerContextTakeover;
            accept.ServerMaxWindowBits = deflate.ServerMaxWindowBits;
        }

        return context.WebSockets.AcceptWebSocketAsync(accept);
    }

    /// <summary>Makes a session id: 15 cryptographically random bytes, base64url (20 characters).</summary>
    public static string GenerateId()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    // ------------------------------------------------------------------ responses

    private void ApplyInitialHeaders(HttpContext context, string id, bool polling)
    {
        IHeaderDictionary headers = context.Response.Headers;
        if (polling && Options.Cookie is { } cookie)
        {
            // Only the long-polling handshake carries the cookie, as in the reference.
            headers.Append(HeaderNames.SetCookie, FormatCookie(cookie, id));
        }

        Options.OnInitialHeaders?.Invoke(headers, context);
        if (!polling)
        {
            Options.OnHeaders?.Invoke(headers, context);
        }
    }

    internal static string FormatCookie(EngineCookieOptions cookie, string id)
    {
        var header = new SetCookieHeaderValue(cookie.Name, Uri.EscapeDataString(id))
        {
            Path = cookie.Path,
            Domain = cookie.Domain,
            HttpOnly = cookie.HttpOnly ?? cookie.Path is not null,
            Secure = cookie.Secure,
            MaxAge = cookie.MaxAge,
            Expires = cookie.Expires,
            SameSite = cookie.SameSite switch
            {
                Microsoft.AspNetCore.Http.SameSiteMode.Strict => Microsoft.Net.Http.Headers.SameSiteMode.Strict,
                Microsoft.AspNetCore.Http.SameSiteMode.None => Microsoft.Net.Http.Headers.SameSiteMode.None,
                Microsoft.AspNetCore.Http.SameSiteMode.Lax => Microsoft.Net.Http.Headers.SameSiteMode.Lax,
                _ => Microsoft.Net.Http.Headers.SameSiteMode.Unspecified,
            },
        };
        return header.ToString();
    }

    private async Task RefuseAsync(HttpContext context, EngineErrorCode code, string? message = null)
    {
        message ??= ErrorMessages[(int)code];
        Log.RequestRefused(code, message);
        Metrics?.HandshakeFailed(code);
        try
        {
            if (Options.OnConnectionError is { } onError)
            {
                onError(new EngineConnectionError(code, message, new EngineRequest(context)));
            }
        }
        catch (Exception ex)
        {
            Log.HandlerFailed("-", ex);
        }

        HttpResponse response = context.Response;
        if (context.WebSockets.IsWebSocketRequest)
        {
            // As the reference answers a refused upgrade: always 400, the message as plain text.
            byte[] text = System.Text.Encoding.UTF8.GetBytes(message);
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.Headers.Connection = "close";
            response.ContentType = "text/html";
            response.ContentLength = text.Length;
            await response.Body.WriteAsync(text).ConfigureAwait(false);
            return;
        }

        response.StatusCode = code == EngineErrorCode.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        response.ContentType = "application/json";
        using var body = new PooledBufferWriter(64);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteNumber("code", (int)code);
            json.WriteString("message", message);
            json.WriteEndObject();
        }

        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory).ConfigureAwait(false);
    }

    internal Task WriteBadRequestAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
