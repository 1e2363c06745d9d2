using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nerdbank.MessagePack;

namespace TypedSocketIo.Protocol;

/// <summary>JSON to msgpack: the library's JSON form (with its attachments) written as notepack.io would write the value.</summary>
public static partial class SocketIoMsgPack
{
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
}
