using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TypedSocketIo.Server;

/// <summary>Rebuilds the request of a handshake another server sent (headers, query, URL, address, scheme).</summary>
internal static class RemoteHandshake
{
    public static void Fill(HttpContext context, JsonElement wire)
    {
        HttpRequest request = context.Request;
        if (wire.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                request.Headers[header.Name] = Values(header.Value);
            }
        }

        if (wire.TryGetProperty("url", out JsonElement url) && url.ValueKind == JsonValueKind.String)
        {
            string text = url.GetString()!;
            int q = text.IndexOf('?', StringComparison.Ordinal);
            request.Path = new PathString(q < 0 ? text : text[..q]);
            request.QueryString = q < 0 ? QueryString.Empty : new QueryString(text[q..]);
        }

        request.Scheme = wire.TryGetProperty("secure", out JsonElement secure) && secure.ValueKind == JsonValueKind.True ? "https" : "http";
        if (wire.TryGetProperty("address", out JsonElement address) && address.ValueKind == JsonValueKind.String
            && IPAddress.TryParse(address.GetString(), out IPAddress? ip))
        {
            context.Connection.RemoteIpAddress = ip;
        }
    }

    private static StringValues Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new StringValues(value.GetString()),
        JsonValueKind.Array => new StringValues(value.EnumerateArray().Select(static v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()).ToArray()),
        _ => new StringValues(value.GetRawText()),
    };
}
