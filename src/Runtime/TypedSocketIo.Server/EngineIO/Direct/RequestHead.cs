using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TypedSocketIo.Server.EngineIO.Framing;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>What the first bytes of a connection say about its first request.</summary>
internal enum HeadVerdict
{
    /// <summary>Not a request taken here: ASP.NET Core handles the connection, from its first byte.</summary>
    Pass,

    /// <summary>So far it could be one: wait for more bytes.</summary>
    NeedMore,

    /// <summary>A WebSocket upgrade of an Engine.IO endpoint, parsed whole.</summary>
    Take,
}

/// <summary>
/// The head of an HTTP/1.1 request taken at the listener, and the strict rules of its header
/// fields (the request line is <see cref="RequestHeadReader"/>'s): anything unusual (a body,
/// obsolete line folding, a character outside visible ASCII, a limit passed) is not taken here, and
/// ASP.NET Core answers it as it would any request.
/// </summary>
internal sealed class RequestHead
{
    internal RequestHead(EngineIOServer server, string target, HeaderDictionary headers)
    {
        int question = target.IndexOf('?');
        Server = server;
        Path = question < 0 ? target : target[..question];
        QueryString = question < 0 ? "" : target[question..];
        Target = target;
        Headers = headers;
    }

    /// <summary>The server of the endpoint the path names.</summary>
    public EngineIOServer Server { get; }

    public string Path { get; }

    /// <summary>The query with its <c>?</c>, or empty.</summary>
    public string QueryString { get; }

    public string Target { get; }

    public HeaderDictionary Headers { get; }

    /// <summary>Header fields (each line ending with CRLF): the upgrade's, or null when they are not one taken here.</summary>
    internal static HeaderDictionary? ParseUpgradeFields(ReadOnlySpan<byte> fields, int maxCount) =>
        ParseFields(fields, maxCount) is { } headers && IsWebSocketUpgrade(headers) ? headers : null;

    /// <summary>Header fields, each line ending with CRLF; null when one is not as RFC 9112 wants it, or there are too many.</summary>
    private static HeaderDictionary? ParseFields(ReadOnlySpan<byte> fields, int maxCount)
    {
        var headers = new HeaderDictionary();
        int count = 0;
        while (!fields.IsEmpty)
        {
            int lineEnd = fields.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = fields[..lineEnd];
            fields = fields[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || ++count > maxCount || !IsToken(line[..colon]))
            {
                return null; // no name, a space before the colon, obsolete folding, or past the limit
            }

            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value))
            {
                return null;
            }

            int known = IndexOf(line[..colon], KnownNames, ignoreCase: true);
            string name = known >= 0 ? KnownNames[known] : Encoding.ASCII.GetString(line[..colon]);
            int knownValue = IndexOf(value, KnownValues, ignoreCase: false);
            string text = knownValue >= 0 ? KnownValues[knownValue] : RecentOrNew(known, value);
            headers[name] = headers.TryGetValue(name, out StringValues existing) ? StringValues.Concat(existing, text) : new StringValues(text);
        }

        return headers;
    }

    // The names and values most upgrades carry, as shared strings: a session keeps its handshake's
    // headers, and these need not be copies of their own (ASP.NET Core shares its known names too).
    private static readonly string[] KnownNames =
    [
        HeaderNames.Host, HeaderNames.Connection, HeaderNames.Upgrade, HeaderNames.SecWebSocketKey,
        HeaderNames.SecWebSocketVersion, HeaderNames.SecWebSocketExtensions, HeaderNames.SecWebSocketProtocol,
        HeaderNames.Origin, HeaderNames.UserAgent, HeaderNames.Accept, HeaderNames.AcceptEncoding,
        HeaderNames.AcceptLanguage, HeaderNames.CacheControl, HeaderNames.Pragma, HeaderNames.Cookie,
        HeaderNames.Authorization, "X-Forwarded-For", "X-Forwarded-Proto",
    ];

    private static readonly string[] KnownValues =
    [
        "websocket", "Upgrade", "upgrade", "keep-alive, Upgrade", "13", "no-cache",
        "permessage-deflate; client_max_window_bits", "gzip, deflate, br, zstd", "gzip, deflate, br",
    ];

    // The last value seen of each known header that repeats from one client to the next (Host,
    // Origin, User-Agent, …), shared by the heads that carry it again: clients of one application
    // mostly send the same ones. Racy on purpose: a value that changed makes a string of its own.
    // Not the headers unique to a client (its key, cookies, credentials, address).
    private static readonly string?[] RecentValues = new string?[KnownNames.Length];

    private static readonly string[] OwnToEachClient = [HeaderNames.SecWebSocketKey, HeaderNames.Cookie, HeaderNames.Authorization, "X-Forwarded-For"];

    private static readonly bool[] Repeats = [.. KnownNames.Select(static name => !OwnToEachClient.Contains(name))];

    private static string RecentOrNew(int known, ReadOnlySpan<byte> value)
    {
        if (known < 0 || !Repeats[known])
        {
            return Encoding.ASCII.GetString(value);
        }

        if (Volatile.Read(ref RecentValues[known]) is { } recent && Ascii.Equals(value, recent))
        {
            return recent;
        }

        string text = Encoding.ASCII.GetString(value);
        Volatile.Write(ref RecentValues[known], text);
        return text;
    }

    private static int IndexOf(ReadOnlySpan<byte> text, string[] table, bool ignoreCase)
    {
        for (int i = 0; i < table.Length; i++)
        {
            if (ignoreCase ? Ascii.EqualsIgnoreCase(text, table[i]) : Ascii.Equals(text, table[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A GET with no body asking to upgrade to a WebSocket of version 13 with a valid key, with one
    /// Host: what ASP.NET Core counts as a WebSocket request. The Engine.IO server answers it with
    /// 101 or refuses it; ASP.NET Core answers any other as it does now.
    /// </summary>
    private static bool IsWebSocketUpgrade(IHeaderDictionary headers) =>
        headers.Host.Count == 1
        && !headers.ContainsKey(HeaderNames.ContentLength)
        && !headers.ContainsKey(HeaderNames.TransferEncoding)
        && HasToken(headers.Upgrade, "websocket")
        && HasToken(headers.Connection, "upgrade")
        && headers.SecWebSocketVersion is [ "13" ]
        && headers.SecWebSocketKey is [ { } key ] && WebSocketHandshake.IsValidKey(key);

    private static bool HasToken(StringValues values, string token)
    {
        foreach (string? value in values)
        {
            foreach (Range range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // RFC 9110 token characters: header names, here and in the answers written at the listener.
    private const string TokenText = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create(Encoding.ASCII.GetBytes(TokenText));
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(TokenText);

    private static bool IsToken(ReadOnlySpan<byte> name) => !name.IsEmpty && !name.ContainsAnyExcept(TokenBytes);

    internal static bool IsToken(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>Visible ASCII, spaces and tabs, as an answer's header value must be.</summary>
    internal static bool IsFieldValue(string? value)
    {
        foreach (char c in value.AsSpan())
        {
            if (c is (< ' ' and not '\t') or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Visible ASCII, spaces and tabs: no control character, and nothing past ASCII (ASP.NET Core decides those).</summary>
    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if (b is (< 0x20 and not (byte)'\t') or >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Kestrel's limits on a request's head, as this path applies them.</summary>
internal sealed record DirectLimits(int MaxRequestLineSize, int MaxRequestHeadersTotalSize, int MaxRequestHeaderCount, TimeSpan RequestHeadersTimeout);
