using System.Buffers;
using System.Text;
using System.Text.Json;
using Nerdbank.MessagePack;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Protocol;

/// <summary>
/// The msgpack parser, wire-compatible with socket.io-msgpack-parser: each packet is one binary
/// Engine.IO message holding the msgpack map <c>{type, data, nsp, id?}</c> (see
/// <see cref="SocketIoMsgPack"/> for how values are encoded), binary values inline — no
/// attachments, no BINARY_EVENT or BINARY_ACK. Packets it decodes are in the same JSON form as the
/// JSON parser's, so handlers, generated dispatchers and contracts do not see which parser runs.
/// </summary>
public sealed class MsgPackSocketIoParser : ISocketIoParser
{
    /// <summary>The shared instance.</summary>
    public static readonly MsgPackSocketIoParser Instance = new();

    private static readonly byte[] TypeKey = "type"u8.ToArray();
    private static readonly byte[] DataKey = "data"u8.ToArray();
    private static readonly byte[] NspKey = "nsp"u8.ToArray();
    private static readonly byte[] IdKey = "id"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <inheritdoc />
    public EnginePacket[] Encode(SocketIoPacket packet) => [EnginePacket.BinaryMessage(EncodePacket(packet))];

    /// <summary>The msgpack message of <paramref name="packet"/>: <c>{type, data, nsp, id?}</c>, in that order.</summary>
    /// <exception cref="ArgumentException">The packet's data is not valid JSON.</exception>
    public static ReadOnlyMemory<byte> EncodePacket(SocketIoPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        SocketIoPacketType type = packet.Type switch
        {
            SocketIoPacketType.BinaryEvent => SocketIoPacketType.Event,
            SocketIoPacketType.BinaryAck => SocketIoPacketType.Ack,
            _ => packet.Type,
        };
        bool hasData = !packet.Data.IsEmpty && type != SocketIoPacketType.Disconnect;
        int estimate = SocketIoMsgPack.EstimateSize(packet.Data.Span, packet.Attachments) + (packet.Namespace.Length * 3) + 24;
        var buffer = new ArrayBufferWriter<byte>(estimate);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2 + (hasData ? 1 : 0) + (packet.Id is null ? 0 : 1));
        writer.WriteString(TypeKey);
        writer.Write((int)type);
        if (hasData)
        {
            writer.WriteString(DataKey);
            try
            {
                SocketIoMsgPack.WriteJson(ref writer, packet.Data.Span, packet.Attachments);
            }
            catch (JsonException ex)
            {
                throw new ArgumentException("The packet's data is not valid JSON: " + ex.Message, nameof(packet), ex);
            }
        }

        writer.WriteString(NspKey);
        writer.Write(packet.Namespace);
        if (packet.Id is { } id)
        {
            writer.WriteString(IdKey);
            writer.Write(id);
        }

        writer.Flush();
        // Keep the message, not a mostly empty buffer, when the estimate was far off.
        return buffer.WrittenCount * 2 < buffer.Capacity && buffer.Capacity > 1024 ? buffer.WrittenSpan.ToArray() : buffer.WrittenMemory;
    }

    /// <inheritdoc />
    public ISocketIoDecoder CreateDecoder() => Decoder.Instance;

    /// <summary>Decodes one msgpack message into a packet, checked as the JSON parser checks its packets.</summary>
    /// <exception cref="SocketIoParseException">The message is not a valid Socket.IO packet.</exception>
    public static SocketIoPacket DecodePacket(ReadOnlyMemory<byte> message)
    {
        if (message.IsEmpty)
        {
            throw new SocketIoParseException("Empty Socket.IO packet.");
        }

        SocketIoMsgPack.DecodeBuffer json = SocketIoMsgPack.DecodeBuffer.Rent();
        try
        {
            return Decode(message, json);
        }
        catch (Exception ex) when (SocketIoMsgPack.IsDecodeError(ex))
        {
            throw SocketIoMsgPack.AsParseError(ex);
        }
        finally
        {
            json.Return();
        }
    }

    private enum DataKind : byte
    {
        Absent,
        Object,
        Array,
        String,
        Other,
    }

    private static SocketIoPacket Decode(ReadOnlyMemory<byte> message, SocketIoMsgPack.DecodeBuffer json)
    {
        var reader = new MessagePackReader(message);
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new SocketIoParseException("A msgpack Socket.IO packet must be a map.");
        }

        int count = reader.ReadMapHeader();
        long type = -1;
        string? nsp = null;
        long? id = null;
        DataKind data = DataKind.Absent;
        int items = 0;
        List<ReadOnlyMemory<byte>>? attachments = null;
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String || !reader.TryReadStringSpan(out ReadOnlySpan<byte> key))
            {
                SkipValue(ref reader); // a key that cannot be one of ours
                SkipValue(ref reader);
                continue;
            }

            if (key.SequenceEqual(TypeKey))
            {
                type = reader.NextMessagePackType == MessagePackType.Integer ? reader.ReadInt64() : throw new SocketIoParseException("Invalid packet type.");
            }
            else if (key.SequenceEqual(NspKey))
            {
                nsp = reader.NextMessagePackType == MessagePackType.String ? ReadString(ref reader) : throw new SocketIoParseException("Invalid namespace.");
            }
            else if (key.SequenceEqual(IdKey))
            {
                if (SocketIoMsgPack.IsUndefined(ref reader))
                {
                    SocketIoMsgPack.SkipUndefined(ref reader);
                    id = null;
                }
                else
                {
                    id = ReadAckId(ref reader);
                }
            }
            else if (key.SequenceEqual(DataKey))
            {
                json.Reset(); // the last "data" wins, as in JavaScript
                attachments?.Clear();
                if (SocketIoMsgPack.IsUndefined(ref reader))
                {
                    SocketIoMsgPack.SkipUndefined(ref reader);
                    data = DataKind.Absent;
                    continue;
                }

                data = reader.NextMessagePackType switch
                {
                    MessagePackType.Map => DataKind.Object,
                    MessagePackType.Array => DataKind.Array,
                    MessagePackType.String => DataKind.String,
                    _ => DataKind.Other,
                };
                if (data == DataKind.Array)
                {
                    MessagePackReader peek = reader;
                    items = peek.ReadArrayHeader();
                }

                SocketIoMsgPack.ReadValue(ref reader, json.Writer, attachments ??= new List<ReadOnlyMemory<byte>>(), 1);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        if (!reader.End)
        {
            throw new SocketIoParseException($"{message.Length - reader.Consumed} trailing bytes after the packet.");
        }

        // The rules of socket.io-msgpack-parser, and of the JSON parser for event names.
        if (type < (int)SocketIoPacketType.Connect || type > (int)SocketIoPacketType.ConnectError)
        {
            throw new SocketIoParseException("Invalid packet type.");
        }

        if (nsp is null)
        {
            throw new SocketIoParseException("Invalid namespace.");
        }

        var packetType = (SocketIoPacketType)type;
        bool valid = packetType switch
        {
            SocketIoPacketType.Connect => data is DataKind.Absent or DataKind.Object,
            SocketIoPacketType.Disconnect => data == DataKind.Absent,
            SocketIoPacketType.ConnectError => data is DataKind.Object or DataKind.String,
            _ => data == DataKind.Array,
        };
        if (!valid)
        {
            throw new SocketIoParseException($"Invalid payload for a {packetType} packet.");
        }

        byte[] payload = data == DataKind.Absent ? [] : json.ToArray();
        string? eventName = null;
        if (packetType == SocketIoPacketType.Event && !JsonSocketIoParser.TryReadValidEventName(payload, out eventName))
        {
            throw new SocketIoParseException("Invalid payload for an Event packet: the event name must be a string that is not reserved, or a number.");
        }

        IReadOnlyList<ReadOnlyMemory<byte>>? binary = attachments is { Count: > 0 } ? attachments.ToArray() : null;
        int argumentCount = data != DataKind.Array ? -1 : packetType == SocketIoPacketType.Event ? items - 1 : items;
        return new SocketIoPacket(packetType, nsp, id, payload, binary, eventName, argumentCount);
    }

    /// <summary>Reads past a value the packet does not use (bounded like any other value).</summary>
    private static void SkipValue(ref MessagePackReader reader)
    {
        if (SocketIoMsgPack.IsUndefined(ref reader))
        {
            SocketIoMsgPack.SkipUndefined(ref reader);
            return;
        }

        // Decoded into a scratch writer and dropped: the same checks (depth, truncation) as data.
        using var sink = new Utf8JsonWriter(Stream.Null, new JsonWriterOptions { SkipValidation = true });
        SocketIoMsgPack.ReadValue(ref reader, sink, new List<ReadOnlyMemory<byte>>(), 1);
    }

    private static long ReadAckId(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.Integer)
        {
            ulong value = reader.NextCode == 0xcf ? reader.ReadUInt64() : (ulong)Math.Max(-1, reader.ReadInt64());
            if (value <= 1UL << 53)
            {
                return (long)value;
            }
        }

        throw new SocketIoParseException("Invalid packet id.");
    }

    private static string ReadString(ref MessagePackReader reader)
    {
        if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> span))
        {
            span = reader.ReadStringSequence()!.Value.ToArray();
        }

        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            throw new SocketIoParseException("Invalid UTF-8 in the namespace.");
        }
    }

    /// <summary>Stateless: every msgpack message is a whole packet.</summary>
    private sealed class Decoder : ISocketIoDecoder
    {
        public static readonly Decoder Instance = new();

        public SocketIoPacket? Add(EnginePacket message)
        {
            if (!message.IsBinary)
            {
                throw new SocketIoParseException("The msgpack parser takes binary messages only.");
            }

            return DecodePacket(message.Data);
        }
    }
}
