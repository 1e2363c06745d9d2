using System.Net;
using System.Text;
using System.Text.Json;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Small helpers shared by the ports of the reference socket.io server tests.</summary>
internal static class Ref
{
    /// <summary>The arguments of a driver event (message, ack), as raw JSON.</summary>
    public static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    /// <summary>The reason of a driver disconnect event.</summary>
    public static string Reason(JsonElement e) => e.GetProperty("reason").GetString()!;

    /// <summary>Deterministic pseudo-random bytes (a stand-in for the reference's image fixtures).</summary>
    public static byte[] Bytes(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Proves that nothing else reached <paramref name="id"/>: emits a sentinel to it from the server
    /// (a later packet on the same connection) and waits for it; everything sent before it has arrived.
    /// </summary>
    public static async Task FlushAsync(SioDriver client, string id, Action<string> emitSentinel)
    {
        string name = "sentinel-" + Guid.NewGuid().ToString("N");
        emitSentinel(name);
        await client.MessageAsync(id, name);
    }
}

/// <summary>
/// A hand-made Socket.IO client over raw long-polling (EIO=4), for the protocol checks the official
/// client never makes (several CONNECTs, events before CONNECT, malformed packets, batches).
/// </summary>
internal sealed class RawSioPolling : IDisposable
{
    public const char Separator = '\x1e';

    private readonly RawPolling _http;

    private RawSioPolling(RawPolling http, string sid)
    {
        _http = http;
        Sid = sid;
    }

    public string Sid { get; }

    private string Query => "EIO=4&transport=polling&sid=" + Uri.EscapeDataString(Sid);

    /// <summary>Opens an Engine.IO session (its handshake packet is consumed).</summary>
    public static async Task<RawSioPolling> OpenAsync(SocketIoTestHost host)
    {
        var http = new RawPolling(q => new Uri(host.BaseUri, "/socket.io/?" + q));
        (string sid, _) = await http.HandshakeAsync();
        return new RawSioPolling(http, sid);
    }

    /// <summary>Posts Engine.IO packets (already prefixed, e.g. "40" or "42[...]") in one payload.</summary>
    public async Task PostAsync(params string[] packets)
    {
        RawResponse response = await _http.PostAsync(Query, string.Join(Separator, packets));
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    /// <summary>One GET; throws TimeoutException when nothing comes within <paramref name="timeout"/>.</summary>
    public async Task<RawResponse> PollAsync(TimeSpan? timeout = null, bool acceptGzip = false)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(5);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _http.GetAsync(Query, r =>
            {
                if (acceptGzip)
                {
                    r.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
                }
            }, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The long-polling GET got no answer within {limit}.");
        }
    }

    /// <summary>The text of a (possibly gzip-compressed) polling response.</summary>
    public static string Text(RawResponse response)
    {
        if (response.Header("Content-Encoding") != "gzip")
        {
            return response.Text;
        }

        using var input = new System.IO.Compression.GZipStream(new MemoryStream(response.Body), System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>Polls until a response holds an Engine.IO close packet ("1"); returns every packet seen.</summary>
    public async Task<List<string>> PollUntilCloseAsync(TimeSpan timeout)
    {
        var seen = new List<string>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            TimeSpan left = timeout - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No close packet within {timeout}; packets seen: {string.Join(" | ", seen)}");
            }

            RawResponse response = await PollAsync(left);
            if (response.Status != HttpStatusCode.OK)
            {
                seen.Add($"HTTP {(int)response.Status} {response.Text}");
                return seen;
            }

            string[] packets = Text(response).Split(Separator);
            seen.AddRange(packets);
            if (packets.Contains("1"))
            {
                return seen;
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
