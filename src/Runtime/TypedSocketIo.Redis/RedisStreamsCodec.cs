using System.Buffers;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// The wire of @socket.io/redis-streams-adapter 0.3: stream entries <c>uid nsp type data</c> (data
/// as JSON, or base64 msgpack when a broadcast, an answer or a server-side event holds binary),
/// whole messages as msgpack on the channels, sessions as base64 msgpack <c>{sid, pid, rooms, data}</c>.
/// </summary>
internal static class RedisStreamsCodec
{
    /// <summary>Whether the reference sends <paramref name="message"/> over PUBLISH rather than the stream (its <c>isEphemeral</c>).</summary>
    public static bool IsEphemeral(ClusterMessage message) =>
        (message.Type == ClusterMessageType.Broadcast && message.RequestId is not null)
        || message.Type is ClusterMessageType.ServerSideEmit or ClusterMessageType.FetchSockets;

    /// <summary>The whole message as msgpack (channels).</summary>
    public static byte[] EncodeMessage(ClusterMessage message)
    {
        byte[] json = ClusterProtocolCodec.EncodeJson(message, out IReadOnlyList<ReadOnlyMemory<byte>> attachments);
        return SocketIoMsgPack.FromJson(json, attachments);
    }

    /// <summary>The fields of a stream entry.</summary>
    public static NameValueEntry[] EncodeEntry(ClusterMessage message)
    {
        byte[] json = ClusterProtocolCodec.EncodeJson(message, out IReadOnlyList<ReadOnlyMemory<byte>> attachments);
        using JsonDocument document = JsonDocument.Parse(json);
        var fields = new List<NameValueEntry>(4)
        {
            new("uid", message.Uid ?? ""),
            new("nsp", message.Namespace),
            new("type", ((int)message.Type).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (document.RootElement.TryGetProperty("data", out JsonElement data))
        {
            byte[] dataJson = Encoding.UTF8.GetBytes(data.GetRawText());
            fields.Add(new("data", attachments.Count > 0
                ? Convert.ToBase64String(SocketIoMsgPack.FromJson(dataJson, attachments))
                : Encoding.UTF8.GetString(dataJson)));
        }

        return [.. fields];
    }

    /// <summary>Reads a stream entry's fields (<paramref name="fields"/> alternate names and values).</summary>
    /// <exception cref="FormatException">The entry is not a cluster message.</exception>
    public static ClusterMessage DecodeEntry(IReadOnlyDictionary<string, string> fields, string offset)
    {
        if (!fields.TryGetValue("type", out string? type) || !int.TryParse(type, System.Globalization.CultureInfo.InvariantCulture, out int typeNumber))
        {
            throw new FormatException("A stream entry without a type.");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        IReadOnlyList<ReadOnlyMemory<byte>> attachments = Array.Empty<ReadOnlyMemory<byte>>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", typeNumber);
            if (fields.TryGetValue("data", out string? data) && data.Length > 0)
            {
                writer.WritePropertyName("data");
                if (data[0] == '{')
                {
                    writer.WriteRawValue(data);
                }
                else
                {
                    JsonPayload payload = SocketIoMsgPack.ToJson(Convert.FromBase64String(data));
                    attachments = payload.Attachments;
                    writer.WriteRawValue(payload.Json.Span, skipInputValidation: true);
                }
            }

            if (fields.TryGetValue("uid", out string? uid))
            {
                writer.WriteString("uid", uid);
            }

            writer.WriteString("nsp", fields.TryGetValue("nsp", out string? nsp) ? nsp : "/");
            writer.WriteEndObject();
        }

        byte[] raw = attachments.Count == 0 ? buffer.WrittenSpan.ToArray() : SocketIoMsgPack.FromJson(buffer.WrittenSpan, attachments);
        ClusterMessage message = ClusterProtocolCodec.Decode(raw);
        return new ClusterMessage(message.Type, message.Uid, message.Namespace)
        {
            RequestId = message.RequestId,
            Options = message.Options,
            Payload = message.Payload,
            Rooms = message.Rooms,
            Close = message.Close,
            ClientCount = message.ClientCount,
            Sockets = message.Sockets,
            Offset = offset,
        };
    }

    /// <summary>A session as the reference keeps it: base64 of msgpack <c>{sid, pid, rooms, data}</c>.</summary>
    public static string EncodeSession(RecoverySession session)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("sid", session.Sid);
            writer.WriteString("pid", session.Pid);
            writer.WriteStartArray("rooms");
            foreach (string room in session.Rooms)
            {
                writer.WriteStringValue(room);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("data");
            if (session.Data is JsonElement data)
            {
                data.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return Convert.ToBase64String(SocketIoMsgPack.FromJson(buffer.WrittenSpan));
    }

    /// <summary>Reads a kept session.</summary>
    /// <exception cref="FormatException">The value is not a session.</exception>
    public static RecoverySession DecodeSession(string value)
    {
        JsonPayload payload = SocketIoMsgPack.ToJson(Convert.FromBase64String(value));
        using JsonDocument document = JsonDocument.Parse(payload.Json);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("sid", out JsonElement sid) || sid.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("pid", out JsonElement pid) || pid.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("Not a session.");
        }

        string[] rooms = root.TryGetProperty("rooms", out JsonElement r) && r.ValueKind == JsonValueKind.Array ? ClusterJson.ReadStrings(r) : [];
        object? data = root.TryGetProperty("data", out JsonElement d) && d.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? d.Clone() : null;
        return new RecoverySession(sid.GetString()!, pid.GetString()!, rooms, data);
    }

    /// <summary>Whether <paramref name="offset"/> is a stream entry id (<c>ms-seq</c>).</summary>
    public static bool IsEntryId(string offset)
    {
        int dash = offset.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && dash < offset.Length - 1 && offset.AsSpan(0, dash).IndexOfAnyExceptInRange('0', '9') < 0
            && offset.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    /// <summary>The id right after <paramref name="offset"/> (the reference's <c>nextOffset</c>, for exclusive ranges).</summary>
    public static string Next(string offset)
    {
        int dash = offset.IndexOf('-', StringComparison.Ordinal);
        ulong sequence = ulong.Parse(offset.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture);
        return offset[..dash] + "-" + (sequence + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
