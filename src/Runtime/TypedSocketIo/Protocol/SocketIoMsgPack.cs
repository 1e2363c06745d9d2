using System.Buffers;
using System.Text.Json;
using Nerdbank.MessagePack;

namespace TypedSocketIo.Protocol;

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
public static partial class SocketIoMsgPack
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
}
