using Microsoft.AspNetCore.Http;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>Options of an Engine.IO server (the same names as the Node reference's options).</summary>
public class EngineIOOptions
{
    /// <summary>The transport names this server knows.</summary>
    public const string Polling = "polling", WebSocket = "websocket";

    /// <summary>How often the server sends a heartbeat (v4). Default 25 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long the server waits for the heartbeat answer before closing the session. Default 20 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a transport upgrade may take before it is abandoned. Default 10 s.</summary>
    public TimeSpan UpgradeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a session closed by the server waits for the client's next long-polling request,
    /// which carries the close packet. Default 30 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest message or polling body accepted, in bytes (advertised as <c>maxPayload</c>). Default 1 MB.</summary>
    public long MaxHttpBufferSize { get; set; } = 1_000_000;

    /// <summary>
    /// The most bytes of packets a session may have waiting to be written to its client (the
    /// WebSocket send queue, or the packets held for the next long-polling request). A client that
    /// stops reading fills it; past it the session is closed ("transport error", "send buffer
    /// full") rather than growing. A single packet larger than the limit still goes out when
    /// nothing else waits. Volatile packets never wait, so they never count. Default 4 MB.
    /// </summary>
    public long MaxSendBufferSize { get; set; } = 4_000_000;

    /// <summary>The allowed transports, in the order of preference. Default polling and websocket.</summary>
    public IList<string> Transports { get; set; } = new List<string> { Polling, WebSocket };

    /// <summary>Whether clients may upgrade from polling to WebSocket. Default true.</summary>
    public bool AllowUpgrades { get; set; } = true;

    /// <summary>Whether Engine.IO v3 clients (<c>EIO=3</c>, e.g. socket.io-client 2.x) are accepted. Default false.</summary>
    public bool AllowEIO3 { get; set; }

    /// <summary>
    /// Who frames WebSocket messages over HTTP/1.1: <see cref="EngineIO.WebSocketFraming.Builtin"/>
    /// (the default), the server's own RFC 6455 framing over the upgraded connection, which parses
    /// every frame of a read at once and writes a burst of messages with one flush; or
    /// <see cref="EngineIO.WebSocketFraming.AspNetCore"/>, ASP.NET Core's WebSocket. ASP.NET Core's
    /// is used whatever this says for HTTP/2 WebSockets, on hosts without an HTTP/1.1 upgrade
    /// (e.g. TestServer), and when <see cref="PerMessageDeflate"/> is on (the built-in framing
    /// negotiates no extension).
    /// </summary>
    public WebSocketFraming WebSocketFraming { get; set; } = WebSocketFraming.Builtin;

    /// <summary>WebSocket permessage-deflate; null (the default) leaves it off.</summary>
    public PerMessageDeflateOptions? PerMessageDeflate { get; set; }

    /// <summary>gzip/deflate of long-polling responses; null turns it off. On by default with a 1 KB threshold.</summary>
    public HttpCompressionOptions? HttpCompression { get; set; } = new();

    /// <summary>The sticky-session cookie set on the handshake; null (the default) sets none.</summary>
    public EngineCookieOptions? Cookie { get; set; }

    /// <summary>Decides whether a handshake or upgrade request is accepted; a refusal answers 403 with code 4.</summary>
    public Func<HttpContext, ValueTask<EngineRequestVerdict>>? AllowRequest { get; set; }

    /// <summary>Makes the session id; the default is 15 cryptographically random bytes, base64url (20 characters).</summary>
    public Func<HttpContext, ValueTask<string>>? GenerateId { get; set; }

    /// <summary>Called before the handshake response is sent, to add headers to it.</summary>
    public Action<IHeaderDictionary, HttpContext>? OnInitialHeaders { get; set; }

    /// <summary>Called before every response of the server (handshake, polling, WebSocket upgrade), to add headers.</summary>
    public Action<IHeaderDictionary, HttpContext>? OnHeaders { get; set; }

    /// <summary>Called when a request is refused with an Engine.IO error code.</summary>
    public Action<EngineConnectionError>? OnConnectionError { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every invalid option.</summary>
    internal void Validate()
    {
        var errors = new List<string>();
        CollectErrors(errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }

    /// <summary>Adds one message per invalid option to <paramref name="errors"/>.</summary>
    internal virtual void CollectErrors(List<string> errors)
    {
        RequirePositive(errors, nameof(PingInterval), PingInterval);
        RequirePositive(errors, nameof(PingTimeout), PingTimeout);
        RequirePositive(errors, nameof(UpgradeTimeout), UpgradeTimeout);
        RequirePositive(errors, nameof(CloseTimeout), CloseTimeout);
        if (PingInterval.TotalMilliseconds > int.MaxValue || PingTimeout.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"{nameof(PingInterval)} and {nameof(PingTimeout)} must fit in an int of milliseconds (at most {TimeSpan.FromMilliseconds(int.MaxValue)}).");
        }

        if (MaxHttpBufferSize <= 0)
        {
            errors.Add($"{nameof(MaxHttpBufferSize)} must be positive (it is {MaxHttpBufferSize}).");
        }

        if (MaxSendBufferSize <= 0)
        {
            errors.Add($"{nameof(MaxSendBufferSize)} must be positive (it is {MaxSendBufferSize}).");
        }

        if (Transports is null || Transports.Count == 0)
        {
            errors.Add($"{nameof(Transports)} must allow at least one transport ('{Polling}', '{WebSocket}').");
        }
        else
        {
            foreach (string transport in Transports)
            {
                if (transport is not (Polling or WebSocket))
                {
                    errors.Add($"{nameof(Transports)} holds the unknown Engine.IO transport '{transport}'; use '{Polling}' or '{WebSocket}'.");
                }
            }
        }

        if (PerMessageDeflate is { } deflate)
        {
            if (deflate.Threshold < 0)
            {
                errors.Add($"{nameof(PerMessageDeflate)}.{nameof(PerMessageDeflateOptions.Threshold)} must not be negative (it is {deflate.Threshold}).");
            }

            if (deflate.ServerMaxWindowBits is < 9 or > 15)
            {
                errors.Add($"{nameof(PerMessageDeflate)}.{nameof(PerMessageDeflateOptions.ServerMaxWindowBits)} must be between 9 and 15 (it is {deflate.ServerMaxWindowBits}).");
            }
        }

        if (HttpCompression is { Threshold: < 0 } compression)
        {
            errors.Add($"{nameof(HttpCompression)}.{nameof(HttpCompressionOptions.Threshold)} must not be negative (it is {compression.Threshold}).");
        }

        if (Cookie is { } cookie && string.IsNullOrEmpty(cookie.Name))
        {
            errors.Add($"{nameof(Cookie)}.{nameof(EngineCookieOptions.Name)} must not be empty.");
        }
    }

    /// <summary>Adds an error unless <paramref name="value"/> is positive.</summary>
    private protected static void RequirePositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive (it is {value}).");
        }
    }
}

/// <summary>Who frames WebSocket messages (see <see cref="EngineIOOptions.WebSocketFraming"/>).</summary>
public enum WebSocketFraming
{
    /// <summary>The server's own RFC 6455 framing over the upgraded HTTP/1.1 connection.</summary>
    Builtin,

    /// <summary>ASP.NET Core's WebSocket (<c>AcceptWebSocketAsync</c>).</summary>
    AspNetCore,
}

/// <summary>WebSocket permessage-deflate settings.</summary>
public sealed class PerMessageDeflateOptions
{
    /// <summary>Messages shorter than this are sent uncompressed. Default 1 KB.</summary>
    public int Threshold { get; set; } = 1024;

    /// <summary>Whether the server keeps its compression context between messages. Default true.</summary>
    public bool ServerContextTakeover { get; set; } = true;

    /// <summary>The server's LZ77 window, 9 to 15 bits. Default 15.</summary>
    public int ServerMaxWindowBits { get; set; } = 15;
}

/// <summary>Compression of long-polling responses.</summary>
public sealed class HttpCompressionOptions
{
    /// <summary>Responses shorter than this many bytes are sent uncompressed. Default 1024.</summary>
    public int Threshold { get; set; } = 1024;
}

/// <summary>The cookie that carries the session id (for sticky sessions behind a load balancer).</summary>
public sealed class EngineCookieOptions
{
    /// <summary>The cookie name. Default <c>io</c>.</summary>
    public string Name { get; set; } = "io";

    /// <summary>The cookie path, or null for none. Default <c>/</c>.</summary>
    public string? Path { get; set; } = "/";

    /// <summary>Whether scripts cannot read the cookie. Default true (false when <see cref="Path"/> is null, as the reference does).</summary>
    public bool? HttpOnly { get; set; }

    /// <summary>The SameSite attribute. Default Lax.</summary>
    public SameSiteMode SameSite { get; set; } = SameSiteMode.Lax;

    /// <summary>The Domain attribute, or null.</summary>
    public string? Domain { get; set; }

    /// <summary>The Max-Age attribute, or null.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>The Expires attribute, or null.</summary>
    public DateTimeOffset? Expires { get; set; }

    /// <summary>Whether the cookie is sent over HTTPS only.</summary>
    public bool Secure { get; set; }
}

/// <summary>The answer of <see cref="EngineIOOptions.AllowRequest"/>.</summary>
public readonly record struct EngineRequestVerdict(bool Allowed, string? Message = null)
{
    /// <summary>Accepts the request.</summary>
    public static EngineRequestVerdict Allow() => new(true);

    /// <summary>Refuses the request (403, code 4); <paramref name="message"/> replaces "Forbidden" in the body.</summary>
    public static EngineRequestVerdict Deny(string? message = null) => new(false, message);

    /// <summary>Accepts on true, refuses on false.</summary>
    public static implicit operator EngineRequestVerdict(bool allowed) => new(allowed);
}

/// <summary>A request refused by the Engine.IO server.</summary>
/// <param name="Code">The Engine.IO error code (0–5).</param>
/// <param name="Message">The message sent to the client.</param>
/// <param name="Request">A snapshot of the refused request (it stays valid after the request ends).</param>
public sealed record EngineConnectionError(EngineErrorCode Code, string Message, EngineRequest Request);

/// <summary>The error codes of the Engine.IO handshake.</summary>
public enum EngineErrorCode
{
    /// <summary>Missing or unknown transport.</summary>
    UnknownTransport = 0,
    /// <summary>Unknown session id.</summary>
    UnknownSid = 1,
    /// <summary>A handshake that is not a GET.</summary>
    BadHandshakeMethod = 2,
    /// <summary>A request that does not fit the session.</summary>
    BadRequest = 3,
    /// <summary>Refused by <see cref="EngineIOOptions.AllowRequest"/>.</summary>
    Forbidden = 4,
    /// <summary>An Engine.IO protocol revision the server does not accept.</summary>
    UnsupportedProtocolVersion = 5,
}
