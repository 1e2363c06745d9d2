using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TypedSocketIo.Compare;

/// <summary>
/// One Socket.IO connection of the load generator over Engine.IO long-polling (no upgrade), the same
/// code for every Socket.IO peer. As Socket.IO's own client it always keeps one GET outstanding and
/// sends with POSTs: a round trip is the POST of <c>42&lt;id&gt;["echo","&lt;data&gt;"]</c> and the
/// outstanding GET's answer <c>43&lt;id&gt;["&lt;data&gt;"]</c>, after which the next GET goes out.
/// Pings (<c>2</c>) are answered with a POSTed <c>3</c>.
/// </summary>
internal sealed class PollingClient : IDisposable
{
    private const byte Separator = 0x1e;

    /// <summary>One handler for all clients, no proxy (loopback only); a client uses two connections, one GET and one POST.</summary>
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(10) });

    private static readonly byte[] ConnectReply = "40{"u8.ToArray();

    private static readonly MediaTypeHeaderValue TextPlain = MediaTypeHeaderValue.Parse("text/plain; charset=UTF-8");

    private readonly CancellationTokenSource _closed = new();
    private Uri? _uri;

    /// <summary>Opens the Engine.IO session (handshake GET) and connects to the <c>/</c> namespace.</summary>
    public async Task ConnectAsync(int port, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        string handshake = $"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling";
        byte[] open = await GetAsync(new Uri(handshake), linked.Token).ConfigureAwait(false);
        if (open.Length < 2 || open[0] != (byte)'0')
        {
            throw new InvalidOperationException($"Expected the Engine.IO open packet, got '{Encoding.UTF8.GetString(open)}'.");
        }

        using (JsonDocument json = JsonDocument.Parse(open.AsMemory(1)))
        {
            _uri = new Uri($"{handshake}&sid={Uri.EscapeDataString(json.RootElement.GetProperty("sid").GetString()!)}");
        }

        await PostAsync("40"u8.ToArray(), linked.Token).ConfigureAwait(false);
        while (true)
        {
            byte[] payload = await GetAsync(_uri, linked.Token).ConfigureAwait(false);
            if (await FindAsync(payload, ConnectReply, prefix: true, linked.Token).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Acknowledged echoes one at a time until <paramref name="stop"/>; returns how many completed while <paramref name="counting"/> said so.</summary>
    public async Task<long> EchoAsync(string data, Func<bool> counting, CancellationToken stop)
    {
        long done = 0;
        Task<byte[]> poll = GetAsync(_uri!, _closed.Token);
        try
        {
            for (long id = 1; !stop.IsCancellationRequested; id++)
            {
                byte[] answer = Wire.EchoAnswer(WireKind.SocketIo, id, data);
                await PostAsync(Wire.Echo(WireKind.SocketIo, id, data), _closed.Token).ConfigureAwait(false);
                while (true)
                {
                    byte[] payload = await poll.ConfigureAwait(false);
                    poll = GetAsync(_uri!, _closed.Token);
                    if (await FindAsync(payload, answer, prefix: false, _closed.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                if (counting())
                {
                    done++;
                }
            }
        }
        finally
        {
            // The last GET waits for the server's next packet: end the session instead.
            await _closed.CancelAsync().ConfigureAwait(false);
            try
            {
                await poll.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return done;
    }

    /// <summary>
    /// Whether one of the packets of <paramref name="payload"/> is <paramref name="packet"/> (or starts
    /// with it); pings are answered, other packets (noop) skipped; a close packet is an error.
    /// </summary>
    private async Task<bool> FindAsync(byte[] payload, ReadOnlyMemory<byte> packet, bool prefix, CancellationToken cancellationToken)
    {
        bool found = false;
        int start = 0;
        while (start <= payload.Length)
        {
            int end = Array.IndexOf(payload, Separator, start);
            if (end < 0)
            {
                end = payload.Length;
            }

            ReadOnlyMemory<byte> one = payload.AsMemory(start, end - start);
            if (prefix ? one.Span.StartsWith(packet.Span) : one.Span.SequenceEqual(packet.Span))
            {
                found = true;
            }
            else if (one.Span.SequenceEqual("2"u8))
            {
                await PostAsync("3"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }
            else if (one.Length > 0 && one.Span[0] != (byte)'6')
            {
                throw new InvalidOperationException($"Unexpected packet '{Encoding.UTF8.GetString(one.Span)}'.");
            }

            start = end + 1;
        }

        return found;
    }

    private static async Task<byte[]> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using HttpResponseMessage response = await Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The response's body; an error status is an error naming the request and the server's answer.</summary>
    private static async Task<byte[]> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} answered {(int)response.StatusCode}: '{Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}'.",
                null,
                response.StatusCode);
        }

        return body;
    }

    private async Task PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = TextPlain;
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = content };
        using HttpResponseMessage response = await Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the outstanding requests; the server ends the session by its ping timeout.</summary>
    public void Dispose()
    {
        _closed.Cancel();
        _closed.Dispose();
    }
}
