using System.Buffers;
using System.Globalization;
using System.Text;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Tests;

/// <summary>The shape shared by the payload readers of <see cref="EngineIOCodec"/>.</summary>
internal delegate bool PacketReader(ref ReadOnlySequence<byte> payload, bool isFinalBlock, out EnginePacket packet);

internal static class Bytes
{
    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Parses <c>"00 06 ff 34"</c> into bytes.</summary>
    public static byte[] Hex(string hex) =>
        hex.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>Formats bytes as <c>"00 06 FF 34"</c> for failure messages.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes) is { Length: > 0 } s
        ? string.Join(' ', Enumerable.Range(0, s.Length / 2).Select(i => s.Substring(i * 2, 2)))
        : "<empty>";

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Runs an encoder against a fresh <see cref="ArrayBufferWriter{T}"/> and returns what it wrote.</summary>
    public static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }
}

/// <summary>An <see cref="IBufferWriter{T}"/> that hands out spans of exactly the size asked for (at least 1), in fresh
/// arrays, and rejects an <see cref="Advance"/> past the last span: catches encoders that write past what they requested.</summary>
internal sealed class StrictBufferWriter : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public byte[] Written => _written.ToArray();

    public void Advance(int count)
    {
        Assert.InRange(count, 0, _current.Length);
        _written.AddRange(_current.AsSpan(0, count).ToArray());
        _current = [];
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        _current = new byte[Math.Max(sizeHint, 1)];
        return _current;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}

internal static class PacketReading
{
    public static readonly PacketReader V4 = EngineIOCodec.TryReadPacket;
    public static readonly PacketReader V3Text = EngineIOCodec.TryReadV3TextPacket;
    public static readonly PacketReader V3Binary = EngineIOCodec.TryReadV3BinaryPacket;

    /// <summary>Reads packets until the reader says no more; checks that every packet read consumes input.</summary>
    public static List<EnginePacket> ReadAll(ReadOnlySequence<byte> payload, PacketReader reader, bool isFinalBlock, out ReadOnlySequence<byte> rest)
    {
        var packets = new List<EnginePacket>();
        while (true)
        {
            long before = payload.Length;
            if (!reader(ref payload, isFinalBlock, out EnginePacket packet))
            {
                break;
            }

            Assert.True(payload.Length < before, "A packet was read without consuming input.");
            packets.Add(packet);
        }

        rest = payload;
        return packets;
    }

    /// <summary>Reads a complete (final) payload and checks nothing is left over.</summary>
    public static List<EnginePacket> ReadAllFinal(ReadOnlySequence<byte> payload, PacketReader reader)
    {
        List<EnginePacket> packets = ReadAll(payload, reader, isFinalBlock: true, out ReadOnlySequence<byte> rest);
        Assert.True(rest.IsEmpty, $"{rest.Length} bytes left unconsumed after the final block.");
        return packets;
    }

    public static List<EnginePacket> ReadAllFinal(byte[] payload, PacketReader reader) =>
        ReadAllFinal(new ReadOnlySequence<byte>(payload), reader);

    /// <summary>Asserts that <paramref name="action"/> throws exactly <see cref="EngineIOParseException"/> whose message
    /// mentions every one of <paramref name="mentions"/> (case-insensitive).</summary>
    public static EngineIOParseException AssertParseError(Action action, params string[] mentions)
    {
        EngineIOParseException exception = Assert.Throws<EngineIOParseException>(action);
        Assert.False(string.IsNullOrWhiteSpace(exception.Message));
        foreach (string mention in mentions)
        {
            Assert.Contains(mention, exception.Message, StringComparison.OrdinalIgnoreCase);
        }

        return exception;
    }
}

/// <summary>One of the three polling payload encodings, with what the split/streaming assertions need to know about it.</summary>
internal sealed class PayloadForm
{
    private PayloadForm(string name, Func<EnginePacket[], byte[]> encode, Func<EnginePacket, byte[]> encodeOne, bool isV4, PacketReader reader)
    {
        Name = name;
        Encode = encode;
        EncodeOne = encodeOne;
        IsV4 = isV4;
        Reader = reader;
    }

    /// <summary>v4: packets joined by 0x1E. The last packet is only complete at the end of the final block.</summary>
    public static PayloadForm V4 { get; } = new(
        "v4",
        packets => Bytes.Encode(w => EngineIOCodec.WritePayload(w, packets)),
        packet => Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet, protocol: EngineIOProtocol.V4)),
        isV4: true,
        PacketReading.V4);

    /// <summary>v3 text: <c>&lt;len&gt;:&lt;packet&gt;</c>, self-delimiting.</summary>
    public static PayloadForm V3Text { get; } = new(
        "v3 text",
        packets => Bytes.Encode(w => EngineIOCodec.WriteV3TextPayload(w, packets)),
        packet => Bytes.Encode(w => EngineIOCodec.WriteV3TextPayload(w, [packet])),
        isV4: false,
        PacketReading.V3Text);

    /// <summary>v3 binary (octet-stream), self-delimiting.</summary>
    public static PayloadForm V3Binary { get; } = new(
        "v3 binary",
        packets => Bytes.Encode(w => EngineIOCodec.WriteV3BinaryPayload(w, packets)),
        packet => Bytes.Encode(w => EngineIOCodec.WriteV3BinaryPayload(w, [packet])),
        isV4: false,
        PacketReading.V3Binary);

    public static PayloadForm[] All { get; } = [V4, V3Text, V3Binary];

    public string Name { get; }

    public Func<EnginePacket[], byte[]> Encode { get; }

    public Func<EnginePacket, byte[]> EncodeOne { get; }

    public PacketReader Reader { get; }

    /// <summary>v4 payloads are separator-delimited, so their last packet needs the final block.</summary>
    private bool IsV4 { get; }

    public override string ToString() => Name;

    /// <summary>Where each packet's encoding ends in the payload (including the separator that follows it, in v4);
    /// also checks that the payload is exactly the concatenation of the packets' encodings.</summary>
    public int[] PacketEnds(EnginePacket[] packets, byte[] payload)
    {
        var ends = new int[packets.Length];
        var concatenated = new List<byte>();
        for (int i = 0; i < packets.Length; i++)
        {
            concatenated.AddRange(EncodeOne(packets[i]));
            if (IsV4 && i < packets.Length - 1)
            {
                concatenated.Add(EngineIOCodec.RecordSeparator);
            }

            ends[i] = concatenated.Count;
        }

        if (packets.Length > 0)
        {
            Assert.Equal(Bytes.ToHex(concatenated.ToArray()), Bytes.ToHex(payload));
        }

        return ends;
    }

    /// <summary>The decode of <paramref name="payload"/> is the same whichever way the bytes are cut into segments.</summary>
    public void AssertSplitInvariant(byte[] payload, IReadOnlyList<EnginePacket> expected, bool threeWay)
    {
        Assert.Equal(expected, PacketReading.ReadAllFinal(payload, Reader));
        Assert.Equal(expected, PacketReading.ReadAllFinal(SequenceSplitter.OneBytePerSegment(payload), Reader));
        foreach ((int offset, ReadOnlySequence<byte> sequence) in SequenceSplitter.AllTwoWaySplits(payload))
        {
            List<EnginePacket> actual = PacketReading.ReadAllFinal(sequence, Reader);
            Assert.True(expected.SequenceEqual(actual), $"{Name}: split at {offset} decoded [{string.Join(", ", actual)}]");
        }

        if (threeWay)
        {
            foreach ((int first, int second, ReadOnlySequence<byte> sequence) in SequenceSplitter.AllThreeWaySplits(payload))
            {
                List<EnginePacket> actual = PacketReading.ReadAllFinal(sequence, Reader);
                Assert.True(expected.SequenceEqual(actual), $"{Name}: split at {first}/{second} decoded [{string.Join(", ", actual)}]");
            }
        }
    }

    /// <summary>
    /// Streams <paramref name="payload"/> in chunks cut at <paramref name="cuts"/>: every chunk but the last is
    /// read with isFinalBlock=false and must yield exactly the packets complete so far, leaving the bytes after
    /// the last complete packet unconsumed; the unconsumed bytes plus the next chunk are then read again.
    /// </summary>
    public void AssertStreams(byte[] payload, EnginePacket[] expected, int[] ends, params int[] cuts)
    {
        var received = new List<EnginePacket>();
        int consumed = 0;
        int previousCut = 0;
        int[] blockEnds = [.. cuts, payload.Length];
        for (int block = 0; block < blockEnds.Length; block++)
        {
            int cut = blockEnds[block];
            bool isFinal = block == blockEnds.Length - 1;
            ReadOnlySequence<byte> buffer = SequenceSplitter.Create(
                payload.AsMemory(consumed, previousCut - consumed),
                payload.AsMemory(previousCut, cut - previousCut));
            List<EnginePacket> packets = PacketReading.ReadAll(buffer, Reader, isFinal, out ReadOnlySequence<byte> rest);
            received.AddRange(packets);
            consumed = cut - (int)rest.Length;
            string where = $"{Name}: cuts [{string.Join(", ", cuts)}], after the block ending at {cut}";
            Assert.True(expected.Take(received.Count).SequenceEqual(received), $"{where}: got [{string.Join(", ", received)}]");
            if (isFinal)
            {
                Assert.True(rest.IsEmpty, $"{where}: {rest.Length} bytes unconsumed at the end.");
                break;
            }

            // Exactly the complete packets were returned (in v4 a packet whose separator is the very last byte
            // of a non-final block may also be held back until more arrives), and nothing past them was consumed.
            int complete = ends.Count(end => end <= cut && !(IsV4 && end == payload.Length));
            int minimum = IsV4 && ends.Contains(cut) && cut < payload.Length ? complete - 1 : complete;
            Assert.True(received.Count >= minimum && received.Count <= complete, $"{where}: {received.Count} packets returned, expected {minimum}..{complete}.");
            Assert.True(consumed == (received.Count == 0 ? 0 : ends[received.Count - 1]), $"{where}: consumed {consumed} bytes.");
            previousCut = cut;
        }

        Assert.Equal(expected, received);
    }

    /// <summary>Splits at every offset (two chunks) and, if <paramref name="threeWay"/>, at every pair of offsets.</summary>
    public void AssertStreamsAtEverySplit(EnginePacket[] expected, bool threeWay)
    {
        byte[] payload = Encode(expected);
        int[] ends = PacketEnds(expected, payload);
        for (int cut = 0; cut <= payload.Length; cut++)
        {
            AssertStreams(payload, expected, ends, cut);
        }

        if (threeWay)
        {
            for (int first = 0; first <= payload.Length; first++)
            {
                for (int second = first; second <= payload.Length; second++)
                {
                    AssertStreams(payload, expected, ends, first, second);
                }
            }
        }
    }
}
