using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>One Engine.IO transport of a client session: long-polling or WebSocket.</summary>
internal abstract class EngineTransport : IAsyncDisposable
{
    /// <summary>"polling" or "websocket".</summary>
    public abstract string Name { get; }

    /// <summary>Whether packets are sent one by one (WebSocket) rather than batched in a payload.</summary>
    public abstract bool SendsFrames { get; }

    /// <summary>
    /// Opens the transport. Without <paramref name="sid"/> this is the handshake: the server's open
    /// packet comes first among the packets returned.
    /// </summary>
    public abstract Task<IReadOnlyList<EnginePacket>> OpenAsync(string? sid, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="packets"/> (one payload when polling, one frame each over WebSocket).</summary>
    public abstract ValueTask SendAsync(IReadOnlyList<EnginePacket> packets, CancellationToken cancellationToken);

    /// <summary>
    /// Receives the next packets (one poll, or one WebSocket message) into <paramref name="packets"/>.
    /// False when the server closed the transport.
    /// </summary>
    public abstract ValueTask<bool> ReceiveAsync(List<EnginePacket> packets, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="error"/>, thrown by a send or a receive, means the server went away
    /// ("transport close", as the reference's WebSocket onclose) rather than a transport failure
    /// ("transport error", as its failed polling requests).
    /// </summary>
    public virtual bool EndedByServer(Exception error) => false;

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>The Engine.IO URL for this transport: the options' path and query, EIO=4, transport and sid.</summary>
    protected static Uri BuildUri(EngineClientOptions options, string transport, string? sid, bool webSocket)
    {
        var builder = new UriBuilder(options.Uri)
        {
            Path = options.Path,
            Fragment = "",
        };
        if (webSocket)
        {
            builder.Scheme = builder.Scheme is "https" or "wss" ? "wss" : "ws";
        }
        else
        {
            builder.Scheme = builder.Scheme is "https" or "wss" ? "https" : "http";
        }

        // The port stays as given: UriBuilder keeps -1 (the scheme's default) when none was.
        var query = new System.Text.StringBuilder();
        foreach (KeyValuePair<string, string> item in options.Query)
        {
            Append(query, item.Key, item.Value);
        }

        Append(query, "EIO", "4");
        Append(query, "transport", transport);
        if (sid is not null)
        {
            Append(query, "sid", sid);
        }

        if (!webSocket && options.TimestampRequests)
        {
            Append(query, "t", Timestamp());
        }

        builder.Query = query.ToString();
        return builder.Uri;
    }

    private static void Append(System.Text.StringBuilder query, string key, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
    }

    private static long s_counter;

    /// <summary>A cache-busting value, as the reference's yeast().</summary>
    private static string Timestamp() =>
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture)
        + "." + Interlocked.Increment(ref s_counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
