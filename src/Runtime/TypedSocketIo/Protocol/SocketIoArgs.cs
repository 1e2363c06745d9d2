using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TypedSocketIo.Protocol;

/// <summary>
/// The arguments of a received event or ack, decoded lazily: each one is read as the type asked
/// for, with binary placeholders resolved to their attachments. Nothing is parsed until asked.
/// </summary>
public sealed class SocketIoArgs
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth };
    private readonly ReadOnlyMemory<byte> _json;
    private readonly int _skip;
    private readonly JsonSerializerOptions _options;
    private JsonElement[]? _elements;
    private int _count = -1;

    /// <summary>
    /// Reads the JSON array <paramref name="json"/> (copied and validated here), skipping its first
    /// <paramref name="skip"/> items (the event name).
    /// </summary>
    /// <exception cref="JsonException"><paramref name="json"/> is not a JSON array (or not UTF-8).</exception>
    public SocketIoArgs(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions? options = null, int skip = 0)
        : this(json.ToArray(), attachments, options, skip, validate: true)
    {
    }

    private SocketIoArgs(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions? options, int skip, bool validate)
    {
        _json = json;
        _skip = skip;
        Attachments = attachments;
        _options = options ?? SocketIoJson.DefaultOptions;
        if (validate && !json.IsEmpty)
        {
            if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            {
                throw new JsonException("The arguments are not valid UTF-8.");
            }

            var reader = new Utf8JsonReader(json.Span, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("Expected a JSON array of arguments.");
            }

            reader.Skip();
            if (reader.Read())
            {
                throw new JsonException("Unexpected data after the array of arguments.");
            }
        }
    }

    /// <summary>
    /// Arguments over <paramref name="json"/> without copying or validating it: for data that is
    /// already a valid JSON array and never changes (as the packets a decoder returns). Nothing is
    /// parsed until an argument is read.
    /// </summary>
    public static SocketIoArgs FromPacketData(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions? options = null, int skip = 0) =>
        new(json, attachments, options, skip, validate: false);

    /// <summary>
    /// The arguments of a decoded event or ack packet, without copying, validating or counting again
    /// what its decoder already did: an event's name is skipped, and the count is the packet's.
    /// </summary>
    public static SocketIoArgs FromPacket(SocketIoPacket packet, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return new(packet.Data, packet.Attachments, options, packet.IsEvent ? 1 : 0, validate: false)
        {
            _count = packet.ArgumentCount,
        };
    }

    /// <summary>No arguments.</summary>
    public static SocketIoArgs Empty { get; } = new(default, Array.Empty<ReadOnlyMemory<byte>>());

    /// <summary>The binary attachments the placeholders refer to.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>The options values are deserialized with.</summary>
    public JsonSerializerOptions Options => _options;

    /// <summary>How many arguments there are.</summary>
    public int Count
    {
        get
        {
            if (_count < 0)
            {
                _count = CountItems();
            }

            return _count;
        }
    }

    /// <summary>The raw JSON of argument <paramref name="index"/> (placeholders unresolved).</summary>
    public JsonElement this[int index] => Elements[index];

    private JsonElement[] Elements => _elements ??= ParseElements();

    private int CountItems() => Math.Max(0, SocketIoJson.CountItems(_json.Span) - _skip);

    private JsonElement[] ParseElements()
    {
        if (_json.IsEmpty)
        {
            return [];
        }

        using JsonDocument document = JsonDocument.Parse(_json, new JsonDocumentOptions { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth });
        var elements = new List<JsonElement>();
        int index = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            if (index++ >= _skip)
            {
                elements.Add(item.Clone());
            }
        }

        return elements.ToArray();
    }

    /// <summary>A reader positioned before the first argument, for reading them in order with typed metadata.</summary>
    public Reader GetReader() => new(this);

    /// <summary>Whether argument <paramref name="index"/> is a binary attachment.</summary>
    public bool IsBinary(int index) =>
        Elements[index].ValueKind == JsonValueKind.Object && JsonNames.TryGetProperty(Elements[index], "_placeholder"u8, out JsonElement p) && p.ValueKind == JsonValueKind.True;

    /// <summary>Argument <paramref name="index"/> as binary.</summary>
    public ReadOnlyMemory<byte> GetBytes(int index)
    {
        byte[] raw = System.Text.Encoding.UTF8.GetBytes(Elements[index].GetRawText());
        return SocketIoJson.WithAttachments(Attachments, () =>
        {
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            return SocketIoJson.ReadBinary(ref reader);
        });
    }

    /// <summary>Argument <paramref name="index"/> as a string (null for JSON null).</summary>
    public string? GetString(int index) => Elements[index].ValueKind == JsonValueKind.Null ? null : Elements[index].GetString();

    /// <summary>Argument <paramref name="index"/> deserialized as <typeparamref name="T"/>, binary placeholders resolved.</summary>
    [RequiresUnreferencedCode("Deserializes with the configured options; use a JsonSerializerContext for trimming.")]
    [RequiresDynamicCode("Deserializes with the configured options; use a JsonSerializerContext for AOT.")]
    public T Get<T>(int index)
    {
        JsonElement element = Elements[index];
        return SocketIoJson.WithAttachments(Attachments, () => element.Deserialize<T>(_options)!);
    }

    /// <summary>Argument <paramref name="index"/> deserialized with <paramref name="typeInfo"/> (trim- and AOT-safe).</summary>
    public T Get<T>(int index, JsonTypeInfo<T> typeInfo)
    {
        Reader reader = GetReader();
        for (int i = 0; i < index; i++)
        {
            reader.Skip();
        }

        return reader.Read(typeInfo);
    }

    /// <summary>Every argument as a JSON-like .NET value: binary as byte[], objects as dictionaries, arrays as lists.</summary>
    /// <exception cref="JsonException">A string or property name holds an escape .NET cannot decode (a lone surrogate).</exception>
    public object?[] ToValues()
    {
        JsonElement[] elements = Elements;
        var values = new object?[elements.Length];
        for (int i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = ToValue(elements[i]);
            }
            catch (InvalidOperationException ex)
            {
                throw new JsonException($"Argument {i} cannot be read as .NET values: {ex.Message}", ex);
            }
        }

        return values;
    }

    private object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out long l) ? (object)l : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        _ => JsonNames.TryGetProperty(element, "_placeholder"u8, out JsonElement p) && p.ValueKind == JsonValueKind.True
            && JsonNames.TryGetProperty(element, "num"u8, out JsonElement n) && n.ValueKind == JsonValueKind.Number
            && n.TryGetInt32(out int num) && num >= 0 && num < Attachments.Count
            ? Attachments[num].ToArray()
            : ToDictionary(element),
    };

    private Dictionary<string, object?> ToDictionary(JsonElement element)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (JsonProperty property in element.EnumerateObject())
        {
            dictionary[property.Name] = ToValue(property.Value); // a repeated name: the last value wins, as in JSON.parse
        }

        return dictionary;
    }

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(",", Elements.Select(e => e.GetRawText())) + "]";

    /// <summary>Reads the arguments in order, each with its type's metadata, straight from the packet's bytes.</summary>
    public ref struct Reader
    {
        private readonly IReadOnlyList<ReadOnlyMemory<byte>> _attachments;
        private Utf8JsonReader _reader;
        private bool _atEnd;

        internal Reader(SocketIoArgs args)
        {
            _attachments = args.Attachments;
            _reader = new Utf8JsonReader(args._json.Span, ReaderOptions);
            Index = 0;
            _atEnd = args._json.IsEmpty || !_reader.Read();
            for (int i = 0; i < args._skip && !_atEnd; i++)
            {
                Advance();
                _reader.Skip();
            }
        }

        /// <summary>How many arguments were read (or skipped) so far.</summary>
        public int Index { get; private set; }

        private void Advance()
        {
            if (_atEnd || !_reader.Read() || _reader.TokenType == JsonTokenType.EndArray)
            {
                _atEnd = true;
                throw new JsonException("Missing argument.");
            }
        }

        /// <summary>Reads the next argument as <typeparamref name="T"/>.</summary>
        /// <exception cref="JsonException">It is missing or not a <typeparamref name="T"/>.</exception>
        public T Read<T>(JsonTypeInfo<T> typeInfo)
        {
            Advance();
            SocketIoJson.AttachmentReadScope scope = SocketIoJson.BeginReadingAttachments(_attachments);
            try
            {
                T value = JsonSerializer.Deserialize(ref _reader, typeInfo)!;
                Index++;
                return value;
            }
            finally
            {
                scope.Dispose();
            }
        }

        /// <summary>Reads the next argument as binary (an attachment placeholder, or base64).</summary>
        /// <exception cref="JsonException">It is missing or not binary.</exception>
        public ReadOnlyMemory<byte> ReadBinary()
        {
            Advance();
            SocketIoJson.AttachmentReadScope scope = SocketIoJson.BeginReadingAttachments(_attachments);
            try
            {
                ReadOnlyMemory<byte> value = SocketIoJson.ReadBinary(ref _reader);
                Index++;
                return value;
            }
            finally
            {
                scope.Dispose();
            }
        }

        /// <summary>Reads the next argument as a byte array: null for JSON null, else the binary value (no copy when the attachment is a whole array).</summary>
        /// <exception cref="JsonException">It is missing, or neither null nor binary.</exception>
        public byte[]? ReadBytes()
        {
            Advance();
            if (_reader.TokenType == JsonTokenType.Null)
            {
                Index++;
                return null;
            }

            SocketIoJson.AttachmentReadScope scope = SocketIoJson.BeginReadingAttachments(_attachments);
            try
            {
                ReadOnlyMemory<byte> value = SocketIoJson.ReadBinary(ref _reader);
                Index++;
                return System.Runtime.InteropServices.MemoryMarshal.TryGetArray(value, out ArraySegment<byte> segment)
                    && segment.Offset == 0 && segment.Count == segment.Array!.Length
                    ? segment.Array
                    : value.ToArray();
            }
            finally
            {
                scope.Dispose();
            }
        }

        /// <summary>Skips the next argument.</summary>
        public void Skip()
        {
            Advance();
            _reader.Skip();
            Index++;
        }
    }
}
