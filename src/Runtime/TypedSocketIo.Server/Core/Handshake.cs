using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>
/// What a socket's namespace connection came with (the reference's <c>socket.handshake</c>). It can
/// be sent as an event argument or an ack: it serializes to Node's shape (see <see cref="HandshakeJsonConverter"/>).
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(HandshakeJsonConverter))]
public sealed class Handshake
{
    // Address, Time and Url are text made on first use: most servers never read them, and each
    // socket would keep its own copies.
    private string? _address;
    private string? _time;
    private string? _url;

    internal Handshake(EngineRequest request, JsonElement auth)
        : this(request, auth, DateTimeOffset.UtcNow)
    {
    }

    private Handshake(EngineRequest request, JsonElement auth, DateTimeOffset now, string? time = null)
    {
        Auth = auth;
        XDomain = request.HasHeader("Origin");
        Secure = request.IsHttps;
        Issued = now.ToUnixTimeMilliseconds();
        _time = time;
        Request = request;
    }

    /// <summary>A handshake another server of the cluster sent (Node's shape), as far as it can be rebuilt.</summary>
    internal static Handshake FromWire(JsonElement wire)
    {
        var context = new DefaultHttpContext();
        JsonElement auth = default;
        long issued = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string? time = null;
        if (wire.ValueKind == JsonValueKind.Object)
        {
            RemoteHandshake.Fill(context, wire);
            auth = wire.TryGetProperty("auth", out JsonElement a) ? a.Clone() : default;
            issued = wire.TryGetProperty("issued", out JsonElement i) && i.TryGetInt64(out long ms) ? ms : issued;
            time = wire.TryGetProperty("time", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }

        if (auth.ValueKind != JsonValueKind.Object)
        {
            auth = JsonElement.Parse("{}"u8);
        }

        return new Handshake(new EngineRequest(context), auth, DateTimeOffset.FromUnixTimeMilliseconds(issued), time);
    }

    /// <summary>The HTTP headers of the first request.</summary>
    public IHeaderDictionary Headers => Request.Headers;

    /// <summary>The query parameters of the first request.</summary>
    public IQueryCollection Query => Request.Query;

    /// <summary>The CONNECT payload (the client's <c>auth</c> option); an empty object when none was sent.</summary>
    public JsonElement Auth { get; }

    /// <summary>The client's IP address.</summary>
    public string Address => _address ??= Request.RemoteIpAddress?.ToString() ?? "";

    /// <summary>Whether the request was cross-origin (had an Origin header).</summary>
    public bool XDomain { get; }

    /// <summary>Whether the request came over HTTPS.</summary>
    public bool Secure { get; }

    /// <summary>When the handshake happened, in milliseconds since the Unix epoch.</summary>
    public long Issued { get; }

    /// <summary>When the handshake happened, as text.</summary>
    public string Time => _time ??= DateTimeOffset.FromUnixTimeMilliseconds(Issued).ToString("ddd MMM dd yyyy HH:mm:ss 'GMT+0000 (Coordinated Universal Time)'", CultureInfo.InvariantCulture);

    /// <summary>The URL of the first request (path and query).</summary>
    public string Url => _url ??= $"{Request.PathBase}{Request.Path}{Request.QueryString}";

    /// <summary>The authenticated user, when ASP.NET Core authentication ran on the endpoint.</summary>
    public ClaimsPrincipal User => Request.User;

    /// <summary>The whole snapshot of the first request.</summary>
    public EngineRequest Request { get; }
}
