using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Server;

/// <summary>
/// A view of a socket that may live on another server (the reference's RemoteSocket): what it
/// was at the time of the fetch, and the operations that reach it wherever it is.
/// </summary>
public sealed class RemoteSocket
{
    private readonly Socket? _socket;
    private readonly Namespace? _namespace;

    internal RemoteSocket(Socket socket)
    {
        _socket = socket;
        Id = socket.Id;
        Handshake = socket.Handshake;
        Rooms = socket.Rooms;
        Data = socket.Data;
    }

    internal RemoteSocket(Namespace nsp, ClusterSocket socket)
    {
        _namespace = nsp;
        Id = socket.Id;
        HandshakeJson = socket.Handshake;
        Handshake = Handshake.FromWire(socket.Handshake);
        Rooms = new HashSet<string>(socket.Rooms, StringComparer.Ordinal);
        Data = socket.Data.ValueKind == JsonValueKind.Undefined ? null : socket.Data;
    }

    /// <summary>The socket id.</summary>
    public string Id { get; }

    /// <summary>The handshake details (for a socket of another server, rebuilt from what that server sent).</summary>
    public Handshake Handshake { get; }

    /// <summary>For a socket of another server: the handshake exactly as that server sent it.</summary>
    public JsonElement HandshakeJson { get; }

    /// <summary>The rooms at the time of the fetch.</summary>
    public IReadOnlySet<string> Rooms { get; }

    /// <summary>The socket's data at the time of the fetch (a <see cref="JsonElement"/> for a socket of another server).</summary>
    public object? Data { get; }

    /// <summary>Whether the socket lives on this server.</summary>
    public bool IsLocal => _socket is not null;

    /// <summary>
    /// The socket's data as <typeparamref name="T"/>, read from JSON for a socket of another server
    /// with the metadata <paramref name="options"/> (by default the server's) resolve: name a
    /// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> in them for trimming and AOT.
    /// </summary>
    public T? GetData<T>(JsonSerializerOptions? options = null) => Data switch
    {
        T value => value,
        JsonElement json => json.Deserialize((JsonTypeInfo<T>)(options ?? _namespace?.Server.JsonOptions ?? Protocol.SocketIoJson.DefaultOptions).GetTypeInfo(typeof(T))),
        _ => default,
    };

    private BroadcastOptions Self => new(new HashSet<string>(StringComparer.Ordinal) { Id }, InMemoryAdapter.EmptySet, default);

    /// <summary>Emits to the socket.</summary>
    public bool Emit(string eventName, params object?[] args) =>
        _socket is not null ? _socket.Emit(eventName, args) : _namespace!.To(Id).Emit(eventName, args);

    /// <summary>Makes the socket join <paramref name="room"/>.</summary>
    public ValueTask Join(string room)
    {
        if (_socket is not null)
        {
            return _socket.Join(room);
        }

        _namespace!.Adapter.AddSockets(Self, [room]);
        return ValueTask.CompletedTask;
    }

    /// <summary>Makes the socket leave <paramref name="room"/>.</summary>
    public ValueTask Leave(string room)
    {
        if (_socket is not null)
        {
            return _socket.Leave(room);
        }

        _namespace!.Adapter.DelSockets(Self, [room]);
        return ValueTask.CompletedTask;
    }

    /// <summary>Disconnects the socket.</summary>
    public void Disconnect(bool close = false)
    {
        if (_socket is not null)
        {
            _socket.Disconnect(close);
        }
        else
        {
            _namespace!.Adapter.DisconnectSockets(Self, close);
        }
    }
}
