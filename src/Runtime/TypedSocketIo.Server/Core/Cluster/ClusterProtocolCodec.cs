using System.Buffers;
using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The cluster protocol's wire form (socket.io-adapter's ClusterAdapter, as the sharded Redis and
/// the PostgreSQL adapters send it): <c>{"type":n,"data":{…},"uid":"…","nsp":"/"}</c> as JSON, or
/// the same as msgpack when a payload holds binary. A reader takes JSON when the first byte is <c>{</c>.
/// </summary>
public static class ClusterProtocolCodec
{
    /// <summary>Whether the message carries binary values (it then travels as msgpack).</summary>
    public static bool HasBinary(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Payload is JsonPayload payload && payload.Attachments.Count > 0;
    }

    /// <summary>The message as JSON, or as msgpack when it carries binary values.</summary>
    public static byte[] Encode(ClusterMessage message)
    {
        byte[] json = EncodeJson(message, out IReadOnlyList<ReadOnlyMemory<byte>> attachments);
        return attachments.Count == 0 ? json : SocketIoMsgPack.FromJson(json, attachments);
    }

    /// <summary>The message as JSON, binary values as placeholders into <paramref name="attachments"/>.</summary>
    public static byte[] EncodeJson(ClusterMessage message, out IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        ArgumentNullException.ThrowIfNull(message);
        attachments = message.Payload is JsonPayload p ? p.Attachments : Array.Empty<ReadOnlyMemory<byte>>();
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Payload?.Json.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", (int)message.Type);
            if (message.Type is not (ClusterMessageType.InitialHeartbeat or ClusterMessageType.Heartbeat or ClusterMessageType.AdapterClose))
            {
                writer.WritePropertyName("data");
                WriteData(writer, message);
            }

            if (message.Uid is not null)
            {
                writer.WriteString("uid", message.Uid);
            }

            writer.WriteString("nsp", message.Namespace);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteData(Utf8JsonWriter writer, ClusterMessage message)
    {
        writer.WriteStartObject();
        switch (message.Type)
        {
            case ClusterMessageType.Broadcast:
                writer.WriteStartObject("packet");
                writer.WriteNumber("type", 2);
                writer.WritePropertyName("data");
                ClusterJson.WritePayload(writer, message.Payload!.Value);
                writer.WriteEndObject();
                WriteRequestId(writer, message);
                writer.WritePropertyName("opts");
                ClusterJson.WriteOptions(writer, message.Options!);
                break;
            case ClusterMessageType.SocketsJoin or ClusterMessageType.SocketsLeave:
                writer.WritePropertyName("opts");
                ClusterJson.WriteOptions(writer, message.Options!);
                ClusterJson.WriteStrings(writer, "rooms", message.Rooms ?? []);
                break;
            case ClusterMessageType.DisconnectSockets:
                writer.WritePropertyName("opts");
                ClusterJson.WriteOptions(writer, message.Options!);
                writer.WriteBoolean("close", message.Close);
                break;
            case ClusterMessageType.FetchSockets:
                writer.WritePropertyName("opts");
                ClusterJson.WriteOptions(writer, message.Options!);
                WriteRequestId(writer, message);
                break;
            case ClusterMessageType.FetchSocketsResponse:
                WriteRequestId(writer, message);
                writer.WritePropertyName("sockets");
                ClusterJson.WriteSockets(writer, message.Sockets ?? []);
                break;
            case ClusterMessageType.ServerSideEmit:
                WriteRequestId(writer, message);
                writer.WritePropertyName("packet");
                ClusterJson.WritePayload(writer, message.Payload!.Value);
                break;
            case ClusterMessageType.ServerSideEmitResponse or ClusterMessageType.BroadcastAck:
                WriteRequestId(writer, message);
                if (message.Payload is JsonPayload value)
                {
                    writer.WritePropertyName("packet");
                    ClusterJson.WritePayload(writer, value);
                }

                break;
            case ClusterMessageType.BroadcastClientCount:
                WriteRequestId(writer, message);
                writer.WriteNumber("clientCount", message.ClientCount);
                break;
            default:
                throw new NotSupportedException($"The cluster protocol has no {message.Type} message.");
        }

        writer.WriteEndObject();
    }

    private static void WriteRequestId(Utf8JsonWriter writer, ClusterMessage message)
    {
        if (message.RequestId is not null)
        {
            writer.WriteString("requestId", message.RequestId);
        }
    }

    /// <summary>Reads a message (JSON when the first byte is <c>{</c>, msgpack otherwise).</summary>
    /// <exception cref="FormatException">The bytes are not a cluster message.</exception>
    public static ClusterMessage Decode(ReadOnlyMemory<byte> raw, string defaultNamespace = "/")
    {
        JsonPayload form = raw.Length > 0 && raw.Span[0] == (byte)'{'
            ? new JsonPayload(raw, Array.Empty<ReadOnlyMemory<byte>>())
            : SocketIoMsgPack.ToJson(raw);
        try
        {
            using JsonDocument document = JsonDocument.Parse(form.Json);
            return Read(document.RootElement, form.Attachments, defaultNamespace);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException("Not a cluster message: " + ex.Message, ex);
        }
    }

    private static ClusterMessage Read(JsonElement root, IReadOnlyList<ReadOnlyMemory<byte>> attachments, string defaultNamespace)
    {
        var type = (ClusterMessageType)root.GetProperty("type").GetInt32();
        string? uid = root.TryGetProperty("uid", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        string nsp = root.TryGetProperty("nsp", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : defaultNamespace;
        if (!root.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object)
        {
            return new ClusterMessage(type, uid, nsp);
        }

        string? requestId = data.TryGetProperty("requestId", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        BroadcastOptions? options = data.TryGetProperty("opts", out JsonElement o) ? ClusterJson.ReadOptions(o) : null;
        JsonPayload? payload = null;
        if (data.TryGetProperty("packet", out JsonElement packet))
        {
            JsonElement value = type == ClusterMessageType.Broadcast ? packet.GetProperty("data") : packet;
            payload = ClusterJson.ReadPayload(value, attachments);
        }

        return new ClusterMessage(type, uid, nsp)
        {
            RequestId = requestId,
            Options = options,
            Payload = payload,
            Rooms = data.TryGetProperty("rooms", out JsonElement rooms) ? ClusterJson.ReadStrings(rooms) : null,
            Close = data.TryGetProperty("close", out JsonElement close) && close.ValueKind == JsonValueKind.True,
            ClientCount = data.TryGetProperty("clientCount", out JsonElement count) && count.TryGetInt32(out int c) ? c : 0,
            Sockets = data.TryGetProperty("sockets", out JsonElement sockets) ? ClusterJson.ReadSockets(sockets) : null,
        };
    }
}
