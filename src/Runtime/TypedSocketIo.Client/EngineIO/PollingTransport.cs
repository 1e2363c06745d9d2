using System.Buffers;
using System.Net.Http.Headers;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>HTTP long-polling: a GET per poll, a POST per batch of packets (never two at once).</summary>
internal sealed class PollingTransport(EngineClientOptions options, HttpClient http) : EngineTransport
{
    private static readonly MediaTypeHeaderValue TextPlain = MediaTypeHeaderValue.Parse("text/plain; charset=UTF-8");
    private string? _sid;

    public override string Name => "polling";

    public override bool SendsFrames => false;

    public override async Task<IReadOnlyList<EnginePacket>> OpenAsync(string? sid, CancellationToken cancellationToken)
    {
        _sid = sid;
        var packets = new List<EnginePacket>();
        if (!await ReceiveAsync(packets, cancellationToken).ConfigureAwait(false) || packets.Count == 0 || packets[0].Type != EnginePacketType.Open)
        {
            throw new EngineConnectException("The server did not answer the handshake with an open packet.");
        }

        _sid = EngineHandshake.Parse(packets[0].Data.Span).Sid;
        return packets;
    }

    public override async ValueTask SendAsync(IReadOnlyList<EnginePacket> packets, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter(256);
        EngineIOCodec.WritePayload(body, packets is EnginePacket[] array ? array : [.. packets]);
        using var request = new HttpRequestMessage(HttpMethod.Post, BuildUri(options, "polling", _sid, webSocket: false));
        AddHeaders(request);
        request.Content = new ReadOnlyMemoryContent(body.WrittenMemory);
        request.Content.Headers.ContentType = TextPlain;
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new EngineConnectException($"The server answered a polling POST with {(int)response.StatusCode} {response.ReasonPhrase}.", (int)response.StatusCode);
        }
    }

    public override async ValueTask<bool> ReceiveAsync(List<EnginePacket> packets, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(options, "polling", _sid, webSocket: false));
        AddHeaders(request);
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new EngineConnectException(
                $"The server answered a polling GET with {(int)response.StatusCode} {response.ReasonPhrase}: {System.Text.Encoding.UTF8.GetString(body)}",
                (int)response.StatusCode,
                body);
        }

        var payload = new ReadOnlySequence<byte>(body);
        while (EngineIOCodec.TryReadPacket(ref payload, isFinalBlock: true, out EnginePacket packet))
        {
            packets.Add(packet);
        }

        return true;
    }

    private void AddHeaders(HttpRequestMessage request)
    {
        foreach (KeyValuePair<string, string> header in options.ExtraHeaders)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
