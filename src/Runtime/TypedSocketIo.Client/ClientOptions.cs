using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Client;

/// <summary>Options of a <see cref="Manager"/>: the connection, its transports and reconnection (the reference's ManagerOptions).</summary>
public class ManagerOptions
{
    /// <summary>The server's Socket.IO path. Default "/socket.io/".</summary>
    public string Path { get; set; } = "/socket.io/";

    /// <summary>Query parameters added to every Engine.IO request (with those of the URL).</summary>
    public IDictionary<string, string> Query { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>HTTP headers added to every request and to the WebSocket handshake.</summary>
    public IDictionary<string, string> ExtraHeaders { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The transports allowed, the first one used to connect. Default polling, then an upgrade to WebSocket.</summary>
    public IList<string> Transports { get; set; } = new List<string> { "polling", "websocket" };

    /// <summary>Whether a polling connection upgrades to WebSocket when the server offers it. Default true.</summary>
    public bool Upgrade { get; set; } = true;

    /// <summary>Whether polling requests carry a cache-busting timestamp. Default true.</summary>
    public bool TimestampRequests { get; set; } = true;

    /// <summary>Whether to reconnect after the connection is lost. Default true.</summary>
    public bool Reconnection { get; set; } = true;

    /// <summary>How many reconnection attempts before giving up. Default unlimited.</summary>
    public int ReconnectionAttempts { get; set; } = int.MaxValue;

    /// <summary>The first delay between attempts, doubled at each attempt. Default 1 s.</summary>
    public TimeSpan ReconnectionDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts. Default 5 s.</summary>
    public TimeSpan ReconnectionDelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Jitter: each delay varies by up to this fraction either way. Default 0.5.</summary>
    public double RandomizationFactor { get; set; } = 0.5;

    /// <summary>How long a connection attempt may take. Default 20 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether a socket connects as soon as it is created. Default true.</summary>
    public bool AutoConnect { get; set; } = true;

    /// <summary>How payloads are serialized. Default <see cref="Protocol.SocketIoJson.DefaultOptions"/> (web defaults).</summary>
    public JsonSerializerOptions? JsonOptions { get; set; }

    /// <summary>
    /// The packet parser; it must be the server's. Default <see cref="Protocol.JsonSocketIoParser"/>;
    /// <see cref="Protocol.MsgPackSocketIoParser"/> speaks socket.io-msgpack-parser's wire.
    /// </summary>
    public Protocol.ISocketIoParser Parser { get; set; } = Protocol.JsonSocketIoParser.Instance;

    /// <summary>Where the client logs. Default nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Adjusts the WebSocket client (certificates, proxy, …).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>The HTTP handler polling requests go through. Default a <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Parser);
        if (Transports.Count == 0 || Transports.Any(t => t is not ("polling" or "websocket")))
        {
            throw new ArgumentException("Transports must name \"polling\" and/or \"websocket\".", nameof(Transports));
        }

        if (ReconnectionAttempts < 0 || RandomizationFactor is < 0 or > 1 || ReconnectionDelay < TimeSpan.Zero
            || ReconnectionDelayMax < TimeSpan.Zero || Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectionAttempts),
                "ReconnectionAttempts, ReconnectionDelay and ReconnectionDelayMax must not be negative, RandomizationFactor must be within [0, 1] and Timeout positive.");
        }
    }
}

/// <summary>Options of one namespace socket (the reference's SocketOptions).</summary>
public class SocketOptions
{
    /// <summary>The auth payload of the CONNECT packet (an object serialized as JSON).</summary>
    public object? Auth { get; set; }

    /// <summary>Computes the auth payload before each connection (and each reconnection); wins over <see cref="Auth"/>.</summary>
    public Func<CancellationToken, ValueTask<object?>>? AuthProvider { get; set; }

    /// <summary>The acknowledgement timeout of every emit that expects one, unless Timeout(…) says otherwise; also the retry timeout.</summary>
    public TimeSpan? AckTimeout { get; set; }

    /// <summary>
    /// How many times a packet is sent again when its acknowledgement does not arrive within
    /// <see cref="AckTimeout"/> (at-least-once delivery; packets then go one at a time, in order). Default 0.
    /// </summary>
    public int Retries { get; set; }
}

/// <summary>Options of <see cref="SocketIoClient.Create(Uri, SocketIoClientOptions?)"/>: the manager's, the socket's, and how managers are shared.</summary>
public sealed class SocketIoClientOptions : ManagerOptions
{
    /// <inheritdoc cref="SocketOptions.Auth" />
    public object? Auth { get; set; }

    /// <inheritdoc cref="SocketOptions.AuthProvider" />
    public Func<CancellationToken, ValueTask<object?>>? AuthProvider { get; set; }

    /// <inheritdoc cref="SocketOptions.AckTimeout" />
    public TimeSpan? AckTimeout { get; set; }

    /// <inheritdoc cref="SocketOptions.Retries" />
    public int Retries { get; set; }

    /// <summary>Whether to open a new connection rather than share one with other namespaces of the same server. Default false.</summary>
    public bool ForceNew { get; set; }

    /// <summary>Whether namespaces of the same server share one connection. Default true.</summary>
    public bool Multiplex { get; set; } = true;

    internal SocketOptions ToSocketOptions() => new()
    {
        Auth = Auth,
        AuthProvider = AuthProvider,
        AckTimeout = AckTimeout,
        Retries = Retries,
    };
}
