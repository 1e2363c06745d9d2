using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedSocketIo.Protocol;

/// <summary>
/// JSON for Socket.IO payloads: binary values (byte[], ReadOnlyMemory&lt;byte&gt;, Memory&lt;byte&gt;)
/// become attachments with placeholders wherever they appear, and placeholders become binary again.
/// </summary>
public static class SocketIoJson
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_writing;

    [ThreadStatic]
    private static IReadOnlyList<ReadOnlyMemory<byte>>? t_reading;

    /// <summary>The options used when none are given: web defaults (camelCase) with the binary converters.</summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateOptions(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>A copy of <paramref name="options"/> with the binary converters added (first, so they win).</summary>
    public static JsonSerializerOptions CreateOptions(JsonSerializerOptions? options = null)
    {
        var result = options is null ? new JsonSerializerOptions(JsonSerializerDefaults.Web) : new JsonSerializerOptions(options);
        result.Encoder ??= JsonStringifyEncoder.Instance;
        result.Converters.Insert(0, new ByteArrayConverter());
        result.Converters.Insert(1, new ReadOnlyMemoryConverter());
        result.Converters.Insert(2, new MemoryConverter());
        result.Converters.Insert(3, new ArraySegmentConverter());
        // Last, so an application's own date converters win: dates written as System.Text.Json
        // does, with their place noted for parsers that have a date type (msgpack).
        result.Converters.Add(new PayloadDates.DateTimeConverter());
        result.Converters.Add(new PayloadDates.DateTimeOffsetConverter());
        if (result.TypeInfoResolver is null && JsonSerializer.IsReflectionEnabledByDefault)
        {
            // Typed code asks the options for metadata; give them the reflection resolver the
            // untyped serializer would use anyway (none when the app disabled reflection).
#pragma warning disable IL2026, IL3050 // guarded by the reflection feature switch
            result.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
#pragma warning restore IL2026, IL3050
        }

        return result;
    }

    /// <summary>Whether <paramref name="value"/> is one of the binary types sent as an attachment.</summary>
    public static bool IsBinary(object? value) => value is byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte>;

    /// <summary>
    /// The name of an event (the first item of its data) without parsing the rest: a string, or the
    /// raw JSON of a numeric name (the reference allows them) or of a string .NET cannot decode (a
    /// lone surrogate).
    /// </summary>
    public static string ReadEventName(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read())
        {
            return "";
        }

        return ReadEventName(ref reader);
    }

    /// <summary>The event name at the reader's current token (see <see cref="ReadEventName(ReadOnlySpan{byte})"/>).</summary>
    internal static string ReadEventName(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }

        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "\"" + System.Text.Encoding.UTF8.GetString(reader.ValueSpan) + "\"";
        }
    }

    /// <summary>How many items the JSON array <paramref name="data"/> holds (0 when it is empty or not an array).</summary>
    internal static int CountItems(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return 0;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            count++;
        }

        return count;
    }

    /// <summary>
    /// An event's (or, without <paramref name="name"/>, an acknowledgement's) data: the JSON array of
    /// <paramref name="args"/> with binary values as attachments — what the untyped APIs send.
    /// </summary>
    [RequiresUnreferencedCode("Serializes arguments by their runtime type; use a JsonSerializerContext in the options for trimming.")]
    [RequiresDynamicCode("Serializes arguments by their runtime type; use a JsonSerializerContext in the options for AOT.")]
    public static EventData Encode(string? name, ReadOnlySpan<object?> args, JsonSerializerOptions options)
    {
        // The thread's writer, buffer and lists, as the typed path uses them: only the JSON (copied
        // out at its size) and the attachments' list, when there are any, are new.
        SocketIoEventWriter writer = SocketIoEventWriter.Rent(options);
        try
        {
            if (name is not null)
            {
                writer.WriteName(name);
            }

            foreach (object? arg in args)
            {
                writer.WriteObject(arg);
            }

            return writer.Complete(name);
        }
        catch
        {
            writer.Return();
            throw;
        }
    }

    /// <summary>
    /// Writes a JSON array of <paramref name="name"/> (when given) followed by <paramref name="args"/>,
    /// collecting binary values into <paramref name="attachments"/>.
    /// </summary>
    [RequiresUnreferencedCode("Serializes arguments by their runtime type; use a JsonSerializerContext in the options for trimming.")]
    [RequiresDynamicCode("Serializes arguments by their runtime type; use a JsonSerializerContext in the options for AOT.")]
    public static ReadOnlyMemory<byte> WriteArray(string? name, ReadOnlySpan<object?> args, JsonSerializerOptions options, List<ReadOnlyMemory<byte>> attachments)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        List<ReadOnlyMemory<byte>>? previous = t_writing;
        t_writing = attachments;
        try
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder ?? JsonStringifyEncoder.Instance, SkipValidation = true });
            using PayloadDates.Scope recording = PayloadDates.Begin(writer, new List<DateMark>());
            writer.WriteStartArray();
            if (name is not null)
            {
                writer.WriteStringValue(name);
            }

            foreach (object? arg in args)
            {
                WriteValue(writer, arg, options);
            }

            writer.WriteEndArray();
        }
        finally
        {
            t_writing = previous;
        }

        return buffer.WrittenMemory;
    }

    [RequiresUnreferencedCode("Serializes by runtime type.")]
    [RequiresDynamicCode("Serializes by runtime type.")]
    internal static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case byte[] bytes:
                WritePlaceholder(writer, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                WritePlaceholder(writer, memory);
                break;
            case Memory<byte> memory:
                WritePlaceholder(writer, memory);
                break;
            case ArraySegment<byte> segment:
                WritePlaceholder(writer, segment);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType(), options);
                break;
        }
    }

    /// <summary>Writes a binary value: a placeholder when attachments are being collected, else base64.</summary>
    public static void WritePlaceholder(Utf8JsonWriter writer, ReadOnlyMemory<byte> data)
    {
        List<ReadOnlyMemory<byte>>? attachments = t_writing;
        if (attachments is null)
        {
            writer.WriteBase64StringValue(data.Span);
            return;
        }

        writer.WriteStartObject();
        writer.WriteBoolean("_placeholder", true);
        writer.WriteNumber("num", attachments.Count);
        writer.WriteEndObject();
        attachments.Add(data);
    }

    /// <summary>Makes binary values written on this thread placeholders collected into <paramref name="attachments"/> until the scope is disposed.</summary>
    public static AttachmentWriteScope BeginWritingAttachments(List<ReadOnlyMemory<byte>> attachments)
    {
        var scope = new AttachmentWriteScope(t_writing);
        t_writing = attachments;
        return scope;
    }

    /// <summary>Resolves placeholders read on this thread against <paramref name="attachments"/> until the scope is disposed.</summary>
    public static AttachmentReadScope BeginReadingAttachments(IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var scope = new AttachmentReadScope(t_reading);
        t_reading = attachments;
        return scope;
    }

    /// <summary>Restores the attachments being written before <see cref="BeginWritingAttachments"/>.</summary>
    public readonly struct AttachmentWriteScope(List<ReadOnlyMemory<byte>>? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => t_writing = previous;
    }

    /// <summary>Restores the attachments being read before <see cref="BeginReadingAttachments"/>.</summary>
    public readonly struct AttachmentReadScope(IReadOnlyList<ReadOnlyMemory<byte>>? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => t_reading = previous;
    }

    /// <summary>Runs <paramref name="read"/> with <paramref name="attachments"/> available to the binary converters.</summary>
    public static T WithAttachments<T>(IReadOnlyList<ReadOnlyMemory<byte>> attachments, Func<T> read)
    {
        IReadOnlyList<ReadOnlyMemory<byte>>? previous = t_reading;
        t_reading = attachments;
        try
        {
            return read();
        }
        finally
        {
            t_reading = previous;
        }
    }

    /// <summary>Reads a binary value: a placeholder (resolved against the current attachments) or base64.</summary>
    /// <exception cref="JsonException">The value is neither a placeholder of a current attachment nor a base64 string.</exception>
    public static ReadOnlyMemory<byte> ReadBinary(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            try
            {
                return reader.GetBytesFromBase64();
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new JsonException("Expected binary data (an attachment placeholder or base64), got a string that is not base64.", ex);
            }
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected binary data (an attachment placeholder or base64), got {reader.TokenType}.");
        }

        bool placeholder = false;
        int num = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            bool isPlaceholder = JsonNames.ValueTextEquals(ref reader, "_placeholder"u8);
            bool isNum = !isPlaceholder && JsonNames.ValueTextEquals(ref reader, "num"u8);
            reader.Read();
            if (isPlaceholder)
            {
                placeholder = reader.TokenType == JsonTokenType.True;
            }
            else if (isNum && reader.TokenType == JsonTokenType.Number)
            {
                num = reader.TryGetInt32(out int n) ? n : -1;
            }
            else
            {
                reader.Skip();
            }
        }

        IReadOnlyList<ReadOnlyMemory<byte>>? attachments = t_reading;
        if (!placeholder || attachments is null || num < 0 || num >= attachments.Count)
        {
            throw new JsonException("Binary placeholder without a matching attachment.");
        }

        return attachments[num];
    }

    private sealed class ByteArrayConverter : JsonConverter<byte[]>
    {
        public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadBinary(ref reader).ToArray();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => WritePlaceholder(writer, value);
    }

    private sealed class ReadOnlyMemoryConverter : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadBinary(ref reader);

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) => WritePlaceholder(writer, value);
    }

    private sealed class ArraySegmentConverter : JsonConverter<ArraySegment<byte>>
    {
        public override ArraySegment<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadBinary(ref reader).ToArray();

        public override void Write(Utf8JsonWriter writer, ArraySegment<byte> value, JsonSerializerOptions options) => WritePlaceholder(writer, value);
    }

    private sealed class MemoryConverter : JsonConverter<Memory<byte>>
    {
        public override Memory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadBinary(ref reader).ToArray();

        public override void Write(Utf8JsonWriter writer, Memory<byte> value, JsonSerializerOptions options) => WritePlaceholder(writer, value);
    }
}
