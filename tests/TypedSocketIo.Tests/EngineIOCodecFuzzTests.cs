using System.Buffers;
using System.Text;
using TypedSocketIo.EngineIO;
using static TypedSocketIo.Tests.PacketReading;

namespace TypedSocketIo.Tests;

/// <summary>Randomized checks over fixed seeds (reproducible): arbitrary input never escapes as anything but
/// <see cref="EngineIOParseException"/>, segmentation never changes a decode, and random packets round-trip.</summary>
public class EngineIOCodecFuzzTests
{
    private const int Seed = 20240601;

    /// <summary>Bytes that steer the decoders into their interesting branches.</summary>
    private static readonly byte[] Interesting =
    [
        .. "0123456789:b4AQID=+/"u8.ToArray(),
        0x1E, 0x00, 0x01, 0x02, 0x04, 0x09, 0x0A, 0xFF, 0xC3, 0xA9, 0xE4, 0xB8, 0xF0, 0x9F, 0x98, 0x80, 0xBF,
    ];

    private static readonly (string Name, Action<byte[]> Decode)[] Decoders =
    [
        ("DecodeTextPacket v4", input => EngineIOCodec.DecodeTextPacket(input, protocol: 4)),
        ("DecodeTextPacket v3", input => EngineIOCodec.DecodeTextPacket(input, protocol: 3)),
        ("DecodeBinaryFrame v4", input => EngineIOCodec.DecodeBinaryFrame(input, protocol: 4)),
        ("DecodeBinaryFrame v3", input => EngineIOCodec.DecodeBinaryFrame(input, protocol: 3)),
        ("TryReadPacket final", input => ReadAll(new ReadOnlySequence<byte>(input), V4, isFinalBlock: true, out _)),
        ("TryReadPacket not final", input => ReadAll(new ReadOnlySequence<byte>(input), V4, isFinalBlock: false, out _)),
        ("TryReadV3TextPacket final", input => ReadAll(new ReadOnlySequence<byte>(input), V3Text, isFinalBlock: true, out _)),
        ("TryReadV3TextPacket not final", input => ReadAll(new ReadOnlySequence<byte>(input), V3Text, isFinalBlock: false, out _)),
        ("TryReadV3BinaryPacket final", input => ReadAll(new ReadOnlySequence<byte>(input), V3Binary, isFinalBlock: true, out _)),
        ("TryReadV3BinaryPacket not final", input => ReadAll(new ReadOnlySequence<byte>(input), V3Binary, isFinalBlock: false, out _)),
        ("TryReadPacket one byte per segment", input => ReadAll(SequenceSplitter.OneBytePerSegment(input), V4, isFinalBlock: true, out _)),
        ("TryReadV3TextPacket one byte per segment", input => ReadAll(SequenceSplitter.OneBytePerSegment(input), V3Text, isFinalBlock: true, out _)),
        ("TryReadV3BinaryPacket one byte per segment", input => ReadAll(SequenceSplitter.OneBytePerSegment(input), V3Binary, isFinalBlock: true, out _)),
        ("CountUtf16Units", input => EngineIOCodec.CountUtf16Units(input)),
        ("EngineHandshake.Parse", input => EngineHandshake.Parse(input)),
    ];

    [Fact]
    public void RandomBytes_IntoEveryDecoder_EitherDecodeOrThrowParseException()
    {
        var random = new Random(Seed);
        var failures = new List<string>();
        for (int i = 0; i < 5_000; i++)
        {
            RunEveryDecoder(RandomInput(random), failures);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Fact]
    public void MutatedValidPayloads_IntoEveryDecoder_EitherDecodeOrThrowParseException()
    {
        var random = new Random(Seed + 1);
        byte[][] valid =
        [
            .. Samples.PacketLists.Values.SelectMany(packets => PayloadForm.All.Select(form => form.Encode(packets))),
            Bytes.Utf8(Samples.HandshakeJson),
        ];
        var failures = new List<string>();
        foreach (byte[] input in valid)
        {
            for (int i = 0; i < 300; i++)
            {
                RunEveryDecoder(Mutate(input, random), failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
    }

    [Fact]
    public void RandomBytes_DecodeTheSameWhereverTheSequenceIsSplit()
    {
        var random = new Random(Seed + 2);
        for (int i = 0; i < 3_000; i++)
        {
            byte[] input = random.Next(2) == 0 ? RandomInput(random) : Mutate(PayloadForm.All[random.Next(3)].Encode(RandomPackets(random, 1, 4)), random);
            foreach (PayloadForm form in PayloadForm.All)
            {
                string whole = Outcome(new ReadOnlySequence<byte>(input), form.Reader);
                int first = random.Next(input.Length + 1);
                int second = random.Next(first, input.Length + 1);
                Assert.True(whole == Outcome(SequenceSplitter.SplitAt(input, first, second), form.Reader), $"{form} {Bytes.ToHex(input)} split at {first}/{second}");
                Assert.True(whole == Outcome(SequenceSplitter.OneBytePerSegment(input), form.Reader), $"{form} {Bytes.ToHex(input)} one byte per segment");
            }
        }
    }

    [Fact]
    public void RandomPacketLists_RoundTripThroughEveryPayloadForm_HoweverTheyAreSplitOrStreamed()
    {
        var random = new Random(Seed + 3);
        for (int i = 0; i < 500; i++)
        {
            EnginePacket[] packets = RandomPackets(random, 1, 6);
            foreach (PayloadForm form in PayloadForm.All)
            {
                byte[] payload = form.Encode(packets);
                int[] ends = form.PacketEnds(packets, payload);
                Assert.Equal(packets, ReadAllFinal(payload, form.Reader));

                int first = random.Next(payload.Length + 1);
                int second = random.Next(first, payload.Length + 1);
                Assert.Equal(packets, ReadAllFinal(SequenceSplitter.SplitAt(payload, first, second), form.Reader));

                int[] cuts = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(payload.Length + 1)).Order().ToArray();
                form.AssertStreams(payload, packets, ends, cuts);
            }
        }
    }

    [Fact]
    public void RandomPackets_RoundTripAsSinglePacketsAndWebSocketFrames()
    {
        var random = new Random(Seed + 4);
        foreach (EnginePacket packet in RandomPackets(random, 2_000, 2_000))
        {
            foreach (int protocol in new[] { 3, 4 })
            {
                Assert.Equal(packet, EngineIOCodec.DecodeTextPacket(Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet, protocol)), protocol));

                var frame = new ArrayBufferWriter<byte>();
                bool isBinary = EngineIOCodec.WriteWebSocketFrame(frame, packet, protocol);
                Assert.Equal(packet.IsBinary, isBinary);
                EnginePacket decoded = isBinary
                    ? EngineIOCodec.DecodeBinaryFrame(frame.WrittenSpan, protocol)
                    : EngineIOCodec.DecodeTextPacket(frame.WrittenSpan, protocol);
                Assert.Equal(packet, decoded);
            }

            if (!packet.IsBinary)
            {
                Assert.Equal(Encoding.UTF8.GetString(packet.Data.Span).Length, EngineIOCodec.CountUtf16Units(packet.Data.Span));
            }
        }
    }

    // ------------------------------------------------------------ helpers

    private static void RunEveryDecoder(byte[] input, List<string> failures)
    {
        foreach ((string name, Action<byte[]> decode) in Decoders)
        {
            try
            {
                decode(input);
            }
            catch (EngineIOParseException exception)
            {
                if (string.IsNullOrWhiteSpace(exception.Message))
                {
                    failures.Add($"{name}({Bytes.ToHex(input)}): parse exception without a message");
                }
            }
            catch (Exception exception)
            {
                failures.Add($"{name}({Bytes.ToHex(input)}): {exception.GetType().Name}: {exception.Message}");
            }
        }
    }

    /// <summary>The packets decoded from a final block, or the parse error, as a comparable string.</summary>
    private static string Outcome(ReadOnlySequence<byte> payload, PacketReader reader)
    {
        try
        {
            List<EnginePacket> packets = ReadAll(payload, reader, isFinalBlock: true, out ReadOnlySequence<byte> rest);
            return $"{string.Join(" | ", packets.Select(p => $"{p} {Bytes.ToHex(p.Data.Span)}"))} rest {rest.Length}";
        }
        catch (EngineIOParseException exception)
        {
            return "error: " + exception.Message;
        }
    }

    private static byte[] RandomInput(Random random)
    {
        var input = new byte[random.Next(0, 49)];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = random.Next(10) < 7 ? Interesting[random.Next(Interesting.Length)] : (byte)random.Next(256);
        }

        return input;
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(5))
            {
                case 0 when at < bytes.Count:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
            }
        }

        return [.. bytes];
    }

    private static readonly string[] TextPieces = ["a", "z", "hello", " ", ":", "0", "9", "4", "b", "\"", "{", "é", "中", "文", "😀", "🎉", "\u0000", "\u007F", "\uFFFD"];

    private static EnginePacket[] RandomPackets(Random random, int min, int max)
    {
        var packets = new EnginePacket[random.Next(min, max + 1)];
        for (int i = 0; i < packets.Length; i++)
        {
            var type = (EnginePacketType)random.Next(0, 7);
            if (type == EnginePacketType.Message && random.Next(3) == 0)
            {
                var data = new byte[random.Next(10) == 0 ? random.Next(100, 400) : random.Next(0, 12)];
                random.NextBytes(data);
                packets[i] = EnginePacket.BinaryMessage(data);
            }
            else
            {
                string text = string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => TextPieces[random.Next(TextPieces.Length)]));
                packets[i] = EnginePacket.FromText(type, text);
            }
        }

        return packets;
    }
}
