using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace TypedSocketIo.Protocol;

/// <summary>
/// The arguments of a received event or ack, decoded lazily: each one is read as the type asked
/// for, with binary placeholders resolved to their attachments.
/// </summary>
public sealed class SocketIoArgs
{
    private readonly JsonElement[] _elements;
    private readonly JsonSerializerOptions _options;

    /// <summary>Reads the JSON array <paramref name="json"/>, skipping its first <paramref name="skip"/> items (the event name).</summary>
    public SocketIoArgs(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, JsonSerializerOptions? options = null, int skip = 0)
    {
        Attachments = attachments;
        _options = options ?? SocketIoJson.DefaultOptions;
        if (json.IsEmpty)
        {
            _elements = [];
            return;
        }

        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonSocketIoParser.MaxDepth });
        JsonElement root = document.RootElement;
        var elements = new List<JsonElement>();
        int index = 0;
        foreach (JsonElement item in root.EnumerateArray())
        {
            if (index++ >= skip)
            {
                elements.Add(item.Clone());
            }
        }

        _elements = elements.ToArray();
    }

    /// <summary>No arguments.</summary>
    public static SocketIoArgs Empty { get; } = new(default, Array.Empty<ReadOnlyMemory<byte>>());

    /// <summary>The binary attachments the placeholders refer to.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>How many arguments there are.</summary>
    public int Count => _elements.Length;

    /// <summary>The raw JSON of argument <paramref name="index"/> (placeholders unresolved).</summary>
    public JsonElement this[int index] => _elements[index];

    /// <summary>Whether argument <paramref name="index"/> is a binary attachment.</summary>
    public bool IsBinary(int index) =>
        _elements[index].ValueKind == JsonValueKind.Object && _elements[index].TryGetProperty("_placeholder", out JsonElement p) && p.ValueKind == JsonValueKind.True;

    /// <summary>Argument <paramref name="index"/> as binary.</summary>
    public ReadOnlyMemory<byte> GetBytes(int index)
    {
        byte[] raw = System.Text.Encoding.UTF8.GetBytes(_elements[index].GetRawText());
        return SocketIoJson.WithAttachments(Attachments, () =>
        {
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            return SocketIoJson.ReadBinary(ref reader);
        });
    }

    /// <summary>Argument <paramref name="index"/> as a string (null for JSON null).</summary>
    public string? GetString(int index) => _elements[index].ValueKind == JsonValueKind.Null ? null : _elements[index].GetString();

    /// <summary>Argument <paramref name="index"/> deserialized as <typeparamref name="T"/>, binary placeholders resolved.</summary>
    [RequiresUnreferencedCode("Deserializes with the configured options; use a JsonSerializerContext for trimming.")]
    [RequiresDynamicCode("Deserializes with the configured options; use a JsonSerializerContext for AOT.")]
    public T Get<T>(int index)
    {
        JsonElement element = _elements[index];
        return SocketIoJson.WithAttachments(Attachments, () => element.Deserialize<T>(_options)!);
    }

    /// <summary>Every argument as a JSON-like .NET value: binary as byte[], objects as dictionaries, arrays as lists.</summary>
    public object?[] ToValues()
    {
        var values = new object?[_elements.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ToValue(_elements[i]);
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
        _ => element.TryGetProperty("_placeholder", out JsonElement p) && p.ValueKind == JsonValueKind.True
            && element.TryGetProperty("num", out JsonElement n) && n.ValueKind == JsonValueKind.Number
            && n.TryGetInt32(out int num) && num >= 0 && num < Attachments.Count
            ? Attachments[num].ToArray()
            : element.EnumerateObject().ToDictionary(static x => x.Name, x => ToValue(x.Value)),
    };

    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(",", _elements.Select(e => e.GetRawText())) + "]";
}
