using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>Options of a Socket.IO server: the Engine.IO options plus the Socket.IO ones.</summary>
public sealed class SocketIoServerOptions : EngineIOOptions
{
    /// <summary>How long a new connection may take to join its first namespace before it is closed. Default 45 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Whether a dynamic child namespace is removed when its last socket leaves. Default false.</summary>
    public bool CleanupEmptyChildNamespaces { get; set; }

    /// <summary>
    /// The packet parser, the same for every connection: <see cref="JsonSocketIoParser"/> (default) or
    /// <see cref="MsgPackSocketIoParser"/> (socket.io-msgpack-parser's wire; clients must use it too).
    /// Configuration: <c>SocketIo:Parser</c> = <c>json</c> or <c>msgpack</c>.
    /// </summary>
    public ISocketIoParser Parser { get; set; } = JsonSocketIoParser.Instance;

    /// <summary>
    /// Creates the adapter of each namespace (rooms and broadcasts). Default: an
    /// <see cref="InMemoryAdapter"/>. Subclass it (its members are virtual, its room operations
    /// return ValueTask) for a cluster or an asynchronous store.
    /// </summary>
    public Func<Namespace, InMemoryAdapter>? AdapterFactory { get; set; }

    /// <summary>
    /// How event arguments are serialized (web defaults, camelCase, when null). Name a
    /// JsonSerializerContext through its TypeInfoResolver to stay trim- and AOT-safe.
    /// </summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    /// <summary>
    /// Whether the official socket.io-client bundles are served next to the endpoint, as the
    /// reference's <c>serveClient</c>: <c>&lt;path&gt;/socket.io.js</c>, <c>socket.io.min.js</c>,
    /// <c>socket.io.msgpack.min.js</c>, <c>socket.io.esm.min.js</c> and their <c>.map</c> files. Default true.
    /// </summary>
    public bool ServeClient { get; set; } = true;

    /// <summary>
    /// The most events of one socket that may wait for their handlers (while its packet middleware
    /// awaits, or its handlers run behind). A client that sends faster than they finish is
    /// disconnected (<c>forced server close</c>) rather than growing the server. Default 10,000.
    /// </summary>
    public int MaxPendingEvents { get; set; } = 10_000;

    /// <summary>
    /// The most acknowledgements one socket may owe the server (emits with an ack, broadcasts with
    /// acks). A client that does not answer is disconnected (<c>forced server close</c>) when the
    /// next one would pass the limit. Default 10,000.
    /// </summary>
    public int MaxPendingAcks { get; set; } = 10_000;

    /// <summary>
    /// Whether the message of an unexpected exception thrown by a namespace middleware is sent to
    /// the client in its <c>connect_error</c>. Off by default: the client gets "Internal server
    /// error" and the exception is logged; a <see cref="ConnectionRejectedException"/>'s message and
    /// data always go to the client.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// Connection state recovery (the reference's <c>connectionStateRecovery</c>): off when null
    /// (the default). When set, a client whose connection dropped gets its socket back (id, rooms,
    /// data and the events it missed) if it reconnects in time. Configuration:
    /// <c>SocketIo:ConnectionStateRecovery</c> (the section turns it on unless <c>Enabled=false</c>).
    /// </summary>
    public ConnectionStateRecoveryOptions? ConnectionStateRecovery { get; set; }

    internal override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        ConnectionStateRecovery?.CollectErrors(errors);
        RequirePositive(errors, nameof(ConnectTimeout), ConnectTimeout);
        if (MaxPendingEvents <= 0)
        {
            errors.Add($"{nameof(MaxPendingEvents)} must be positive (it is {MaxPendingEvents}).");
        }

        if (MaxPendingAcks <= 0)
        {
            errors.Add($"{nameof(MaxPendingAcks)} must be positive (it is {MaxPendingAcks}).");
        }

        if (Parser is null)
        {
            errors.Add($"{nameof(Parser)} must not be null.");
        }
    }
}
