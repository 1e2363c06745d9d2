using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A Kestrel connection middleware: a connection whose first request is a WebSocket upgrade of an
/// Engine.IO endpoint is served here, from the listener's bytes, without ASP.NET Core's HTTP layer
/// (no HTTP/1.1 connection, request, headers or upgrade stream kept for the session's life). Every
/// other connection, from its first byte, goes on to ASP.NET Core unchanged.
/// </summary>
internal sealed partial class DirectWebSocketMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly IServiceProvider _services;
    private readonly DirectLimits _limits;
    private readonly ILogger _logger;
    private DirectEndpoints? _endpoints;

    public DirectWebSocketMiddleware(ConnectionDelegate next, IServiceProvider services, DirectLimits limits)
    {
        _next = next;
        _services = services;
        _limits = limits;
        _logger = (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger<DirectWebSocketMiddleware>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public Task OnConnectionAsync(ConnectionContext connection)
    {
        // The routes are complete once the application has started, which is before its first connection.
        DirectEndpoints endpoints = _endpoints ??= DirectEndpoints.Find(_services);
        return endpoints.IsEmpty ? _next(connection) : ReadFirstRequestAsync(connection, endpoints);
    }

    /// <summary>
    /// The connection's life when its first request may be taken here: the head, then ASP.NET Core
    /// or the session. One state machine lasts as long as the session, holding only the exchange.
    /// </summary>
    private async Task ReadFirstRequestAsync(ConnectionContext connection, DirectEndpoints endpoints)
    {
        (bool ended, RequestHead? head) = await ReadHeadInTimeAsync(connection, endpoints).ConfigureAwait(false);
        if (ended)
        {
            return;
        }

        if (head is null)
        {
            await _next(connection).ConfigureAwait(false);
            return;
        }

        DirectExchange exchange = Start(connection, head, out Task session);
        head = null;
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
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // the client went away before the answer: nothing more to say
        }
        catch (Exception ex)
        {
            LogRequestFailed(ex); // an application's OnCompleted callback, or disposing its request services
        }
    }

    /// <summary>
    /// The first request's head within the listener's headers timeout: taken here (the head),
    /// left to ASP.NET Core (null), or the connection ended before it came whole.
    /// </summary>
    private async ValueTask<(bool Ended, RequestHead? Head)> ReadHeadInTimeAsync(ConnectionContext connection, DirectEndpoints endpoints)
    {
        using var timeout = new CancellationTokenSource(_limits.RequestHeadersTimeout);
        try
        {
            return (false, await ReadHeadAsync(connection.Transport.Input, endpoints, timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // A head that did not come whole in time: the connection is cut, as Kestrel cuts it.
            connection.Abort(new ConnectionAbortedException("The request's head did not come in time."));
            return (true, null);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return (true, null); // the client went away (reset, or the server aborted the connection) before its head was whole
        }
    }

    /// <summary>
    /// Reads until the head of the first request is whole and taken here (consumed), or is not one
    /// taken here (left unread, for ASP.NET Core): then null.
    /// </summary>
    private async ValueTask<RequestHead?> ReadHeadAsync(PipeReader input, DirectEndpoints endpoints, CancellationToken cancellationToken)
    {
        var reader = new RequestHeadReader(endpoints, _limits);
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            switch (reader.Read(buffer, out RequestHead? head, out SequencePosition end))
            {
                case HeadVerdict.Take when CanServe(head!.Server.Options):
                    input.AdvanceTo(end);
                    return head;
                case HeadVerdict.NeedMore when !result.IsCompleted && !result.IsCanceled:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
                default:
                    input.AdvanceTo(buffer.Start);
                    return null;
            }
        }
    }

    /// <summary>
    /// Whether the server frames the WebSocket itself: ASP.NET Core's WebSocket (asked for by
    /// <see cref="EngineIOOptions.WebSocketFraming"/>, or by permessage-deflate) needs its HTTP layer.
    /// </summary>
    private static bool CanServe(EngineIOOptions options) =>
        options.WebSocketFraming == WebSocketFraming.Builtin
        && options.PerMessageDeflate is null
        && options.Transports.Contains(EngineIOOptions.WebSocket);

    /// <summary>
    /// Starts the request through the Engine.IO server on a context of its own; <paramref name="session"/>
    /// is its task (the session's, once upgraded). The request's objects are not kept while the
    /// session lasts, only the exchange.
    /// </summary>
    private DirectExchange Start(ConnectionContext connection, RequestHead head, out Task session)
    {
        var exchange = new DirectExchange(connection);
        var features = new FeatureCollection(10);
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Scheme = connection.Features.Get<ITlsHandshakeFeature>() is null ? "http" : "https",
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

    /// <summary>
    /// The response side of a request taken from the listener: its status and headers, a refusal's
    /// body (small, buffered, sent with the head), or the 101 and the upgraded connection's stream.
    /// </summary>
    private sealed class DirectExchange(ConnectionContext connection)
        : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpUpgradeFeature, IHttpWebSocketFeature, IHttpRequestLifetimeFeature
    {
        private MemoryStream? _body;
        private Stream? _bodyStream;
        private PipeWriter? _bodyWriter;
        private bool _started;

        public RequestServicesFeature? Services { get; set; }

        public bool Upgraded { get; private set; }

        // ------------------------------------------------------------------ IHttpResponseFeature

        public int StatusCode { get; set; } = StatusCodes.Status200OK;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        public Stream Body
        {
            get => _bodyStream ??= _body ??= new MemoryStream();
            set => _bodyStream = value;
        }

        public bool HasStarted => _started;

        // Response callbacks, as ASP.NET Core runs them: OnStarting before the head is written,
        // OnCompleted once the request is over (for an upgrade, when its session ends). Null
        // unless the application registers one.
        private List<(Func<object, Task> Callback, object State)>? _onStarting;
        private List<(Func<object, Task> Callback, object State)>? _onCompleted;

        public void OnStarting(Func<object, Task> callback, object state)
        {
            if (_started)
            {
                throw new InvalidOperationException("The response has already started.");
            }

            (_onStarting ??= []).Add((callback, state));
        }

        public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

        /// <summary>Runs the callbacks last registered first, as ASP.NET Core does.</summary>
        private static async Task RunAsync(List<(Func<object, Task> Callback, object State)>? callbacks)
        {
            if (callbacks is null)
            {
                return;
            }

            for (int i = callbacks.Count - 1; i >= 0; i--)
            {
                await callbacks[i].Callback(callbacks[i].State).ConfigureAwait(false);
            }
        }

        // ------------------------------------------------------------------ IHttpResponseBodyFeature

        public Stream Stream => Body;

        public PipeWriter Writer => _bodyWriter ??= PipeWriter.Create(Body, new StreamPipeWriterOptions(leaveOpen: true));

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async Task CompleteAsync()
        {
            if (_bodyWriter is { } writer)
            {
                await writer.FlushAsync().ConfigureAwait(false);
            }
        }

        // ------------------------------------------------------------------ IHttpUpgradeFeature, IHttpWebSocketFeature

        public bool IsUpgradableRequest => true;

        public bool IsWebSocketRequest => true;

        public async Task<Stream> UpgradeAsync()
        {
            if (_started)
            {
                throw new InvalidOperationException("The response has already started.");
            }

            await RunAsync(Interlocked.Exchange(ref _onStarting, null)).ConfigureAwait(false);
            StatusCode = StatusCodes.Status101SwitchingProtocols;
            PipeWriter output = connection.Transport.Output;
            if (!TryWriteHead(output))
            {
                StatusCode = StatusCodes.Status200OK;
                throw new InvalidOperationException("A response header set by the application holds a character HTTP/1.1 headers cannot carry.");
            }

            _started = Upgraded = true;
            await output.FlushAsync().ConfigureAwait(false);
            await ReleaseServicesAsync().ConfigureAwait(false);
            Headers = EmptyHeaders;
            return new DuplexPipeStream(connection.Transport);
        }

        /// <summary>Only the server's own framing runs here (see <see cref="CanServe"/>).</summary>
        public Task<System.Net.WebSockets.WebSocket> AcceptAsync(WebSocketAcceptContext context) =>
            throw new NotSupportedException("A WebSocket taken from the listener is framed by the Engine.IO server itself.");

        // ------------------------------------------------------------------ IHttpRequestLifetimeFeature

        public CancellationToken RequestAborted
        {
            get => connection.ConnectionClosed;
            set { }
        }

        public void Abort() => connection.Abort(new ConnectionAbortedException("The Engine.IO session aborted its connection."));

        // ------------------------------------------------------------------ the end of the request

        /// <summary>A request that failed before its answer: 500, nothing more said.</summary>
        public void Fail()
        {
            StatusCode = StatusCodes.Status500InternalServerError;
            Headers = new HeaderDictionary();
            _body = null;
            _bodyStream = null;
            _bodyWriter = null;
        }

        /// <summary>
        /// Sends a refused (or failed) request's answer, and gives back the request services. The
        /// connection then closes, as the reference closes a refused upgrade's.
        /// </summary>
        public async Task FinishAsync()
        {
            if (!Upgraded)
            {
                if (_bodyWriter is { } writer)
                {
                    await writer.FlushAsync().ConfigureAwait(false);
                }

                try
                {
                    await RunAsync(Interlocked.Exchange(ref _onStarting, null)).ConfigureAwait(false);
                }
                catch (Exception) when (!_started)
                {
                    Fail(); // as ASP.NET Core answers a request whose OnStarting failed: 500, nothing more said
                }

                Headers.Connection = "close";
                _started = true;
                PipeWriter output = connection.Transport.Output;
                if (!TryWriteHead(output))
                {
                    Fail();
                    TryWriteHead(output);
                }

                if (_body is { Length: > 0 } body)
                {
                    output.Write(body.GetBuffer().AsSpan(0, (int)body.Length));
                }

                await output.FlushAsync().ConfigureAwait(false);
            }

            await ReleaseServicesAsync().ConfigureAwait(false);
            await RunAsync(Interlocked.Exchange(ref _onCompleted, null)).ConfigureAwait(false);
        }

        private async ValueTask ReleaseServicesAsync()
        {
            if (Services is { } services)
            {
                Services = null;
                await services.DisposeAsync().ConfigureAwait(false);
            }
        }

        private static readonly HeaderDictionary EmptyHeaders = new() { IsReadOnly = true };

        /// <summary>
        /// Writes the status line and headers (any answer but the 101 with its body's length); false, with
        /// nothing written, when a header set by the application is not one HTTP/1.1 can carry.
        /// </summary>
        private bool TryWriteHead(PipeWriter output)
        {
            var head = new StringBuilder(256);
            head.Append("HTTP/1.1 ").Append(StatusCode).Append(' ')
                .Append(string.IsNullOrEmpty(ReasonPhrase) ? ReasonPhrases.GetReasonPhrase(StatusCode) : ReasonPhrase).Append("\r\n");
            foreach (KeyValuePair<string, StringValues> header in Headers)
            {
                if (string.Equals(header.Key, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (string? value in header.Value)
                {
                    if (!RequestHead.IsToken(header.Key) || !RequestHead.IsFieldValue(value))
                    {
                        return false;
                    }

                    head.Append(header.Key).Append(": ").Append(value).Append("\r\n");
                }
            }

            if (StatusCode != StatusCodes.Status101SwitchingProtocols)
            {
                head.Append("Content-Length: ").Append(_body?.Length ?? 0).Append("\r\n");
            }

            head.Append("\r\n");
            Encoding.ASCII.GetBytes(head.ToString(), output);
            return true;
        }
    }
}
