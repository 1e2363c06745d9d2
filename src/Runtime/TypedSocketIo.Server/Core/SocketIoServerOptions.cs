using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.Engine;

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

    internal override void CollectErrors(List<string> errors)
    {
        base.CollectErrors(errors);
        RequirePositive(errors, nameof(ConnectTimeout), ConnectTimeout);
        if (Parser is null)
        {
            errors.Add($"{nameof(Parser)} must not be null.");
        }
    }
}
