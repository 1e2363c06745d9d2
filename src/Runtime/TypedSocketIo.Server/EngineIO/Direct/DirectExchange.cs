using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// The response side of a request taken from the listener: its status and headers, a refusal's
/// body (small, buffered, sent with the head), or the 101 and the upgraded connection's stream.
/// </summary>
internal sealed class DirectExchange(DirectConnection connection)
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
        if (TryFormatHead() is not { } head)
        {
            StatusCode = StatusCodes.Status200OK;
            throw new InvalidOperationException("A response header set by the application holds a character HTTP/1.1 headers cannot carry.");
        }

        _started = Upgraded = true;
        Stream upgraded = await connection.UpgradeAsync(head).ConfigureAwait(false);
        await ReleaseServicesAsync().ConfigureAwait(false);
        Headers = EmptyHeaders;
        return upgraded;
    }

    /// <summary>Only the server's own framing runs here (see <see cref="RequestHeadReader.CanServe"/>).</summary>
    public Task<System.Net.WebSockets.WebSocket> AcceptAsync(WebSocketAcceptContext context) =>
        throw new NotSupportedException("A WebSocket taken from the listener is framed by the Engine.IO server itself.");

    // ------------------------------------------------------------------ IHttpRequestLifetimeFeature

    public CancellationToken RequestAborted
    {
        get => connection.Closed;
        set { }
    }

    public void Abort() => connection.Abort();

    // ------------------------------------------------------------------ the end of the request

    // The request's end, once its session ends (DirectRequests.Serve): who finishes it, and the session.
    private DirectRequests? _finisher;
    private Task? _session;

    /// <summary>
    /// Has <paramref name="requests"/> finish this request when <paramref name="session"/> ends:
    /// a delegate in the session task's continuations, run on the thread that ends it.
    /// </summary>
    public void FinishWhenDone(DirectRequests requests, Task session)
    {
        _finisher = requests;
        _session = session;
        session.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(SessionDone);
    }

    private void SessionDone()
    {
        Task session = _session!;
        DirectRequests requests = _finisher!;
        _session = null;
        _finisher = null;
        _ = requests.FinishAsync(connection, this, session);
    }

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
            if (TryFormatHead() is not { } head)
            {
                Fail();
                head = TryFormatHead()!;
            }

            if (_body is { Length: > 0 } body)
            {
                head = [.. head, .. body.GetBuffer().AsSpan(0, (int)body.Length)];
            }

            await connection.WriteAsync(head).ConfigureAwait(false);
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
    /// The status line and headers (any answer but the 101 with its body's length); null when a
    /// header set by the application is not one HTTP/1.1 can carry.
    /// </summary>
    private byte[]? TryFormatHead()
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
                    return null;
                }

                head.Append(header.Key).Append(": ").Append(value).Append("\r\n");
            }
        }

        if (StatusCode != StatusCodes.Status101SwitchingProtocols)
        {
            head.Append("Content-Length: ").Append(_body?.Length ?? 0).Append("\r\n");
        }

        head.Append("\r\n");
        return Encoding.ASCII.GetBytes(head.ToString());
    }
}
