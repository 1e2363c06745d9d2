using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Server.EngineIO.Framing;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server;

/// <summary>
/// One Engine.IO connection seen by the Socket.IO server (the reference's <c>Client</c>): decodes
/// its packets, multiplexes its namespace sockets and writes their packets.
/// </summary>
internal sealed class SocketIoConnection : IEngineSocketOwner
{
    private static readonly JsonElement EmptyAuth = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly SocketIoServer _server;
    private readonly ISocketIoDecoder _decoder;
    // One socket per namespace, most often one: a snapshot replaced whole under the lock and read
    // without it (a packet's lookup is a scan of one or a few).
    private Socket[] _sockets = [];

    // Namespaces whose CONNECT is being handled (middleware may await), and whether the engine
    // connection closed; both guarded by the lock, with the attaching of sockets, so that a socket is
    // either attached before the close (and closed by it) or never attached. Made for the first
    // CONNECT and dropped once none is pending: an idle connection holds no set.
    private HashSet<string>? _connecting;
    private bool _closed;

    // The lock (the connection itself: internal, never handed out, one object less per connection)
    // guards the above, and keeps the messages of one packet together on the wire.

    // Until the first socket connects; then dropped.
    private ScheduledTimer? _connectTimer;

    public SocketIoConnection(SocketIoServer server, EngineSocket conn)
    {
        _server = server;
        Conn = conn;
        _decoder = server.Options.Parser.CreateDecoder();
        ScheduledTimer connectTimer = TimerScheduler.Shared.CreateTimer(static s => ((SocketIoConnection)s).OnConnectTimeout(), this);
        _connectTimer = connectTimer;
        conn.Owner = this;
        connectTimer.Schedule(server.Options.ConnectTimeout);
        if (conn.Protocol == EngineIOProtocol.V3)
        {
            // Protocol 4 clients (socket.io-client 2.x) are connected to "/" implicitly.
            _ = ConnectAsync("/", EmptyAuth);
        }
    }

    public EngineSocket Conn { get; }

    void IEngineSocketOwner.OnMessage(EnginePacket message)
    {
        SocketIoPacket? packet;
        try
        {
            lock (_decoder)
            {
                packet = _decoder.Add(message);
            }
        }
        catch (SocketIoParseException ex)
        {
            OnProtocolError(ex);
            return;
        }

        if (packet is null)
        {
            return;
        }

        try
        {
            OnPacket(packet);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // A packet the parser let through but that cannot be used: only this connection pays.
            OnProtocolError(ex);
        }
    }

    private void OnPacket(SocketIoPacket packet)
    {
        if (packet.Type == SocketIoPacketType.Connect)
        {
            string name = packet.Namespace;
            JsonElement auth = EmptyAuth;
            if (Conn.Protocol == EngineIOProtocol.V3)
            {
                // Protocol 4: "/custom?token=abc" — the query is the handshake auth.
                int query = name.IndexOf('?', StringComparison.Ordinal);
                if (query >= 0)
                {
                    auth = JsonSerializer.SerializeToElement(
                        QueryHelpers.ParseQuery(name[query..]).ToDictionary(static p => p.Key, static p => p.Value.ToString()),
                        SocketIoJsonContext.Default.DictionaryStringString);
                    name = name[..query];
                }
            }
            else if (!packet.Data.IsEmpty)
            {
                using JsonDocument document = JsonDocument.Parse(packet.Data, new JsonDocumentOptions { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth });
                auth = document.RootElement.Clone();
            }

            _ = ConnectAsync(name, auth);
            return;
        }

        if (packet.Type != SocketIoPacketType.ConnectError && Find(packet.Namespace) is { } socket)
        {
            socket.OnPacket(packet);
            return;
        }

        // As the reference: a packet for a namespace the client has not joined (clients buffer their
        // emits until connected), or a CONNECT_ERROR from a client, is an invalid state.
        OnInvalidState($"{packet.Type} packet for namespace {packet.Namespace}");
    }

    private Socket? Find(string name)
    {
        Socket[] sockets = Volatile.Read(ref _sockets);
        return IndexOf(sockets, name) is var index and >= 0 ? sockets[index] : null;
    }

    private static int IndexOf(Socket[] sockets, string name)
    {
        for (int i = 0; i < sockets.Length; i++)
        {
            if (string.Equals(sockets[i].Namespace.Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void OnInvalidState(string what)
    {
        _server.Log.ParseError(Conn.Id, "invalid state: " + what);
        Close("forced server close");
    }

    /// <summary>
    /// A packet that breaks the protocol: every socket of the client is told through its Error event,
    /// then the connection closes after delivering what was already sent (reason <c>parse error</c>).
    /// </summary>
    private void OnProtocolError(Exception error)
    {
        _server.Log.ParseError(Conn.Id, error.Message);
        foreach (Socket socket in Volatile.Read(ref _sockets))
        {
            socket.RaiseError(error);
        }

        Close("parse error");
    }

    private async Task ConnectAsync(string name, JsonElement auth)
    {
        bool second;
        lock (this)
        {
            if (_closed)
            {
                return;
            }

            // Connected, or still in its middleware: a second socket for one namespace is a protocol
            // error (it would replace the first, which no close would ever reach).
            second = Find(name) is not null || !(_connecting ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
        }

        if (second)
        {
            OnInvalidState("second CONNECT for namespace " + name);
            return;
        }

        try
        {
            Namespace? nsp = await _server.ResolveNamespaceAsync(name, auth).ConfigureAwait(false);
            if (nsp is null)
            {
                SendConnectError(name, "Invalid namespace", null, objectForEveryProtocol: true); // as the reference: {message} even to v2 clients
                return;
            }

            await nsp.AddAsync(this, auth).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _server.Log.HandlerFailed(Conn.Id, "connect " + name, ex);
        }
        finally
        {
            lock (this)
            {
                if (_connecting is { } connecting && connecting.Remove(name) && connecting.Count == 0)
                {
                    _connecting = null;
                }
            }
        }
    }

    /// <summary>Attaches a socket that passed its middleware; false when the connection closed meanwhile.</summary>
    public bool TryAttach(Socket socket)
    {
        lock (this)
        {
            if (_closed || Conn.ReadyState != EngineReadyState.Open)
            {
                return false;
            }

            Socket[] current = _sockets;
            int index = IndexOf(current, socket.Namespace.Name);
            Socket[] next = index < 0 ? [.. current, socket] : [.. current];
            if (index >= 0)
            {
                next[index] = socket;
            }

            Volatile.Write(ref _sockets, next);
            return true;
        }
    }

    /// <summary>Tells the client its socket is connected (the CONNECT answer).</summary>
    public void OnSocketConnected(Socket socket)
    {
        Interlocked.Exchange(ref _connectTimer, null)?.Cancel();
        ReadOnlyMemory<byte> data = Conn.Protocol == EngineIOProtocol.V3
            ? default
            : JsonSerializer.SerializeToUtf8Bytes(socket.Pid is null
                ? new Dictionary<string, string> { ["sid"] = socket.Id }
                : new Dictionary<string, string> { ["sid"] = socket.Id, ["pid"] = socket.Pid }, SocketIoJsonContext.Default.DictionaryStringString);
        WritePacket(new SocketIoPacket(SocketIoPacketType.Connect, socket.Namespace.Name, data: data), isVolatile: false, compress: true);
    }

    /// <summary>
    /// The JSON of a refusal's data: strings and JSON elements as they are, other values with the
    /// server's options. Data the options cannot serialize (no metadata with reflection off) is
    /// logged and left out: the refusal itself must reach the client.
    /// </summary>
    private byte[]? EncodeErrorData(object data)
    {
        try
        {
            return data switch
            {
                string text => JsonSerializer.SerializeToUtf8Bytes(text, SocketIoJsonContext.Default.String),
                JsonElement element => JsonSerializer.SerializeToUtf8Bytes(element, SocketIoJsonContext.Default.JsonElement),
                // By runtime type, with the metadata the options resolve (a context under AOT).
                _ => JsonSerializer.SerializeToUtf8Bytes(data, _server.JsonOptions.GetTypeInfo(data.GetType())),
            };
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            _server.Log.ErrorDataNotSerializable(Conn.Id, data.GetType().FullName ?? "?", ex);
            return null;
        }
    }

    /// <summary>
    /// Sends CONNECT_ERROR: <c>{message, data?}</c>, or for a v2 client (Engine.IO 3) the bare data or
    /// message, as the reference sends middleware refusals, unless <paramref name="objectForEveryProtocol"/>.
    /// </summary>
    public void SendConnectError(string nsp, string message, object? data, bool objectForEveryProtocol = false)
    {
        byte[]? encodedData = data is null ? null : EncodeErrorData(data);
        ReadOnlyMemory<byte> payload;
        if (Conn.Protocol == EngineIOProtocol.V3 && !objectForEveryProtocol)
        {
            payload = encodedData ?? JsonSerializer.SerializeToUtf8Bytes(message, SocketIoJsonContext.Default.String);
        }
        else
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = TypedSocketIo.JsonStringifyEncoder.Instance }))
            {
                writer.WriteStartObject();
                writer.WriteString("message", message);
                if (encodedData is not null)
                {
                    writer.WritePropertyName("data");
                    writer.WriteRawValue(encodedData, skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            payload = buffer.ToArray();
        }

        WritePacket(new SocketIoPacket(SocketIoPacketType.ConnectError, nsp, data: payload), isVolatile: false, compress: true);
    }

    public void WritePacket(SocketIoPacket packet, bool isVolatile, bool compress) =>
        WriteEncoded(_server.Options.Parser.Encode(packet), isVolatile, compress);

    /// <summary>Writes the messages of one packet, together (attachments never interleave).</summary>
    public void WriteEncoded(EnginePacket[] messages, bool isVolatile, bool compress)
    {
        if (isVolatile && !Conn.IsWritable)
        {
            return;
        }

        lock (this)
        {
            foreach (EnginePacket message in messages)
            {
                Conn.Send(message, compress);
            }
        }
    }

    /// <summary>
    /// Writes the messages of one packet sent to many connections, together: the server's own
    /// WebSocket framing writes each one's shared frame as it is (a broadcast builds it once).
    /// </summary>
    public void WriteShared(SharedFrame[] messages, bool isVolatile, bool compress)
    {
        if (isVolatile && !Conn.IsWritable)
        {
            return;
        }

        lock (this)
        {
            foreach (SharedFrame message in messages)
            {
                Conn.SendShared(message, compress);
            }
        }
    }

    public void Remove(Socket socket)
    {
        lock (this)
        {
            int index = Array.IndexOf(_sockets, socket);
            if (index >= 0)
            {
                Volatile.Write(ref _sockets, [.. _sockets.AsSpan(0, index), .. _sockets.AsSpan(index + 1)]);
            }
        }
    }

    /// <summary>Disconnects every namespace and closes the connection (<c>socket.Disconnect(true)</c>).</summary>
    public void DisconnectAll()
    {
        foreach (Socket socket in Volatile.Read(ref _sockets))
        {
            socket.Disconnect();
        }

        Close("forced server close");
    }

    /// <summary>
    /// Closes the connection because it went past the per-connection limit named by the option
    /// <paramref name="option"/>: logged, counted, and every socket gets <c>forced server close</c>.
    /// </summary>
    public void DropForLimit(string option, string description)
    {
        _server.Log.LimitExceeded(Conn.Id, option, description);
        _server.Metrics.LimitExceeded(option);
        Close("forced server close", description);
    }

    private void Close(string reason, string? description = null)
    {
        // The sockets learn the server's reason first; the engine's own close event comes after.
        OnEngineClosed(reason, description);
        if (Conn.ReadyState == EngineReadyState.Open)
        {
            Conn.Close();
        }
    }

    private void OnConnectTimeout()
    {
        if (Volatile.Read(ref _sockets).Length == 0)
        {
            _server.Log.ConnectTimeout(Conn.Id);
            Close("forced server close");
        }
    }

    void IEngineSocketOwner.OnEngineClosed(string reason, string? description) => OnEngineClosed(reason, description);

    private void OnEngineClosed(string reason, string? description)
    {
        Interlocked.Exchange(ref _connectTimer, null)?.Cancel();
        lock (this)
        {
            _closed = true;
        }

        foreach (Socket socket in Volatile.Read(ref _sockets))
        {
            socket.OnClose(reason, description);
        }
    }
}
