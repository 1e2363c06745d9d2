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

/// <summary>
/// A WebSocket client on a raw TCP socket with a tiny receive buffer that reads the handshake and
/// then stops reading, as a stalled or malicious client does: what the server writes piles up.
/// </summary>
public sealed class StalledReader : IDisposable
{
    private readonly System.Net.Sockets.Socket _socket;

    private StalledReader(System.Net.Sockets.Socket socket, string firstFrame)
    {
        _socket = socket;
        FirstFrame = firstFrame;
    }

    /// <summary>The text of the first frame the server sent (the Engine.IO open packet).</summary>
    public string FirstFrame { get; }

    /// <summary>The client's local port: the server-side connection's remote port.</summary>
    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Opens a WebSocket to <paramref name="url"/>, reads the 101 and the first frame, then reads nothing more.</summary>
    public static async Task<StalledReader> ConnectAsync(Uri url)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
        {
            ReceiveBufferSize = 2048, // before connecting, so the advertised window stays small
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, url.Port), timeout.Token);
        string key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        string request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), System.Net.Sockets.SocketFlags.None, timeout.Token);

        // Read byte by byte up to the end of the first frame, so nothing past it is consumed.
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await socket.ReceiveAsync(one, System.Net.Sockets.SocketFlags.None, timeout.Token) == 0)
            {
                throw new IOException("The server closed during the WebSocket handshake.");
            }

            head.Add(one[0]);
        }

        string status = Encoding.ASCII.GetString(head.ToArray());
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException("No WebSocket upgrade: " + status);
        }

        var frameHead = new byte[2];
        await ReadExactlyAsync(socket, frameHead, timeout.Token);
        int length = frameHead[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await ReadExactlyAsync(socket, extended, timeout.Token);
            length = (extended[0] << 8) | extended[1];
        }

        var payload = new byte[length];
        await ReadExactlyAsync(socket, payload, timeout.Token);
        return new StalledReader(socket, Encoding.UTF8.GetString(payload));
    }

    private static async Task ReadExactlyAsync(System.Net.Sockets.Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), System.Net.Sockets.SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            read += n;
        }
    }

    /// <summary>
    /// Whether the server still holds its end of this connection open: an ESTABLISHED (or closing)
    /// entry in the kernel's TCP table from <paramref name="serverPort"/> to this client. Linux only.
    /// </summary>
    public bool ServerSideOpen(int serverPort)
    {
        string local = $"0100007F:{serverPort:X4}", remote = $"0100007F:{LocalPort:X4}";
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // st 01 ESTABLISHED, 04 FIN_WAIT1, 05 FIN_WAIT2, 08 CLOSE_WAIT: the server's socket still exists;
            // TIME_WAIT (06) and the rest hold no descriptor.
            if (fields[1] == local && fields[2] == remote && fields[3] is "01" or "04" or "05" or "08" or "0B")
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => _socket.Dispose();
}
