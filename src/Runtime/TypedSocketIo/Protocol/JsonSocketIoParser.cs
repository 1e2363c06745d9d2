// Longer than most files here on purpose: the text grammar is read, checked and written here, and the
// decoder validates each payload in one pass that also keeps the event name and the argument count;
// split, the grammar would be in two places.

using System.Buffers;
using System.Text;
using System.Text.Json;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Protocol;

/// <summary>
/// The default Socket.IO parser (the reference's socket.io-parser): a text message
/// <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;nsp&gt;,][&lt;id&gt;][&lt;json&gt;]</c>, followed by one binary
/// message per attachment.
/// </summary>
public sealed class JsonSocketIoParser : ISocketIoParser
{
    /// <summary>The shared instance with the default limits.</summary>
    public static readonly JsonSocketIoParser Instance = new();

    /// <summary>Creates a parser.</summary>
    /// <param name="maxAttachments">The most attachments a received packet may announce (the reference's 10).</param>
    /// <param name="maxDepth">The deepest JSON nesting accepted in a received payload (<see cref="DefaultMaxDepth"/>).</param>
    public JsonSocketIoParser(int maxAttachments = 10, int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttachments);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        MaxAttachments = maxAttachments;
        MaxDepth = maxDepth;
    }

    /// <summary>The most attachments a received packet may announce.</summary>
    public int MaxAttachments { get; }

    /// <summary>
    /// The default of <see cref="MaxDepth"/>: far above what applications send (the reference has no
    /// limit, and overflows its stack near 10,000), far below what could exhaust ours.
    /// </summary>
    public const int DefaultMaxDepth = 1000;

    /// <summary>
    /// The deepest JSON nesting accepted in a received payload; a deeper one is a parse error that
    /// closes only its connection.
    /// </summary>
    public int MaxDepth { get; }

    /// <summary>
    /// The nesting limit of readers of payloads that a decoder already checked against its own
    /// <see cref="MaxDepth"/> (or that this process encoded): no second, smaller limit.
    /// </summary>
    internal const int CheckedPayloadDepth = int.MaxValue;

    /// <summary>Event names no peer may send or emit.</summary>
    public static readonly IReadOnlySet<string> ReservedEvents = new HashSet<string>(SocketIoNames.ReservedEvents, StringComparer.Ordinal);

    /// <summary>Throws for the names no one may emit (<see cref="ReservedEvents"/>).</summary>
    public static void ThrowIfReserved(string eventName)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        if (ReservedEvents.Contains(eventName))
        {
            throw new ArgumentException($"\"{eventName}\" is a reserved event name.", nameof(eventName));
        }
    }

    /// <inheritdoc />
    public EnginePacket[] Encode(SocketIoPacket packet)
    {
        int attachments = packet.Attachments.Count;
        SocketIoPacketType type = packet.Type;
        if (attachments > 0)
        {
            type = type switch
            {
                SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent => SocketIoPacketType.BinaryEvent,
                SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck => SocketIoPacketType.BinaryAck,
                _ => throw new ArgumentException($"A {type} packet cannot carry attachments.", nameof(packet)),
            };
        }

        var header = new ArrayBufferWriter<byte>(packet.Data.Length + 16 + packet.Namespace.Length);
        WriteHeader(header, type, attachments, packet.Namespace, packet.Id);
        header.Write(packet.Data.Span);
        var messages = new EnginePacket[1 + attachments];
        messages[0] = new EnginePacket(EnginePacketType.Message, header.WrittenMemory);
        for (int i = 0; i < attachments; i++)
        {
            messages[i + 1] = EnginePacket.BinaryMessage(packet.Attachments[i]);
        }

        return messages;
    }

    private static void WriteHeader(IBufferWriter<byte> writer, SocketIoPacketType type, int attachments, string nsp, long? id)
    {
        Span<byte> digit = writer.GetSpan(1);
        digit[0] = (byte)('0' + (int)type);
        writer.Advance(1);
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            WriteAscii(writer, attachments.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteAscii(writer, "-");
        }

        if (nsp != "/")
        {
            writer.Write(Encoding.UTF8.GetBytes(nsp));
            WriteAscii(writer, ",");
        }

        if (id is { } ackId)
        {
            WriteAscii(writer, ackId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void WriteAscii(IBufferWriter<byte> writer, string text)
    {
        Span<byte> span = writer.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        writer.Advance(text.Length);
    }

    /// <inheritdoc />
    public ISocketIoDecoder CreateDecoder() => new Decoder(MaxAttachments, MaxDepth);

    /// <summary>Decodes one text message into a packet whose attachments (if any) are still to come.</summary>
    /// <returns>The packet and the number of attachments it announces.</returns>
    public static (SocketIoPacket Packet, int Attachments) DecodeText(ReadOnlySpan<byte> text, int maxAttachments = 10, int maxDepth = DefaultMaxDepth)
    {
        if (text.IsEmpty)
        {
            throw new SocketIoParseException("Empty Socket.IO packet.");
        }

        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            throw new SocketIoParseException("A Socket.IO packet must be valid UTF-8.");
        }

        int typeValue = text[0] - '0';
        if (typeValue < 0 || typeValue > (int)SocketIoPacketType.BinaryAck)
        {
            throw new SocketIoParseException($"Unknown Socket.IO packet type '{(char)text[0]}'.");
        }

        var type = (SocketIoPacketType)typeValue;
        int i = 1;
        int attachments = 0;
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            int start = i;
            long count = 0;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9')
            {
                count = (count * 10) + (text[i] - '0');
                if (count > int.MaxValue)
                {
                    throw new SocketIoParseException("Illegal attachments.");
                }

                i++;
            }

            if (i == start || i >= text.Length || text[i] != '-')
            {
                throw new SocketIoParseException("Illegal attachments.");
            }

            if (count > maxAttachments)
            {
                throw new SocketIoParseException($"Too many attachments ({count}; at most {maxAttachments}).");
            }

            attachments = (int)count;
            i++;
        }

        string nsp = "/";
        if (i < text.Length && text[i] == '/')
        {
            int start = i;
            while (i < text.Length && text[i] != ',')
            {
                i++;
            }

            try
            {
                nsp = new UTF8Encoding(false, true).GetString(text[start..i]);
            }
            catch (DecoderFallbackException)
            {
                throw new SocketIoParseException("Invalid UTF-8 in the namespace.");
            }

            if (i < text.Length)
            {
                i++; // the comma
            }
        }

        long? id = null;
        if (i < text.Length && text[i] >= '0' && text[i] <= '9')
        {
            long value = 0;
            while (i < text.Length && text[i] >= '0' && text[i] <= '9')
            {
                value = (value * 10) + (text[i] - '0');
                if (value > (1L << 53))
                {
                    throw new SocketIoParseException("Ack id out of range.");
                }

                i++;
            }

            id = value;
        }

        ReadOnlySpan<byte> json = text[i..];
        string? eventName = null;
        int itemCount = -1;
        if (!json.IsEmpty)
        {
            (eventName, itemCount) = ValidatePayload(type, json, maxDepth);
        }
        else if (type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent or SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck)
        {
            throw new SocketIoParseException($"A {type} packet needs a payload.");
        }

        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck && attachments == 0 && !json.IsEmpty)
        {
            ValidatePlaceholders(json, 0, maxDepth);
        }

        if (type == SocketIoPacketType.BinaryEvent && attachments == 0)
        {
            type = SocketIoPacketType.Event;
        }
        else if (type == SocketIoPacketType.BinaryAck && attachments == 0)
        {
            type = SocketIoPacketType.Ack;
        }

        bool isEvent = type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent;
        int argumentCount = itemCount < 0 ? -1 : isEvent ? itemCount - 1 : itemCount;
        return (new SocketIoPacket(type, nsp, id, json.ToArray(), null, eventName, argumentCount), attachments);
    }

    /// <summary>
    /// Checks the payload in one pass: its root fits the packet type, it is well-formed JSON with
    /// nothing after it, and an event's name is valid. Returns what the pass saw on the way: the
    /// event name, and how many items an array holds (-1 when the root is not an array).
    /// </summary>
    private static (string? EventName, int Items) ValidatePayload(SocketIoPacketType type, ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            if (!reader.Read())
            {
                throw new SocketIoParseException("Invalid payload.");
            }

            JsonTokenType root = reader.TokenType;
            string? eventName = null;
            bool valid = type switch
            {
                SocketIoPacketType.Connect => root == JsonTokenType.StartObject,
                SocketIoPacketType.Disconnect => false,
                SocketIoPacketType.ConnectError => root is JsonTokenType.StartObject or JsonTokenType.String,
                SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck => root == JsonTokenType.StartArray,
                _ => root == JsonTokenType.StartArray && IsValidEventName(ref reader),
            };
            if (!valid)
            {
                throw new SocketIoParseException($"Invalid payload for a {type} packet.");
            }

            int items = -1;
            if (root == JsonTokenType.StartArray)
            {
                items = 0;
                if (type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent)
                {
                    eventName = SocketIoJson.ReadEventName(ref reader);
                    reader.Skip();
                    items = 1;
                }

                // The items of the array, each skipped whole (which checks it is well-formed).
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    reader.Skip();
                    items++;
                }
            }

            // The rest must be well-formed JSON, and nothing may follow the value.
            while (reader.Read())
            {
            }

            return (eventName, items);
        }
        catch (JsonException ex)
        {
            throw new SocketIoParseException($"Invalid JSON payload: {ex.Message}");
        }
    }

    private static readonly byte[][] ReservedEventsUtf8 = ReservedEvents.Select(static n => Encoding.UTF8.GetBytes(n)).ToArray();

    /// <summary>Reads the event name that starts the JSON array <paramref name="json"/>, when it is a valid one (a number, or a string that is not reserved).</summary>
    internal static bool TryReadValidEventName(ReadOnlySpan<byte> json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = CheckedPayloadDepth });
        name = reader.Read() && reader.TokenType == JsonTokenType.StartArray && IsValidEventName(ref reader)
            ? SocketIoJson.ReadEventName(ref reader)
            : null;
        return name is not null;
    }

    private static bool IsValidEventName(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        // Compared without decoding: a name may hold escapes (even lone surrogates) that are fine on the wire.
        foreach (byte[] reserved in ReservedEventsUtf8)
        {
            if (JsonNames.ValueTextEquals(ref reader, reserved))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks that every placeholder of <paramref name="json"/> points at an attachment.</summary>
    public static void ValidatePlaceholders(ReadOnlySpan<byte> json, int attachments, int maxDepth = DefaultMaxDepth)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException ex)
        {
            throw new SocketIoParseException($"Invalid JSON payload: {ex.Message}");
        }

        using (document)
        {
            Walk(document.RootElement);
        }

        void Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                case JsonValueKind.Object:
                    if (JsonNames.TryGetProperty(element, "_placeholder"u8, out JsonElement flag) && flag.ValueKind == JsonValueKind.True)
                    {
                        if (!JsonNames.TryGetProperty(element, "num"u8, out JsonElement num) || num.ValueKind != JsonValueKind.Number
                            || !num.TryGetInt32(out int n) || n < 0 || n >= attachments)
                        {
                            throw new SocketIoParseException("Illegal attachments: a placeholder points at no attachment.");
                        }

                        return;
                    }

                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        Walk(property.Value);
                    }

                    break;
            }
        }
    }

    private sealed class Decoder(int maxAttachments, int maxDepth) : ISocketIoDecoder
    {
        private SocketIoPacket? _pending;
        private int _expected;
        private List<ReadOnlyMemory<byte>>? _buffers;

        public SocketIoPacket? Add(EnginePacket message)
        {
            if (!message.IsBinary)
            {
                if (_pending is not null)
                {
                    throw new SocketIoParseException("Got text data while reconstructing a binary packet.");
                }

                (SocketIoPacket packet, int attachments) = DecodeText(message.Data.Span, maxAttachments, maxDepth);
                if (attachments == 0)
                {
                    return packet;
                }

                _pending = packet;
                _expected = attachments;
                _buffers = new List<ReadOnlyMemory<byte>>(attachments);
                return null;
            }

            if (_pending is null || _buffers is null)
            {
                throw new SocketIoParseException("Got binary data when not reconstructing a packet.");
            }

            _buffers.Add(message.Data);
            if (_buffers.Count < _expected)
            {
                return null;
            }

            SocketIoPacket pending = _pending;
            List<ReadOnlyMemory<byte>> buffers = _buffers;
            _pending = null;
            _buffers = null;
            ValidatePlaceholders(pending.Data.Span, buffers.Count, maxDepth);
            SocketIoPacketType type = pending.Type == SocketIoPacketType.BinaryAck ? SocketIoPacketType.Ack : SocketIoPacketType.Event;
            return new SocketIoPacket(type, pending.Namespace, pending.Id, pending.Data, buffers, type == SocketIoPacketType.Event ? pending.EventName : null, pending.ArgumentCount);
        }
    }
}
