// Longer than most files here on purpose: both protocol revisions' packet and payload formats sit
// side by side, so that their differences read at a glance.

using System.Buffers;
using System.Buffers.Text;

namespace TypedSocketIo.EngineIO;

/// <summary>
/// Encoders and decoders for Engine.IO packets and payloads, revisions 3 and 4. Pure functions over
/// buffers: no I/O. Decoded packets own their data (it is copied out of the input).
/// </summary>
public static class EngineIOCodec
{
    /// <summary>The record separator that joins packets in a v4 polling payload.</summary>
    public const byte RecordSeparator = 0x1E;

    /// <summary>The byte that ends the length of a packet in a v3 binary payload.</summary>
    private const byte V3BinaryLengthEnd = 0xFF;

    /// <summary>Longest decimal length accepted in a v3 payload (the reference allows any; 10 digits exceed any real body).</summary>
    private const int MaxLengthDigits = 10;

    // ---------------------------------------------------------------- single packets

    /// <summary>
    /// Decodes one text-encoded packet (a WebSocket text frame, or one packet of a polling payload):
    /// a type digit followed by the data, or <c>b</c> followed by base64 for a binary message
    /// (in v3, <c>b4</c> followed by base64).
    /// </summary>
    /// <exception cref="EngineIOParseException">The packet is empty, its type unknown, or its base64 invalid.</exception>
    public static EnginePacket DecodeTextPacket(ReadOnlySpan<byte> encoded, EngineIOProtocol protocol = EngineIOProtocol.V4)
    {
        if (encoded.IsEmpty)
        {
            throw new EngineIOParseException("Empty Engine.IO packet.");
        }

        byte first = encoded[0];
        if (first == (byte)'b')
        {
            ReadOnlySpan<byte> base64 = encoded[1..];
            if (protocol == EngineIOProtocol.V3)
            {
                // v3 carries the packet type after the 'b': "b4<base64>".
                if (base64.IsEmpty || base64[0] != (byte)'4')
                {
                    throw new EngineIOParseException("A base64 Engine.IO v3 packet must be a message ('b4…').");
                }

                base64 = base64[1..];
            }

            return EnginePacket.BinaryMessage(DecodeBase64(base64));
        }

        EnginePacketType type = ParseType(first);
        return new EnginePacket(type, encoded.Length > 1 ? encoded[1..].ToArray() : ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// Decodes a binary WebSocket frame: in v4 the whole frame is a binary message; in v3 its first
    /// byte is the packet type.
    /// </summary>
    public static EnginePacket DecodeBinaryFrame(ReadOnlySpan<byte> frame, EngineIOProtocol protocol = EngineIOProtocol.V4)
    {
        if (protocol != EngineIOProtocol.V3)
        {
            return EnginePacket.BinaryMessage(frame.ToArray());
        }

        if (frame.IsEmpty)
        {
            throw new EngineIOParseException("Empty Engine.IO v3 binary frame.");
        }

        if (frame[0] != (byte)EnginePacketType.Message)
        {
            throw new EngineIOParseException($"Engine.IO v3 binary frame of packet type {frame[0]}; only messages may be binary.");
        }

        return EnginePacket.BinaryMessage(frame[1..].ToArray());
    }

    /// <summary>
    /// Writes one packet as text: <c>&lt;type&gt;&lt;data&gt;</c>; a binary message as <c>b&lt;base64&gt;</c>
    /// (v4) or <c>b4&lt;base64&gt;</c> (v3).
    /// </summary>
    public static void WriteTextPacket(IBufferWriter<byte> writer, in EnginePacket packet, EngineIOProtocol protocol = EngineIOProtocol.V4)
    {
        ReadOnlySpan<byte> data = packet.Data.Span;
        if (packet.IsBinary)
        {
            int prefix = protocol == EngineIOProtocol.V3 ? 2 : 1;
            int length = Base64.GetMaxEncodedToUtf8Length(data.Length);
            Span<byte> span = writer.GetSpan(prefix + length);
            span[0] = (byte)'b';
            if (protocol == EngineIOProtocol.V3)
            {
                span[1] = (byte)'4';
            }

            Base64.EncodeToUtf8(data, span[prefix..], out _, out int written);
            writer.Advance(prefix + written);
            return;
        }

        Span<byte> target = writer.GetSpan(1 + data.Length);
        target[0] = (byte)('0' + (int)packet.Type);
        data.CopyTo(target[1..]);
        writer.Advance(1 + data.Length);
    }

    /// <summary>
    /// Writes the payload of a WebSocket frame for <paramref name="packet"/> and tells whether the
    /// frame is binary: text packets as <see cref="WriteTextPacket"/>; binary messages as the raw
    /// bytes (v4) or prefixed by the message type byte (v3).
    /// </summary>
    public static bool WriteWebSocketFrame(IBufferWriter<byte> writer, in EnginePacket packet, EngineIOProtocol protocol = EngineIOProtocol.V4)
    {
        if (!packet.IsBinary)
        {
            WriteTextPacket(writer, packet, protocol);
            return false;
        }

        ReadOnlySpan<byte> data = packet.Data.Span;
        int offset = protocol == EngineIOProtocol.V3 ? 1 : 0;
        Span<byte> span = writer.GetSpan(offset + data.Length);
        if (offset == 1)
        {
            span[0] = (byte)EnginePacketType.Message;
        }

        data.CopyTo(span[offset..]);
        writer.Advance(offset + data.Length);
        return true;
    }

    // ---------------------------------------------------------------- v4 payloads

    /// <summary>Writes a v4 polling payload: text-encoded packets joined by the record separator.</summary>
    public static void WritePayload(IBufferWriter<byte> writer, ReadOnlySpan<EnginePacket> packets)
    {
        for (int i = 0; i < packets.Length; i++)
        {
            if (i > 0)
            {
                writer.GetSpan(1)[0] = RecordSeparator;
                writer.Advance(1);
            }

            WriteTextPacket(writer, packets[i], protocol: EngineIOProtocol.V4);
        }
    }

    /// <summary>
    /// Reads the next packet of a v4 payload and advances <paramref name="payload"/> past it.
    /// Returns false when no complete packet is buffered: the payload is empty, or (while
    /// <paramref name="isFinalBlock"/> is false) no separator follows the packet yet.
    /// </summary>
    /// <exception cref="EngineIOParseException">A packet is malformed (empty, unknown type, bad base64).</exception>
    public static bool TryReadPacket(ref ReadOnlySequence<byte> payload, bool isFinalBlock, out EnginePacket packet)
    {
        packet = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        SequencePosition? separator = payload.PositionOf(RecordSeparator);
        ReadOnlySequence<byte> encoded;
        if (separator is { } position)
        {
            encoded = payload.Slice(0, position);
            ReadOnlySequence<byte> rest = payload.Slice(payload.GetPosition(1, position));
            if (rest.IsEmpty)
            {
                // A separator must be followed by a packet: wait for it, or fail at the end.
                return isFinalBlock ? throw new EngineIOParseException("Engine.IO payload ends with a record separator.") : false;
            }

            packet = DecodeTextPacket(Contiguous(encoded), protocol: EngineIOProtocol.V4);
            payload = rest;
            return true;
        }

        if (!isFinalBlock)
        {
            return false;
        }

        packet = DecodeTextPacket(Contiguous(payload), protocol: EngineIOProtocol.V4);
        payload = payload.Slice(payload.End);
        return true;
    }

    // ---------------------------------------------------------------- v3 payloads

    /// <summary>
    /// Writes a v3 text payload: each packet as <c>&lt;length&gt;:&lt;packet&gt;</c>, the length counted in
    /// UTF-16 code units as JavaScript does; binary messages as <c>b4&lt;base64&gt;</c>. An empty list is <c>0:</c>.
    /// </summary>
    public static void WriteV3TextPayload(IBufferWriter<byte> writer, ReadOnlySpan<EnginePacket> packets)
    {
        if (packets.IsEmpty)
        {
            WriteAscii(writer, "0:");
            return;
        }

        foreach (EnginePacket packet in packets)
        {
            int units = packet.IsBinary
                ? 2 + Base64.GetMaxEncodedToUtf8Length(packet.Data.Length)
                : 1 + CountUtf16Units(packet.Data.Span);
            WriteDecimal(writer, units, asciiDigits: true);
            writer.GetSpan(1)[0] = (byte)':';
            writer.Advance(1);
            WriteTextPacket(writer, packet, protocol: EngineIOProtocol.V3);
        }
    }

    /// <summary>
    /// Writes a v3 binary payload (sent as <c>application/octet-stream</c>): per packet a byte 0 (text)
    /// or 1 (binary), the length as one byte per decimal digit (values 0–9), 255, then the packet: the
    /// UTF-8 text packet, or the type byte followed by the binary data.
    /// </summary>
    public static void WriteV3BinaryPayload(IBufferWriter<byte> writer, ReadOnlySpan<EnginePacket> packets)
    {
        foreach (EnginePacket packet in packets)
        {
            ReadOnlySpan<byte> data = packet.Data.Span;
            writer.GetSpan(1)[0] = packet.IsBinary ? (byte)1 : (byte)0;
            writer.Advance(1);
            WriteDecimal(writer, 1 + data.Length, asciiDigits: false);
            Span<byte> span = writer.GetSpan(2 + data.Length);
            span[0] = V3BinaryLengthEnd;
            span[1] = packet.IsBinary ? (byte)EnginePacketType.Message : (byte)('0' + (int)packet.Type);
            data.CopyTo(span[2..]);
            writer.Advance(2 + data.Length);
        }
    }

    /// <summary>
    /// Reads the next packet of a v3 text payload (<c>&lt;length&gt;:&lt;packet&gt;</c>, length in UTF-16 code
    /// units). Empty packets (<c>0:</c>) are skipped. Returns false when no complete packet is buffered.
    /// </summary>
    public static bool TryReadV3TextPacket(ref ReadOnlySequence<byte> payload, bool isFinalBlock, out EnginePacket packet)
    {
        packet = default;
        while (!payload.IsEmpty)
        {
            var reader = new SequenceReader<byte>(payload);
            long length = 0;
            int digits = 0;
            while (true)
            {
                if (!reader.TryRead(out byte b))
                {
                    return NeedMore(isFinalBlock, "Engine.IO v3 payload ends inside a length.");
                }

                if (b == (byte)':')
                {
                    break;
                }

                if (b < (byte)'0' || b > (byte)'9' || ++digits > MaxLengthDigits)
                {
                    throw new EngineIOParseException("Invalid length in Engine.IO v3 payload.");
                }

                length = (length * 10) + (b - '0');
            }

            if (digits == 0)
            {
                throw new EngineIOParseException("Missing length in Engine.IO v3 payload.");
            }

            SequencePosition start = reader.Position;
            long units = 0;
            while (units < length)
            {
                if (!reader.TryPeek(out byte lead))
                {
                    return NeedMore(isFinalBlock, "Engine.IO v3 payload is shorter than its length prefix.");
                }

                int size = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
                if (size == 0)
                {
                    throw new EngineIOParseException("Invalid UTF-8 in Engine.IO v3 payload.");
                }

                if (reader.Remaining < size)
                {
                    return NeedMore(isFinalBlock, "Engine.IO v3 payload is shorter than its length prefix.");
                }

                reader.Advance(size);
                units += size == 4 ? 2 : 1;
            }

            if (units != length)
            {
                throw new EngineIOParseException("Engine.IO v3 payload length splits a character.");
            }

            ReadOnlySequence<byte> encoded = payload.Slice(start, reader.Position);
            payload = payload.Slice(reader.Position);
            if (length == 0)
            {
                continue;
            }

            packet = DecodeTextPacket(Contiguous(encoded), protocol: EngineIOProtocol.V3);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Reads the next packet of a v3 binary payload (see <see cref="WriteV3BinaryPayload"/>).
    /// Returns false when no complete packet is buffered.
    /// </summary>
    public static bool TryReadV3BinaryPacket(ref ReadOnlySequence<byte> payload, bool isFinalBlock, out EnginePacket packet)
    {
        packet = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        var reader = new SequenceReader<byte>(payload);
        reader.TryRead(out byte kind);
        if (kind > 1)
        {
            throw new EngineIOParseException($"Invalid packet kind {kind} in Engine.IO v3 binary payload.");
        }

        long length = 0;
        int digits = 0;
        while (true)
        {
            if (!reader.TryRead(out byte b))
            {
                return NeedMore(isFinalBlock, "Engine.IO v3 binary payload ends inside a length.");
            }

            if (b == V3BinaryLengthEnd)
            {
                break;
            }

            if (b > 9 || ++digits > MaxLengthDigits)
            {
                throw new EngineIOParseException("Invalid length in Engine.IO v3 binary payload.");
            }

            length = (length * 10) + b;
        }

        if (digits == 0 || length == 0)
        {
            throw new EngineIOParseException("Empty packet in Engine.IO v3 binary payload.");
        }

        if (reader.Remaining < length)
        {
            return NeedMore(isFinalBlock, "Engine.IO v3 binary payload is shorter than its length prefix.");
        }

        ReadOnlySequence<byte> encoded = reader.UnreadSequence.Slice(0, length);
        payload = reader.UnreadSequence.Slice(length);
        ReadOnlySpan<byte> bytes = Contiguous(encoded);
        packet = kind == 0 ? DecodeTextPacket(bytes, protocol: EngineIOProtocol.V3) : DecodeBinaryFrame(bytes, protocol: EngineIOProtocol.V3);
        return true;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Counts the UTF-16 code units of UTF-8 text (what JavaScript's <c>string.length</c> gives).</summary>
    public static int CountUtf16Units(ReadOnlySpan<byte> utf8)
    {
        int units = 0;
        foreach (byte b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                units += b >= 0xF0 ? 2 : 1;
            }
        }

        return units;
    }

    private static EnginePacketType ParseType(byte digit)
    {
        int type = digit - '0';
        if (type < 0 || type > (int)EnginePacketType.Noop)
        {
            throw new EngineIOParseException($"Unknown Engine.IO packet type '{(char)digit}'.");
        }

        return (EnginePacketType)type;
    }

    private static byte[] DecodeBase64(ReadOnlySpan<byte> base64)
    {
        byte[] buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        OperationStatus status = Base64.DecodeFromUtf8(base64, buffer, out int consumed, out int written);
        if (status != OperationStatus.Done || consumed != base64.Length)
        {
            throw new EngineIOParseException("Invalid base64 in binary Engine.IO packet.");
        }

        return written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
    }

    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> sequence)
    {
        return sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
    }

    private static bool NeedMore(bool isFinalBlock, string message) =>
        isFinalBlock ? throw new EngineIOParseException(message) : false;

    private static void WriteDecimal(IBufferWriter<byte> writer, int value, bool asciiDigits)
    {
        Span<byte> digits = stackalloc byte[10];
        int count = 0;
        do
        {
            digits[count++] = (byte)((asciiDigits ? '0' : 0) + (value % 10));
            value /= 10;
        }
        while (value > 0);

        Span<byte> span = writer.GetSpan(count);
        for (int i = 0; i < count; i++)
        {
            span[i] = digits[count - 1 - i];
        }

        writer.Advance(count);
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
}
