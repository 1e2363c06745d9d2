using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;

namespace TypedSocketIo.Testing;

/// <summary>A raw HTTP response: status, headers (content headers included) and exact body bytes.</summary>
public sealed record RawResponse(HttpStatusCode Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    public static async Task<RawResponse> FromAsync(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> h in response.Headers.Concat(response.Content.Headers))
        {
            headers[h.Key] = string.Join(", ", h.Value);
        }

        return new RawResponse(response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }
}

/// <summary>Raw long-polling requests, byte for byte, with no decompression and bounded waits.</summary>
public sealed class RawPolling : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<string, Uri> _url;

    public RawPolling(Func<string, Uri> url)
    {
        _url = url;
        _http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public static readonly Regex SidPattern = new("\"sid\":\"([^\"]+)\"", RegexOptions.Compiled);

    public async Task<RawResponse> SendAsync(HttpMethod method, string query, byte[]? body = null, string? contentType = null,
        Action<HttpRequestMessage>? configure = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, _url(query));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = contentType is null ? new MediaTypeHeaderValue("text/plain") { CharSet = "UTF-8" } : MediaTypeHeaderValue.Parse(contentType);
        }

        configure?.Invoke(request);
        using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
        return await RawResponse.FromAsync(response);
    }

    public Task<RawResponse> GetAsync(string query, Action<HttpRequestMessage>? configure = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, query, configure: configure, cancellationToken: cancellationToken);

    public Task<RawResponse> PostAsync(string query, string body, string? contentType = null) =>
        SendAsync(HttpMethod.Post, query, Encoding.UTF8.GetBytes(body), contentType);

    public Task<RawResponse> PostAsync(string query, byte[] body, string? contentType = null) =>
        SendAsync(HttpMethod.Post, query, body, contentType);

    /// <summary>Opens a session over polling and returns its id and the handshake response.</summary>
    public async Task<(string Sid, RawResponse Response)> HandshakeAsync(string query = "EIO=4&transport=polling")
    {
        RawResponse response = await GetAsync(query);
        Match match = SidPattern.Match(response.Text);
        if (response.Status != HttpStatusCode.OK || !match.Success)
        {
            throw new InvalidOperationException($"Handshake failed: {(int)response.Status} {response.Text}");
        }

        return (match.Groups[1].Value, response);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A raw WebSocket client with bounded receives.</summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public ClientWebSocket Socket => _socket;

    public static async Task<RawWebSocket> ConnectAsync(Uri url, Action<ClientWebSocketOptions>? configure = null)
    {
        var raw = new RawWebSocket();
        raw._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(raw._socket.Options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await raw._socket.ConnectAsync(url, cts.Token);
        return raw;
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] data) =>
        _socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>Receives one whole message; Close when the server closed (then the status is in <see cref="CloseStatus"/>).</summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No WebSocket message in time.");
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    /// <summary>Receives the next text message, skipping nothing.</summary>
    public async Task<string> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        (WebSocketMessageType type, byte[] data) = await ReceiveAsync(timeout);
        if (type != WebSocketMessageType.Text)
        {
            throw new InvalidOperationException($"Expected a text frame, got {type}.");
        }

        return Encoding.UTF8.GetString(data);
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}
