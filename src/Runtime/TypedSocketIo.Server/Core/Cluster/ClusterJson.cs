using System.Text;
using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The JSON pieces every cluster wire format shares (broadcast options, flags, sockets, payload
/// values), for the cluster protocol's codec and for transports with a protocol of their own.
/// </summary>
public static class ClusterJson
{
    private static readonly HandshakeJsonConverter HandshakeConverter = new();

    /// <summary>Writes <c>{"rooms":[…],"except":[…],"flags":{…}}</c> (without flags when <paramref name="withFlags"/> is false).</summary>
    public static void WriteOptions(Utf8JsonWriter writer, BroadcastOptions options, bool withFlags = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        writer.WriteStartObject();
        WriteStrings(writer, "rooms", options.Rooms);
        WriteStrings(writer, "except", options.Except);
        if (withFlags)
        {
            writer.WritePropertyName("flags");
            WriteFlags(writer, options.Flags);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes the flags as the reference does: only those that are set (<c>local</c> is never published).</summary>
    public static void WriteFlags(Utf8JsonWriter writer, EmitFlags flags)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (flags.Volatile)
        {
            writer.WriteBoolean("volatile", true);
        }

        if (flags.Compress is bool compress)
        {
            writer.WriteBoolean("compress", compress);
        }

        if (flags.Timeout is TimeSpan timeout)
        {
            writer.WriteNumber("timeout", (long)timeout.TotalMilliseconds);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a string array property.</summary>
    public static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads <c>{"rooms","except","flags"}</c>; missing parts are empty.</summary>
    public static BroadcastOptions ReadOptions(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new BroadcastOptions(InMemoryAdapter.EmptySet, InMemoryAdapter.EmptySet, default);
        }

        EmitFlags flags = default;
        if (element.TryGetProperty("flags", out JsonElement f) && f.ValueKind == JsonValueKind.Object)
        {
            flags = new EmitFlags
            {
                Volatile = f.TryGetProperty("volatile", out JsonElement v) && v.ValueKind == JsonValueKind.True,
                Compress = f.TryGetProperty("compress", out JsonElement c) && c.ValueKind is JsonValueKind.True or JsonValueKind.False ? c.GetBoolean() : null,
                Timeout = f.TryGetProperty("timeout", out JsonElement t) && t.ValueKind == JsonValueKind.Number ? TimeSpan.FromMilliseconds(t.GetDouble()) : null,
            };
        }

        return new BroadcastOptions(ReadSet(element, "rooms"), ReadSet(element, "except"), flags);
    }

    /// <summary>The strings of an array property (numbers and other scalars as their JSON text, as rooms may be numbers in Node).</summary>
    public static IReadOnlySet<string> ReadSet(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return InMemoryAdapter.EmptySet;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement item in array.EnumerateArray())
        {
            set.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
        }

        return set;
    }

    /// <summary>The strings of an array element.</summary>
    public static string[] ReadStrings(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new string[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            result[i++] = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
        }

        return result;
    }

    /// <summary>Writes the sockets of a fetch-sockets answer: <c>[{"id","handshake","rooms","data"}]</c>.</summary>
    public static void WriteSockets(Utf8JsonWriter writer, IReadOnlyList<ClusterSocket> sockets)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sockets);
        writer.WriteStartArray();
        foreach (ClusterSocket socket in sockets)
        {
            writer.WriteStartObject();
            writer.WriteString("id", socket.Id);
            writer.WritePropertyName("handshake");
            socket.Handshake.WriteTo(writer);
            WriteStrings(writer, "rooms", socket.Rooms);
            if (socket.Data.ValueKind != JsonValueKind.Undefined)
            {
                writer.WritePropertyName("data");
                socket.Data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>Reads the sockets of a fetch-sockets answer (entries that are not objects with an id are skipped).</summary>
    public static IReadOnlyList<ClusterSocket> ReadSockets(JsonElement array)
    {
        var sockets = new List<ClusterSocket>();
        if (array.ValueKind != JsonValueKind.Array)
        {
            return sockets;
        }

        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            sockets.Add(new ClusterSocket(
                id.GetString()!,
                item.TryGetProperty("handshake", out JsonElement handshake) ? handshake.Clone() : default,
                item.TryGetProperty("rooms", out JsonElement rooms) ? ReadStrings(rooms) : [],
                item.TryGetProperty("data", out JsonElement data) ? data.Clone() : default));
        }

        return sockets;
    }

    /// <summary>
    /// The description of a local socket for a fetch-sockets answer: its handshake in Node's shape
    /// and its data serialized with <paramref name="options"/> (null when it cannot be).
    /// </summary>
    public static ClusterSocket Describe(RemoteSocket socket, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        JsonElement handshake = socket.HandshakeJson;
        if (handshake.ValueKind == JsonValueKind.Undefined)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                HandshakeConverter.Write(writer, socket.Handshake, options);
            }

            handshake = JsonElement.Parse(buffer.WrittenSpan);
        }

        JsonElement data = default;
        if (socket.Data is JsonElement element)
        {
            data = element;
        }
        else if (socket.Data is not null)
        {
            try
            {
                // By its runtime type, with the metadata the options resolve (a context under AOT): data
                // they know nothing about is sent as null.
                data = JsonElement.Parse(JsonSerializer.SerializeToUtf8Bytes(socket.Data, options.GetTypeInfo(socket.Data.GetType())));
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
            {
                data = JsonElement.Parse("null"u8);
            }
        }

        return new ClusterSocket(socket.Id, handshake, [.. socket.Rooms], data);
    }

    /// <summary>Writes a payload value as it is (its placeholders refer to the message's attachments).</summary>
    public static void WritePayload(Utf8JsonWriter writer, JsonPayload payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(payload.Json.Span, skipInputValidation: true);
    }

    /// <summary>A payload value read from a message whose binary values are <paramref name="attachments"/>.</summary>
    public static JsonPayload ReadPayload(JsonElement value, IReadOnlyList<ReadOnlyMemory<byte>> attachments) =>
        new(Encoding.UTF8.GetBytes(value.GetRawText()), attachments);

    /// <summary>The answer's arguments: <c>[value]</c>, or none when the answer had no value.</summary>
    public static SocketIoArgs AnswerArgs(JsonPayload? value, JsonSerializerOptions options)
    {
        if (value is not JsonPayload payload)
        {
            return new SocketIoArgs("[]"u8.ToArray(), Array.Empty<ReadOnlyMemory<byte>>(), options);
        }

        byte[] array = new byte[payload.Json.Length + 2];
        array[0] = (byte)'[';
        payload.Json.Span.CopyTo(array.AsSpan(1));
        array[^1] = (byte)']';
        return new SocketIoArgs(array, payload.Attachments, options);
    }

    /// <summary>The first argument of an answer, as a payload value (null when the answer had none).</summary>
    public static JsonPayload? FirstArgument(SocketIoArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Count == 0 ? null : new JsonPayload(Encoding.UTF8.GetBytes(args[0].GetRawText()), args.Attachments);
    }
}
