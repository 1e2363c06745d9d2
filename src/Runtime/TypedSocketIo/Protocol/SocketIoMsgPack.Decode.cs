using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Nerdbank.MessagePack;

namespace TypedSocketIo.Protocol;

/// <summary>msgpack to JSON: a notepack.io value written as the library's JSON form, binary values as attachments.</summary>
public static partial class SocketIoMsgPack
{
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
