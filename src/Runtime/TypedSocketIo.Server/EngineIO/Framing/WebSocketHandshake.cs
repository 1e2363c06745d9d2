using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>
/// The server's side of the RFC 6455 opening handshake over an HTTP/1.1 upgrade: the key's answer
/// (<c>Sec-WebSocket-Accept</c>), version 13 only, no subprotocol and no extension.
/// </summary>
internal static class WebSocketHandshake
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// Whether this request can be taken over here: an HTTP/1.1 upgrade (not HTTP/2's extended
    /// CONNECT, nor a host without the upgrade feature) asking for version 13 with a valid key.
    /// </summary>
    public static bool CanAccept(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
        {
            return false;
        }

        IHeaderDictionary headers = context.Request.Headers;
        return HttpMethods.IsGet(context.Request.Method)
            && headers.SecWebSocketVersion.ToString() == "13"
            && IsValidKey(headers.SecWebSocketKey.ToString());
    }

    /// <summary>A key is 16 bytes in base64 (24 characters).</summary>
    internal static bool IsValidKey(string key)
    {
        Span<byte> bytes = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, bytes, out int written) && written == 16;
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> answer to <paramref name="key"/>: base64(SHA-1(key + the RFC's GUID)).</summary>
    internal static string ComputeAccept(string key)
    {
        Span<byte> input = stackalloc byte[24 + KeyGuid.Length];
        int length = Encoding.ASCII.GetBytes(key, input);
        length += Encoding.ASCII.GetBytes(KeyGuid, input[length..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..length], hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>Answers 101 Switching Protocols and returns the upgraded connection's stream.</summary>
    public static Task<Stream> AcceptAsync(HttpContext context)
    {
        // The upgraded connection lives as long as the session: no request timeout applies.
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        IHeaderDictionary headers = context.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = ComputeAccept(context.Request.Headers.SecWebSocketKey.ToString());
        return context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
    }
}
