using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// A snapshot of the request that opened an Engine.IO session. It outlives that request (a
/// long-polling handshake completes at once, and ASP.NET Core reuses its HttpContext).
/// </summary>
public sealed class EngineRequest
{
    private ClaimsPrincipal? _user;

    // The headers as they came, made into a dictionary on first use of Headers: most servers never
    // read them after the handshake, and a dictionary per session costs several times the array.
    private readonly KeyValuePair<string, StringValues>[] _headerValues;
    private IHeaderDictionary? _headers;

    // The query, parsed from QueryString on first use of Query, as the headers: the handshake's own
    // parse is not kept, its dictionary and strings cost a session several hundred bytes.
    private IQueryCollection? _query;

    internal EngineRequest(HttpContext context)
    {
        HttpRequest request = context.Request;
        Method = request.Method;
        Scheme = request.Scheme;
        Host = request.Host;
        PathBase = request.PathBase;
        Path = request.Path;
        QueryString = request.QueryString;
        _headerValues = [.. request.Headers];
        IsHttps = request.IsHttps;
        RemoteIpAddress = context.Connection.RemoteIpAddress;
        RemotePort = context.Connection.RemotePort;
        // HttpContext.User makes an anonymous principal per request when no authentication set one:
        // that one is made here on first use instead (most servers never read it).
        _user = context.Features.Get<IHttpAuthenticationFeature>()?.User;
        TraceIdentifier = context.TraceIdentifier;
    }

    /// <summary>The HTTP method of the handshake (always GET).</summary>
    public string Method { get; }

    /// <summary>http or https.</summary>
    public string Scheme { get; }

    /// <summary>The Host header.</summary>
    public HostString Host { get; }

    /// <summary>The path base of the application.</summary>
    public PathString PathBase { get; }

    /// <summary>The request path.</summary>
    public PathString Path { get; }

    /// <summary>The raw query string.</summary>
    public QueryString QueryString { get; }

    /// <summary>The query parameters.</summary>
    public IQueryCollection Query
    {
        get
        {
            if (Volatile.Read(ref _query) is { } query)
            {
                return query;
            }

            IQueryCollection parsed = QueryHelpers.ParseNullableQuery(QueryString.Value) is { } values
                ? new QueryCollection(values)
                : QueryCollection.Empty;
            return Interlocked.CompareExchange(ref _query, parsed, null) ?? parsed;
        }
    }

    /// <summary>The request headers (a copy: changing them changes nothing else).</summary>
    public IHeaderDictionary Headers
    {
        get
        {
            if (Volatile.Read(ref _headers) is { } headers)
            {
                return headers;
            }

            var created = new HeaderDictionary(_headerValues.Length);
            foreach (KeyValuePair<string, StringValues> header in _headerValues)
            {
                created[header.Key] = header.Value;
            }

            return Interlocked.CompareExchange(ref _headers, created, null) ?? created;
        }
    }

    /// <summary>Whether the request came over HTTPS.</summary>
    public bool IsHttps { get; }

    /// <summary>The client's address.</summary>
    public IPAddress? RemoteIpAddress { get; }

    /// <summary>The client's port.</summary>
    public int RemotePort { get; }

    /// <summary>The authenticated user, when ASP.NET Core authentication ran (an anonymous one otherwise).</summary>
    public ClaimsPrincipal User => _user ??= new ClaimsPrincipal(new ClaimsIdentity());

    /// <summary>The trace identifier of the handshake request.</summary>
    public string TraceIdentifier { get; }

    /// <summary>Whether the request came with header <paramref name="name"/> (case-insensitive), without making <see cref="Headers"/>.</summary>
    internal bool HasHeader(string name)
    {
        if (Volatile.Read(ref _headers) is { } headers)
        {
            return headers.ContainsKey(name);
        }

        foreach (KeyValuePair<string, StringValues> header in _headerValues)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The full URL of the handshake request.</summary>
    public string Url => $"{Scheme}://{Host}{PathBase}{Path}{QueryString}";
}
