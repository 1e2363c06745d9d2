using System.Buffers;
using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// The classic flavour's wire forms (@socket.io/redis-adapter 8.3 <c>createAdapter</c>, and
/// @socket.io/redis-emitter 5.1): broadcasts as a msgpack array <c>[uid, packet, opts]</c>;
/// requests and answers as JSON objects with the classic request types, except an acknowledged
/// broadcast and a broadcast acknowledgement (msgpack maps) and anything carrying binary (msgpack).
/// </summary>
public static class ClassicRedisCodec
{
    private const int Sockets = 0, AllRooms = 1, RemoteJoin = 2, RemoteLeave = 3, RemoteDisconnect = 4, RemoteFetch = 5,
        ServerSideEmit = 6, Broadcast = 7, BroadcastClientCount = 8, BroadcastAck = 9;

    /// <summary>The uid external emitters publish with.</summary>
    public const string EmitterUid = "emitter";

    /// <summary>A broadcast without acknowledgements: <c>[uid, {type:2, data, nsp}, {rooms, except, flags}]</c> as msgpack.</summary>
    public static byte[] EncodeBroadcast(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ToMsgPack(message, static (writer, m) =>
        {
            writer.WriteStartArray();
            writer.WriteStringValue(m.Uid);
            WritePacket(writer, m);
            ClusterJson.WriteOptions(writer, m.Options!);
            writer.WriteEndArray();
        });
    }

    /// <summary>A request (published on the request channel).</summary>
    public static byte[] EncodeRequest(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        bool msgpack = message.Type == ClusterMessageType.Broadcast || HasBinary(message);
        Action<Utf8JsonWriter, ClusterMessage> write = static (writer, m) =>
        {
            writer.WriteStartObject();
            if (m.Uid is not null)
            {
                writer.WriteString("uid", m.Uid);
            }

            if (m.RequestId is not null)
            {
                writer.WriteString("requestId", m.RequestId);
            }

            switch (m.Type)
            {
                case ClusterMessageType.Broadcast:
                    writer.WriteNumber("type", Broadcast);
                    writer.WritePropertyName("packet");
                    WritePacket(writer, m);
                    writer.WritePropertyName("opts");
                    ClusterJson.WriteOptions(writer, m.Options!);
                    break;
                case ClusterMessageType.SocketsJoin or ClusterMessageType.SocketsLeave:
                    writer.WriteNumber("type", m.Type == ClusterMessageType.SocketsJoin ? RemoteJoin : RemoteLeave);
                    writer.WritePropertyName("opts");
                    ClusterJson.WriteOptions(writer, m.Options!, withFlags: false);
                    ClusterJson.WriteStrings(writer, "rooms", m.Rooms ?? []);
                    break;
                case ClusterMessageType.DisconnectSockets:
                    writer.WriteNumber("type", RemoteDisconnect);
                    writer.WritePropertyName("opts");
                    ClusterJson.WriteOptions(writer, m.Options!, withFlags: false);
                    writer.WriteBoolean("close", m.Close);
                    break;
                case ClusterMessageType.FetchSockets:
                    writer.WriteNumber("type", RemoteFetch);
                    writer.WritePropertyName("opts");
                    ClusterJson.WriteOptions(writer, m.Options!, withFlags: false);
                    break;
                case ClusterMessageType.ServerSideEmit:
                    writer.WriteNumber("type", ServerSideEmit);
                    writer.WritePropertyName("data");
                    ClusterJson.WritePayload(writer, m.Payload!.Value);
                    break;
                case ClusterMessageType.AllRooms:
                    writer.WriteNumber("type", AllRooms);
                    break;
                default:
                    throw new NotSupportedException($"The classic Redis protocol has no {m.Type} request.");
            }

            writer.WriteEndObject();
        };
        return msgpack ? ToMsgPack(message, write) : ToJson(message, write);
    }

    /// <summary>An answer (published on the response channel).</summary>
    public static byte[] EncodeResponse(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        bool msgpack = message.Type == ClusterMessageType.BroadcastAck || HasBinary(message);
        Action<Utf8JsonWriter, ClusterMessage> write = static (writer, m) =>
        {
            writer.WriteStartObject();
            switch (m.Type)
            {
                case ClusterMessageType.FetchSocketsResponse:
                    writer.WriteString("requestId", m.RequestId);
                    writer.WritePropertyName("sockets");
                    ClusterJson.WriteSockets(writer, m.Sockets ?? []);
                    break;
                case ClusterMessageType.AllRoomsResponse:
                    writer.WriteString("requestId", m.RequestId);
                    ClusterJson.WriteStrings(writer, "rooms", m.Rooms ?? []);
                    break;
                case ClusterMessageType.ServerSideEmitResponse:
                    WriteAnswerWithPayload(writer, ServerSideEmit, m, "data");
                    break;
                case ClusterMessageType.BroadcastClientCount:
                    writer.WriteNumber("type", BroadcastClientCount);
                    writer.WriteString("requestId", m.RequestId);
                    writer.WriteNumber("clientCount", m.ClientCount);
                    break;
                case ClusterMessageType.BroadcastAck:
                    WriteAnswerWithPayload(writer, BroadcastAck, m, "packet");
                    break;
                default:
                    throw new NotSupportedException($"The classic Redis protocol has no {m.Type} answer.");
            }

            writer.WriteEndObject();
        };
        return msgpack ? ToMsgPack(message, write) : ToJson(message, write);
    }

    /// <summary>The answer to a legacy request: <c>{requestId}</c>, with <c>sockets</c> (socket ids) for a SOCKETS query.</summary>
    internal static byte[] EncodeLegacyAnswer(string? requestId, IReadOnlySet<string>? socketIds)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (requestId is not null)
            {
                writer.WriteString("requestId", requestId);
            }

            if (socketIds is not null)
            {
                writer.WriteStartArray("sockets");
                foreach (string id in socketIds)
                {
                    writer.WriteStringValue(id);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The type, the request id and, when the answer carries one, the payload under <paramref name="name"/>.</summary>
    private static void WriteAnswerWithPayload(Utf8JsonWriter writer, int type, ClusterMessage answer, string name)
    {
        writer.WriteNumber("type", type);
        writer.WriteString("requestId", answer.RequestId);
        if (answer.Payload is JsonPayload payload)
        {
            writer.WritePropertyName(name);
            ClusterJson.WritePayload(writer, payload);
        }
    }

    private static bool HasBinary(ClusterMessage message) => message.Payload is JsonPayload p && p.Attachments.Count > 0;

    private static void WritePacket(Utf8JsonWriter writer, ClusterMessage message)
    {
        writer.WriteStartObject();
        writer.WriteNumber("type", 2);
        writer.WritePropertyName("data");
        ClusterJson.WritePayload(writer, message.Payload!.Value);
        writer.WriteString("nsp", message.Namespace);
        writer.WriteEndObject();
    }

    private static byte[] ToJson(ClusterMessage message, Action<Utf8JsonWriter, ClusterMessage> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Payload?.Json.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer, message);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] ToMsgPack(ClusterMessage message, Action<Utf8JsonWriter, ClusterMessage> write) =>
        SocketIoMsgPack.FromJson(ToJson(message, write), message.Payload?.Attachments);

    private static JsonPayload Read(ReadOnlyMemory<byte> raw) =>
        raw.Length > 0 && raw.Span[0] == (byte)'{' ? new JsonPayload(raw, Array.Empty<ReadOnlyMemory<byte>>()) : SocketIoMsgPack.ToJson(raw);

    /// <summary>Reads a broadcast-channel message; null when it is not for <paramref name="nsp"/>.</summary>
    /// <exception cref="FormatException">Not a classic broadcast.</exception>
    public static ClusterMessage? DecodeBroadcast(ReadOnlyMemory<byte> raw, string nsp)
    {
        JsonPayload form = SocketIoMsgPack.ToJson(raw);
        using JsonDocument document = JsonDocument.Parse(form.Json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() < 3)
        {
            throw new FormatException("A classic broadcast is an array [uid, packet, opts].");
        }

        JsonElement packet = root[1];
        string packetNsp = packet.TryGetProperty("nsp", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "/";
        if (packetNsp != nsp || !packet.TryGetProperty("data", out JsonElement data))
        {
            return null;
        }

        return new ClusterMessage(ClusterMessageType.Broadcast, root[0].ValueKind == JsonValueKind.String ? root[0].GetString() : null, packetNsp)
        {
            Options = ClusterJson.ReadOptions(root[2]),
            Payload = ClusterJson.ReadPayload(data, form.Attachments),
        };
    }

    /// <summary>Reads a request; null for kinds this side does not act on.</summary>
    public static ClusterMessage? DecodeRequest(ReadOnlyMemory<byte> raw, string nsp) => DecodeRequest(raw, nsp, out _);

    /// <summary>Reads a request; <paramref name="legacy"/> is set for the legacy forms (a SOCKETS query, for which null is returned, or a single-socket join, leave or disconnect).</summary>
    internal static ClusterMessage? DecodeRequest(ReadOnlyMemory<byte> raw, string nsp, out ClassicLegacyRequest? legacy)
    {
        legacy = null;
        JsonPayload form = Read(raw);
        using JsonDocument document = JsonDocument.Parse(form.Json);
        JsonElement root = document.RootElement;
        string? uid = root.TryGetProperty("uid", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        string? requestId = root.TryGetProperty("requestId", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        BroadcastOptions? options = root.TryGetProperty("opts", out JsonElement o) ? ClusterJson.ReadOptions(o) : null;
        int type = root.GetProperty("type").GetInt32();
        switch (type)
        {
            case AllRooms:
                return new ClusterMessage(ClusterMessageType.AllRooms, uid, nsp) { RequestId = requestId };
            case RemoteJoin or RemoteLeave or RemoteDisconnect:
                if (options is null)
                {
                    // The legacy single-socket form {sid, room}.
                    if (!root.TryGetProperty("sid", out JsonElement sid) || sid.ValueKind != JsonValueKind.String)
                    {
                        return null;
                    }

                    options = new BroadcastOptions(new HashSet<string>(StringComparer.Ordinal) { sid.GetString()! }, new HashSet<string>(), default);
                }

                ClusterMessageType kind = type == RemoteJoin ? ClusterMessageType.SocketsJoin : type == RemoteLeave ? ClusterMessageType.SocketsLeave : ClusterMessageType.DisconnectSockets;
                string[] rooms = root.TryGetProperty("rooms", out JsonElement rs) ? ClusterJson.ReadStrings(rs)
                    : root.TryGetProperty("room", out JsonElement one) && one.ValueKind == JsonValueKind.String ? [one.GetString()!] : [];
                if (o.ValueKind == JsonValueKind.Undefined)
                {
                    legacy = new ClassicLegacyRequest(false, uid, requestId, root.GetProperty("sid").GetString(), rooms);
                }

                return new ClusterMessage(kind, uid, nsp)
                {
                    Options = options,
                    Rooms = rooms,
                    Close = root.TryGetProperty("close", out JsonElement c) && c.ValueKind == JsonValueKind.True,
                };
            case RemoteFetch:
                return new ClusterMessage(ClusterMessageType.FetchSockets, uid, nsp) { RequestId = requestId, Options = options };
            case ServerSideEmit:
                return new ClusterMessage(ClusterMessageType.ServerSideEmit, uid, nsp)
                {
                    RequestId = requestId,
                    Payload = ClusterJson.ReadPayload(root.GetProperty("data"), form.Attachments),
                };
            case Broadcast:
                return new ClusterMessage(ClusterMessageType.Broadcast, uid, nsp)
                {
                    RequestId = requestId,
                    Options = options,
                    Payload = ClusterJson.ReadPayload(root.GetProperty("packet").GetProperty("data"), form.Attachments),
                };
            case Sockets:
                legacy = new ClassicLegacyRequest(true, uid, requestId, null,
                    root.TryGetProperty("rooms", out JsonElement queried) && queried.ValueKind == JsonValueKind.Array ? ClusterJson.ReadStrings(queried) : []);
                return null;
            default:
                return null; // unknown kinds
        }
    }

    /// <summary>Reads an answer; null when it is none this side waits for.</summary>
    public static ClusterMessage? DecodeResponse(ReadOnlyMemory<byte> raw, string nsp)
    {
        JsonPayload form = Read(raw);
        using JsonDocument document = JsonDocument.Parse(form.Json);
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("requestId", out JsonElement r) || r.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string requestId = r.GetString()!;
        int type = root.TryGetProperty("type", out JsonElement t) && t.TryGetInt32(out int n) ? n : -1;
        return type switch
        {
            BroadcastClientCount => new ClusterMessage(ClusterMessageType.BroadcastClientCount, null, nsp)
            {
                RequestId = requestId,
                ClientCount = root.TryGetProperty("clientCount", out JsonElement c) && c.TryGetInt32(out int count) ? count : 0,
            },
            BroadcastAck => new ClusterMessage(ClusterMessageType.BroadcastAck, null, nsp)
            {
                RequestId = requestId,
                Payload = root.TryGetProperty("packet", out JsonElement p) ? ClusterJson.ReadPayload(p, form.Attachments) : null,
            },
            ServerSideEmit => new ClusterMessage(ClusterMessageType.ServerSideEmitResponse, null, nsp)
            {
                RequestId = requestId,
                Payload = root.TryGetProperty("data", out JsonElement d) ? ClusterJson.ReadPayload(d, form.Attachments) : null,
            },
            _ when root.TryGetProperty("sockets", out JsonElement sockets) && sockets.ValueKind == JsonValueKind.Array
                && (sockets.GetArrayLength() == 0 || sockets[0].ValueKind == JsonValueKind.Object) =>
                new ClusterMessage(ClusterMessageType.FetchSocketsResponse, null, nsp) { RequestId = requestId, Sockets = ClusterJson.ReadSockets(sockets) },
            _ when root.TryGetProperty("rooms", out JsonElement rooms) =>
                new ClusterMessage(ClusterMessageType.AllRoomsResponse, null, nsp) { RequestId = requestId, Rooms = ClusterJson.ReadStrings(rooms) },
            _ => null,
        };
    }
}
