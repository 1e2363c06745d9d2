using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nerdbank.MessagePack;

namespace TypedSocketIo.Protocol;

/// <summary>A payload in the library's JSON form: UTF-8 JSON with binary values as placeholders, and the binary values.</summary>
/// <param name="Json">The UTF-8 JSON (binary values as <c>{"_placeholder":true,"num":n}</c>).</param>
/// <param name="Attachments">The binary values the placeholders refer to, in order.</param>
public readonly record struct JsonPayload(ReadOnlyMemory<byte> Json, IReadOnlyList<ReadOnlyMemory<byte>> Attachments);

/// <summary>
/// MessagePack as notepack.io writes it (the codec of socket.io-msgpack-parser and of the Redis and
/// PostgreSQL adapters), translated straight to and from the library's JSON form — no intermediate
/// string or object tree. Encoding: integers in their smallest form, other numbers as float64,
/// strings as str, binary as bin, null as nil, objects as maps with string keys, .NET dates as
/// notepack's date (fixext 8, type 0, milliseconds since the epoch). Decoding also takes float32,
/// the MessagePack timestamp (ext −1, as a date), notepack's <c>undefined</c> (fixext 1, type 0:
/// a left-out key, or null in an array) and its ArrayBuffer (ext type 0, as binary); dates become
/// ISO 8601 strings (UTC), which DateTime and DateTimeOffset values read.
/// </summary>
public static class SocketIoMsgPack
{
    /// <summary>The deepest nesting accepted (the JSON parser's default).</summary>
    public const int MaxDepth = JsonSocketIoParser.DefaultMaxDepth;

    private const byte FixExt1 = 0xd4;
    private const byte FixExt8 = 0xd7;
    private const byte Ext8 = 0xc7;
    private const byte Ext16 = 0xc8;
    private const byte Ext32 = 0xc9;
    private const byte Float32 = 0xca;
    private const byte UInt64 = 0xcf;
    private static readonly long MinUnixMilliseconds = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    private static readonly long MaxUnixMilliseconds = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    [ThreadStatic]
    private static DecodeBuffer? t_decodeBuffer;

    /// <summary>The msgpack form of <paramref name="json"/>, placeholders resolved against <paramref name="attachments"/>.</summary>
    /// <exception cref="JsonException"><paramref name="json"/> is not one valid JSON value.</exception>
    public static byte[] FromJson(ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        var buffer = new ArrayBufferWriter<byte>(EstimateSize(json, attachments));
        FromJson(buffer, json, attachments);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the msgpack form of <paramref name="json"/> to <paramref name="output"/>, placeholders resolved against <paramref name="attachments"/>.</summary>
    /// <exception cref="JsonException"><paramref name="json"/> is not one valid JSON value.</exception>
    public static void FromJson(IBufferWriter<byte> output, ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        var writer = new MessagePackWriter(output);
        WriteJson(ref writer, json, attachments ?? Array.Empty<ReadOnlyMemory<byte>>());
        writer.Flush();
    }

    /// <summary>
    /// Reads one msgpack value (the whole of <paramref name="msgpack"/>) into the JSON form; binary
    /// values become placeholders whose attachments are slices of <paramref name="msgpack"/> (not copies).
    /// </summary>
    /// <exception cref="SocketIoParseException">The input is not one valid msgpack value, or nests deeper than <see cref="MaxDepth"/>.</exception>
    public static JsonPayload ToJson(ReadOnlyMemory<byte> msgpack)
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        DecodeBuffer buffer = DecodeBuffer.Rent();
        try
        {
            try
            {
                var reader = new MessagePackReader(msgpack);
                if (IsUndefined(ref reader))
                {
                    SkipUndefined(ref reader);
                    buffer.Writer.WriteNullValue();
                }
                else
                {
                    ReadValue(ref reader, buffer.Writer, attachments, 1);
                }

                if (!reader.End)
                {
                    throw new SocketIoParseException($"{msgpack.Length - reader.Consumed} trailing bytes after the msgpack value.");
                }
            }
            catch (Exception ex) when (IsDecodeError(ex))
            {
                throw AsParseError(ex);
            }

            return new JsonPayload(buffer.ToArray(), attachments.Count == 0 ? Array.Empty<ReadOnlyMemory<byte>>() : attachments.ToArray());
        }
        finally
        {
            buffer.Return();
        }
    }

    internal static int EstimateSize(ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments)
    {
        long size = json.Length + 16L;
        if (attachments is not null)
        {
            for (int i = 0; i < attachments.Count; i++)
            {
                size += attachments[i].Length;
            }
        }

        return (int)Math.Min(size, Array.MaxLength);
    }

    internal static bool IsDecodeError(Exception ex) =>
        ex is MessagePackSerializationException or EndOfStreamException or ArgumentException or InvalidOperationException or OverflowException;

    internal static SocketIoParseException AsParseError(Exception ex) =>
        ex as SocketIoParseException ?? new SocketIoParseException("Invalid msgpack: " + ex.Message);

    // ------------------------------------------------------------------ JSON -> msgpack

    /// <summary>Writes <paramref name="json"/> (one JSON value) as msgpack.</summary>
    internal static void WriteJson(ref MessagePackWriter writer, ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        // A msgpack map or array starts with its length, which JSON tells only at its end: a first
        // pass counts the items of every container (in the order they open), the second writes.
        int[] counts = ArrayPool<int>.Shared.Rent(16);
        try
        {
            int containers = CountItems(json, ref counts);
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read())
            {
                throw new JsonException("Expected a JSON value.");
            }

            var state = new WriteState(counts, containers, attachments, attachments is DatedAttachments dated ? dated.Dates : []);
            WriteValue(ref reader, ref writer, ref state);
            if (reader.Read())
            {
                throw new JsonException("Unexpected data after the JSON value.");
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    private static int CountItems(ReadOnlySpan<byte> json, ref int[] counts)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        Span<int> open = stackalloc int[MaxDepth + 1];
        Span<bool> isArray = stackalloc bool[MaxDepth + 1];
        int depth = 0;
        int containers = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    counts[open[depth - 1]]++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                default:
                    if (depth > 0 && isArray[depth - 1])
                    {
                        counts[open[depth - 1]]++;
                    }

                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        if (containers == counts.Length)
                        {
                            int[] larger = ArrayPool<int>.Shared.Rent(counts.Length * 2);
                            counts.AsSpan().CopyTo(larger);
                            ArrayPool<int>.Shared.Return(counts);
                            counts = larger;
                        }

                        counts[containers] = 0;
                        isArray[depth] = reader.TokenType == JsonTokenType.StartArray;
                        open[depth++] = containers++;
                    }

                    break;
            }
        }

        return containers;
    }

    private ref struct WriteState(int[] counts, int containers, IReadOnlyList<ReadOnlyMemory<byte>> attachments, DateMark[] dates)
    {
        public readonly int[] Counts = counts;
        public readonly int Containers = containers;
        public readonly IReadOnlyList<ReadOnlyMemory<byte>> Attachments = attachments;
        public readonly DateMark[] Dates = dates;
        public int Container;
        public int Date;
    }

    private static void WriteValue(ref Utf8JsonReader reader, ref MessagePackWriter writer, ref WriteState state)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray:
            {
                writer.WriteArrayHeader(state.Counts[state.Container++]);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteValue(ref reader, ref writer, ref state);
                }

                break;
            }

            case JsonTokenType.StartObject:
            {
                int count = state.Counts[state.Container++];
                if (count == 2 && state.Attachments.Count > 0 && TryReadPlaceholder(reader, state.Attachments.Count, out int num, out Utf8JsonReader after))
                {
                    writer.Write(state.Attachments[num].Span);
                    reader = after;
                    break;
                }

                writer.WriteMapHeader(count);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    WriteString(ref reader, ref writer);
                    reader.Read();
                    WriteValue(ref reader, ref writer, ref state);
                }

                break;
            }

            case JsonTokenType.String:
                if (IsDate(ref reader, ref state, out long milliseconds))
                {
                    WriteDate(ref writer, milliseconds);
                }
                else
                {
                    WriteString(ref reader, ref writer);
                }

                break;
            case JsonTokenType.Number:
                WriteNumber(ref reader, ref writer);
                break;
            case JsonTokenType.True:
                writer.Write(true);
                break;
            case JsonTokenType.False:
                writer.Write(false);
                break;
            case JsonTokenType.Null:
                writer.WriteNil();
                break;
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    /// <summary>Whether the object at <paramref name="reader"/> is exactly a placeholder of an existing attachment.</summary>
    private static bool TryReadPlaceholder(Utf8JsonReader reader, int attachments, out int num, out Utf8JsonReader after)
    {
        num = -1;
        bool flag = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("_placeholder"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.True)
                {
                    break;
                }

                flag = true;
            }
            else if (reader.ValueTextEquals("num"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out num))
                {
                    num = -1;
                    break;
                }
            }
            else
            {
                break;
            }
        }

        after = reader;
        return reader.TokenType == JsonTokenType.EndObject && flag && num >= 0 && num < attachments;
    }

    /// <summary>Whether the string at <paramref name="reader"/> is a date the serializer wrote (see <see cref="DateMark"/>).</summary>
    private static bool IsDate(ref Utf8JsonReader reader, ref WriteState state, out long milliseconds)
    {
        milliseconds = 0;
        DateMark[] dates = state.Dates;
        long end = reader.BytesConsumed;
        while (state.Date < dates.Length && dates[state.Date].End < end)
        {
            state.Date++;
        }

        if (state.Date == dates.Length || dates[state.Date].End != end)
        {
            return false;
        }

        // An ISO 8601 date as System.Text.Json writes it: yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm].
        ReadOnlySpan<byte> text = reader.ValueSpan;
        if (reader.ValueIsEscaped || text.Length < 19 || text.Length > 40 || text[4] != '-' || text[10] != 'T')
        {
            return false;
        }

        milliseconds = dates[state.Date++].UnixMilliseconds;
        return true;
    }

    private static void WriteDate(ref MessagePackWriter writer, long milliseconds)
    {
        // notepack.io's Date (what socket.io-msgpack-parser's peers decode into a Date): fixext 8, type 0.
        writer.Write(new ExtensionHeader(0, 8));
        Span<byte> span = writer.GetSpan(8);
        BinaryPrimitives.WriteInt64BigEndian(span, milliseconds);
        writer.Advance(8);
    }

    private static void WriteNumber(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            if (reader.TryGetInt64(out long integer))
            {
                writer.Write(integer);
                return;
            }

            if (reader.TryGetUInt64(out ulong unsigned))
            {
                writer.Write(unsigned);
                return;
            }
        }

        if (!reader.TryGetDouble(out double value))
        {
            value = double.Parse(Encoding.UTF8.GetString(raw), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        WriteDouble(ref writer, value);
    }

    /// <summary>As notepack.io: a number with an integral value is an integer, anything else a float64.</summary>
    internal static void WriteDouble(ref MessagePackWriter writer, double value)
    {
        if (double.IsFinite(value) && Math.Floor(value) == value)
        {
            if (value >= -9223372036854775808.0 && value < 9223372036854775808.0)
            {
                writer.Write((long)value);
                return;
            }

            if (value >= 0 && value < 18446744073709551616.0)
            {
                writer.Write((ulong)value);
                return;
            }
        }

        writer.Write(value);
    }

    private static void WriteString(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            WriteUtf8(ref writer, raw);
            return;
        }

        byte[]? rented = null;
        Span<byte> buffer = raw.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int written;
            try
            {
                written = reader.CopyString(buffer);
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate (\ud800): as a replacement character, as a UTF-8 encoder does.
                written = Unescape(raw, buffer);
            }

            WriteUtf8(ref writer, buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void WriteUtf8(ref MessagePackWriter writer, scoped ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            writer.WriteString(utf8);
        }
        else
        {
            writer.WriteString(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8)));
        }
    }

    /// <summary>Unescapes a JSON string's content, lone surrogates as U+FFFD; the result is never longer than the input.</summary>
    private static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> output)
    {
        int o = 0;
        int i = 0;
        while (i < escaped.Length)
        {
            byte b = escaped[i];
            if (b != '\\')
            {
                output[o++] = b;
                i++;
                continue;
            }

            byte kind = escaped[i + 1];
            i += 2;
            int scalar;
            switch (kind)
            {
                case (byte)'b': scalar = '\b'; break;
                case (byte)'f': scalar = '\f'; break;
                case (byte)'n': scalar = '\n'; break;
                case (byte)'r': scalar = '\r'; break;
                case (byte)'t': scalar = '\t'; break;
                case (byte)'u':
                {
                    int unit = ParseHex(escaped.Slice(i, 4));
                    i += 4;
                    if (char.IsHighSurrogate((char)unit) && i + 6 <= escaped.Length && escaped[i] == '\\' && escaped[i + 1] == 'u'
                        && char.IsLowSurrogate((char)ParseHex(escaped.Slice(i + 2, 4))))
                    {
                        scalar = char.ConvertToUtf32((char)unit, (char)ParseHex(escaped.Slice(i + 2, 4)));
                        i += 6;
                    }
                    else
                    {
                        scalar = char.IsSurrogate((char)unit) ? 0xFFFD : unit;
                    }

                    break;
                }

                default: scalar = kind; break; // \" \\ \/
            }

            o += new Rune(scalar).EncodeToUtf8(output[o..]);
        }

        return o;
    }

    private static int ParseHex(ReadOnlySpan<byte> hex) =>
        int.Parse(Encoding.ASCII.GetString(hex), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ msgpack -> JSON

    /// <summary>Whether the next value is notepack's <c>undefined</c> (fixext 1, type 0).</summary>
    internal static bool IsUndefined(ref MessagePackReader reader)
    {
        if (reader.End || reader.NextCode != FixExt1)
        {
            return false;
        }

        MessagePackReader peek = reader.CreatePeekReader();
        return peek.ReadExtensionHeader().TypeCode == 0;
    }

    internal static void SkipUndefined(ref MessagePackReader reader)
    {
        ExtensionHeader header = reader.ReadExtensionHeader();
        reader.ReadRaw(header.Length);
    }

    /// <summary>Reads one value into <paramref name="json"/>; binary values become placeholders of <paramref name="attachments"/>.</summary>
    internal static void ReadValue(ref MessagePackReader reader, Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, int depth)
    {
        if (reader.End)
        {
            throw new SocketIoParseException("Truncated msgpack value.");
        }

        byte code = reader.NextCode;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (code == UInt64)
                {
                    json.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    json.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
            {
                double value = code == Float32 ? reader.ReadSingle() : reader.ReadDouble();
                if (double.IsFinite(value))
                {
                    json.WriteNumberValue(value);
                }
                else
                {
                    json.WriteNullValue(); // as JSON.stringify does with NaN and ±Infinity
                }

                break;
            }

            case MessagePackType.String:
                WriteJsonString(json, ReadStringSpan(ref reader), property: false);
                break;
            case MessagePackType.Binary:
                WritePlaceholder(json, attachments, AsMemory(reader.ReadBytes()!.Value));
                break;
            case MessagePackType.Array:
            {
                CheckDepth(depth);
                int count = reader.ReadArrayHeader();
                json.WriteStartArray();
                for (int i = 0; i < count; i++)
                {
                    if (IsUndefined(ref reader))
                    {
                        SkipUndefined(ref reader);
                        json.WriteNullValue();
                    }
                    else
                    {
                        ReadValue(ref reader, json, attachments, depth + 1);
                    }
                }

                json.WriteEndArray();
                break;
            }

            case MessagePackType.Map:
            {
                CheckDepth(depth);
                int count = reader.ReadMapHeader();
                json.WriteStartObject();
                for (int i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> key = ReadKey(ref reader);
                    if (IsUndefined(ref reader))
                    {
                        SkipUndefined(ref reader); // a key whose value is undefined is left out, as JSON does
                        continue;
                    }

                    WriteJsonString(json, key, property: true);
                    ReadValue(ref reader, json, attachments, depth + 1);
                }

                json.WriteEndObject();
                break;
            }

            case MessagePackType.Extension:
                ReadExtension(ref reader, json, attachments, code);
                break;
            default:
                throw new SocketIoParseException($"Invalid msgpack type code 0x{code:x2}.");
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new SocketIoParseException($"The msgpack value nests deeper than {MaxDepth} levels.");
        }
    }

    private static ReadOnlySpan<byte> ReadStringSpan(ref MessagePackReader reader)
    {
        if (reader.TryReadStringSpan(out ReadOnlySpan<byte> span))
        {
            return span;
        }

        ReadOnlySequence<byte>? sequence = reader.ReadStringSequence();
        return sequence is { } s ? s.ToArray() : throw new SocketIoParseException("Expected a msgpack string.");
    }

    /// <summary>A map key: a string, or an integer as its decimal text (as JavaScript turns keys into strings).</summary>
    private static ReadOnlySpan<byte> ReadKey(ref MessagePackReader reader)
    {
        if (reader.End)
        {
            throw new SocketIoParseException("Truncated msgpack map.");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return ReadStringSpan(ref reader);
            case MessagePackType.Integer:
                return Encoding.ASCII.GetBytes(reader.NextCode == UInt64
                    ? reader.ReadUInt64().ToString(CultureInfo.InvariantCulture)
                    : reader.ReadInt64().ToString(CultureInfo.InvariantCulture));

            default:
                throw new SocketIoParseException($"A msgpack map key must be a string or an integer, not {reader.NextMessagePackType}.");
        }
    }

    private static void WriteJsonString(Utf8JsonWriter json, ReadOnlySpan<byte> utf8, bool property)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            if (property)
            {
                json.WritePropertyName(utf8);
            }
            else
            {
                json.WriteStringValue(utf8);
            }

            return;
        }

        // As Node's Buffer#toString: invalid sequences become U+FFFD.
        string text = Encoding.UTF8.GetString(utf8);
        if (property)
        {
            json.WritePropertyName(text);
        }
        else
        {
            json.WriteStringValue(text);
        }
    }

    private static ReadOnlyMemory<byte> AsMemory(ReadOnlySequence<byte> sequence) =>
        sequence.IsSingleSegment ? sequence.First : sequence.ToArray();

    private static void WritePlaceholder(Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, ReadOnlyMemory<byte> data)
    {
        json.WriteStartObject();
        json.WriteBoolean("_placeholder"u8, true);
        json.WriteNumber("num"u8, attachments.Count);
        json.WriteEndObject();
        attachments.Add(data);
    }

    private static void ReadExtension(ref MessagePackReader reader, Utf8JsonWriter json, List<ReadOnlyMemory<byte>> attachments, byte code)
    {
        ExtensionHeader header = reader.ReadExtensionHeader();
        ReadOnlyMemory<byte> data = AsMemory(reader.ReadRaw(header.Length));
        ReadOnlySpan<byte> bytes = data.Span;
        switch (header.TypeCode)
        {
            case 0 when code == FixExt1:
                json.WriteNullValue(); // undefined
                return;
            case 0 when code == FixExt8:
                WriteDate(json, BinaryPrimitives.ReadInt64BigEndian(bytes), 0);
                return;
            case 0 when code is Ext8 or Ext16 or Ext32:
                WritePlaceholder(json, attachments, data); // notepack's ArrayBuffer
                return;
            case -1 when bytes.Length == 4:
                WriteTimestamp(json, BinaryPrimitives.ReadUInt32BigEndian(bytes), 0);
                return;
            case -1 when bytes.Length == 8:
            {
                ulong value = BinaryPrimitives.ReadUInt64BigEndian(bytes);
                WriteTimestamp(json, (long)(value & 0x3_ffff_ffffUL), (uint)(value >> 34));
                return;
            }

            case -1 when bytes.Length == 12:
                WriteTimestamp(json, BinaryPrimitives.ReadInt64BigEndian(bytes[4..]), BinaryPrimitives.ReadUInt32BigEndian(bytes));
                return;
            default:
                // As notepack.io: any other extension is [type, data].
                json.WriteStartArray();
                json.WriteNumberValue(header.TypeCode);
                WritePlaceholder(json, attachments, data);
                json.WriteEndArray();
                return;
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter json, long seconds, uint nanoseconds)
    {
        if (nanoseconds > 999_999_999 || seconds < MinUnixMilliseconds / 1000 || seconds > MaxUnixMilliseconds / 1000)
        {
            json.WriteNullValue();
            return;
        }

        WriteDate(json, seconds * 1000, nanoseconds);
    }

    private static void WriteDate(Utf8JsonWriter json, long milliseconds, uint nanoseconds)
    {
        if (milliseconds < MinUnixMilliseconds || milliseconds > MaxUnixMilliseconds)
        {
            json.WriteNullValue(); // as an invalid JavaScript Date turns into null in JSON
            return;
        }

        long ticks = DateTime.UnixEpoch.Ticks + (milliseconds * TimeSpan.TicksPerMillisecond) + (nanoseconds / 100);
        json.WriteStringValue(new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
    }

    /// <summary>A thread's JSON buffer and writer for decoding, reused while small.</summary>
    internal sealed class DecodeBuffer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);

        private DecodeBuffer()
        {
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JsonStringifyEncoder.Instance, SkipValidation = true });
        }

        public Utf8JsonWriter Writer { get; }

        public static DecodeBuffer Rent()
        {
            DecodeBuffer buffer = t_decodeBuffer ?? new DecodeBuffer();
            t_decodeBuffer = null;
            return buffer;
        }

        public byte[] ToArray()
        {
            Writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }

        public void Reset()
        {
            Writer.Reset(_buffer);
            _buffer.ResetWrittenCount();
        }

        public void Return()
        {
            if (_buffer.Capacity > 64 * 1024)
            {
                return; // do not keep a large buffer alive on the thread
            }

            Reset();
            t_decodeBuffer = this;
        }
    }
}
