using System.Buffers;
using System.Text;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Testing.Fuzz;
using Xunit.Abstractions;
using static TypedSocketIo.Tests.PacketReading;

namespace TypedSocketIo.Tests.Fuzz;

/// <summary>
/// Fuzzing of the Engine.IO decoders (see bench/README.md, "Fuzzing"): single packets, WebSocket frames, the three
/// polling payload forms and the handshake. Every decode returns or throws <see cref="EngineIOParseException"/>, within
/// bounded time and allocation; what decodes re-encodes to something that decodes the same; a payload decodes the same
/// however its bytes are split into segments or streamed.
/// </summary>
public class EngineIOFuzzTests(ITestOutputHelper output)
{
    private static readonly Type[] ParseError = [typeof(EngineIOParseException)];

    private static readonly FuzzMutator TextPackets = new([.. FuzzCorpus.EngineTextPackets(EngineIOProtocol.V4), .. FuzzCorpus.EngineTextPackets(EngineIOProtocol.V3)], FuzzCorpus.EngineTokens);

    private static readonly FuzzMutator BinaryFrames = new([.. FuzzCorpus.EngineBinaryFrames(EngineIOProtocol.V4), .. FuzzCorpus.EngineBinaryFrames(EngineIOProtocol.V3)], FuzzCorpus.EngineTokens);

    private static readonly FuzzMutator Handshakes = new(FuzzCorpus.Handshakes, [.. FuzzCorpus.SocketIoTokens, "\"sid\"", "\"upgrades\"", "\"pingInterval\"", "\"maxPayload\""]);

    public static TheoryData<string> PayloadFormNames() => new(PayloadForm.All.Select(f => f.Name));

    [Fact]
    public void TextPackets_decode_or_fail_with_parse_error_and_reencode_to_the_same_packet()
    {
        // A fuzz target's name seeds its cases: each keeps the name it was first run under, so that its
        // cases and the replay seeds recorded for them stay the same.
        FuzzRunner.Run("TextPackets_DecodeOrFailWithParseError_AndReencodeToTheSamePacket", 10_000,
            c => CheckTextPacket(c, TextPackets.Next(c.Random)), output.WriteLine,
            sweep: Truncations(TextPackets.Seeds, CheckTextPacket));
    }

    [Fact]
    public void BinaryFrames_decode_or_fail_with_parse_error_and_reencode_to_the_same_packet()
    {
        FuzzRunner.Run("BinaryFrames_DecodeOrFailWithParseError_AndReencodeToTheSamePacket", 10_000,
            c => CheckBinaryFrame(c, BinaryFrames.Next(c.Random)), output.WriteLine,
            sweep: Truncations(BinaryFrames.Seeds, CheckBinaryFrame));
    }

    [Theory]
    [MemberData(nameof(PayloadFormNames))]
    public void Payloads_decode_or_fail_with_parse_error_the_same_whatever_the_segments_or_streaming_and_reencode(string formName)
    {
        PayloadForm form = PayloadForm.All.Single(f => f.Name == formName);
        IReadOnlyList<byte[]> own = form == PayloadForm.V4 ? FuzzCorpus.V4Payloads : form == PayloadForm.V3Text ? FuzzCorpus.V3TextPayloads : FuzzCorpus.V3BinaryPayloads;

        // The other forms' payloads are seeds too: splices and mix-ups between forms are what a confused client sends.
        var mutator = new FuzzMutator([.. own, .. own, .. FuzzCorpus.V4Payloads, .. FuzzCorpus.V3TextPayloads, .. FuzzCorpus.V3BinaryPayloads], FuzzCorpus.EngineTokens);
        FuzzRunner.Run($"Payloads {formName}", 3_000, c => CheckPayload(c, form, mutator.Next(c.Random)), output.WriteLine,
            sweep: Truncations(own, (c, input) => CheckPayload(c, form, input)));
    }

    [Fact]
    public void Handshake_parses_or_fails_with_parse_error_and_round_trips()
    {
        FuzzRunner.Run("Handshake_ParsesOrFailsWithParseError_AndRoundTrips", 10_000,
            c => CheckHandshake(c, Handshakes.Next(c.Random)), output.WriteLine,
            sweep: Truncations(Handshakes.Seeds, CheckHandshake));
    }

    [Fact]
    public void Random_packet_lists_round_trip_through_every_payload_form_however_they_are_split_or_streamed()
    {
        FuzzRunner.Run("RandomPacketLists_RoundTripThroughEveryPayloadForm_HoweverTheyAreSplitOrStreamed", 500, c =>
        {
            EnginePacket[] packets = RandomPackets(c.Random, 1, 6);
            c.Input("packets", string.Join(" | ", packets.Select(p => $"{p} {Convert.ToHexString(p.Data.Span)}")));
            foreach (PayloadForm form in PayloadForm.All)
            {
                byte[] payload = form.Encode(packets);
                int[] ends = form.PacketEnds(packets, payload);
                Assert.Equal(packets, ReadAllFinal(payload, form.Reader));

                int first = c.Random.Next(payload.Length + 1);
                int second = c.Random.Next(first, payload.Length + 1);
                Assert.Equal(packets, ReadAllFinal(SequenceSplitter.SplitAt(payload, first, second), form.Reader));

                int[] cuts = Enumerable.Range(0, c.Random.Next(1, 5)).Select(_ => c.Random.Next(payload.Length + 1)).Order().ToArray();
                form.AssertStreams(payload, packets, ends, cuts);
            }
        }, output.WriteLine);
    }

    [Fact]
    public void Random_packets_round_trip_as_single_packets_and_WebSocket_frames()
    {
        FuzzRunner.Run("RandomPackets_RoundTripAsSinglePacketsAndWebSocketFrames", 2_000, c =>
        {
            EnginePacket packet = RandomPackets(c.Random, 1, 1)[0];
            c.Input("packet", $"{packet} {Convert.ToHexString(packet.Data.Span)}");
            foreach (EngineIOProtocol protocol in new[] { EngineIOProtocol.V3, EngineIOProtocol.V4 })
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
        }, output.WriteLine);
    }

    // ------------------------------------------------------------ properties

    private static void CheckTextPacket(FuzzCase c, byte[] input)
    {
        c.Input("text packet", input);
        foreach (EngineIOProtocol protocol in new[] { EngineIOProtocol.V4, EngineIOProtocol.V3 })
        {
            if (c.TryDecode($"DecodeTextPacket v{protocol}", input.Length, () => EngineIOCodec.DecodeTextPacket(input, protocol), out EnginePacket packet, ParseError))
            {
                c.Check(packet.IsBinary || packet.Data.Length == input.Length - 1, $"v{protocol}: the data of a text packet is everything after the type.");
                byte[] again = Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet, protocol));
                c.Check(EngineIOCodec.DecodeTextPacket(again, protocol) == packet, () => $"v{protocol}: {packet} re-encoded as {Bytes.ToHex(again)} decodes differently.");
            }
        }

        c.TryDecode("CountUtf16Units", input.Length, () => EngineIOCodec.CountUtf16Units(input), out int units);
        c.Check(units >= 0 && units <= input.Length * 2, $"CountUtf16Units gave {units} for {input.Length} bytes.");
    }

    private static void CheckBinaryFrame(FuzzCase c, byte[] input)
    {
        c.Input("binary frame", input);
        foreach (EngineIOProtocol protocol in new[] { EngineIOProtocol.V4, EngineIOProtocol.V3 })
        {
            if (c.TryDecode($"DecodeBinaryFrame v{protocol}", input.Length, () => EngineIOCodec.DecodeBinaryFrame(input, protocol), out EnginePacket packet, ParseError))
            {
                c.Check(packet.IsBinary && packet.Type == EnginePacketType.Message, $"v{protocol}: a binary frame decoded to {packet}.");
                var frame = new ArrayBufferWriter<byte>();
                c.Check(EngineIOCodec.WriteWebSocketFrame(frame, packet, protocol), $"v{protocol}: {packet} is not re-encoded as a binary frame.");
                c.Check(frame.WrittenSpan.SequenceEqual(input), () => $"v{protocol}: {packet} re-encoded as {Bytes.ToHex(frame.WrittenSpan)}.");
            }
        }
    }

    private static void CheckPayload(FuzzCase c, PayloadForm form, byte[] input)
    {
        c.Input($"{form} payload", input);
        bool decoded = c.TryDecode($"{form} payload", input.Length,
            () => ReadAll(new ReadOnlySequence<byte>(input), form.Reader, isFinalBlock: true, out ReadOnlySequence<byte> _), out List<EnginePacket>? packets, ParseError);

        // However the bytes are cut into segments, or streamed in chunks, the outcome is the same.
        string whole = Outcome(new ReadOnlySequence<byte>(input), form.Reader);
        int first = c.Random.Next(input.Length + 1);
        int second = c.Random.Next(first, input.Length + 1);
        string split = Outcome(SequenceSplitter.SplitAt(input, first, second), form.Reader);
        c.Check(whole == split, () => $"Split at {first}/{second}: {split}{Environment.NewLine}    whole: {whole}");
        if (input.Length <= 512)
        {
            string bytewise = Outcome(SequenceSplitter.OneBytePerSegment(input), form.Reader);
            c.Check(whole == bytewise, () => $"One byte per segment: {bytewise}{Environment.NewLine}    whole: {whole}");
        }

        int[] cuts = Enumerable.Range(0, c.Random.Next(1, 4)).Select(_ => c.Random.Next(input.Length + 1)).Order().ToArray();
        string streamed = StreamedOutcome(input, form.Reader, cuts);
        c.Check(Packets(whole) == Packets(streamed), () => $"Streamed in chunks ending at {string.Join(", ", cuts)}: {streamed}{Environment.NewLine}    whole: {whole}");

        // What decodes re-encodes to a payload that decodes to the same packets. The v3 text form counts lengths in
        // characters, so that holds for UTF-8 text only (the writers take text as UTF-8).
        if (decoded && (form != PayloadForm.V3Text || packets!.All(p => p.IsBinary || System.Text.Unicode.Utf8.IsValid(p.Data.Span))))
        {
            byte[] again = form.Encode([.. packets!]);
            List<EnginePacket> redecoded = ReadAllFinal(again, form.Reader);
            c.Check(redecoded.SequenceEqual(packets!), () => $"Re-encoded as {Bytes.ToHex(again)}, decodes to [{string.Join(", ", redecoded)}] instead of [{string.Join(", ", packets!)}].");
        }
    }

    private static void CheckHandshake(FuzzCase c, byte[] input)
    {
        c.Input("handshake", input);
        if (c.TryDecode("EngineHandshake.Parse", input.Length, () => EngineHandshake.Parse(input), out var handshake, ParseError))
        {
            var json = new ArrayBufferWriter<byte>();
            handshake.WriteJson(json);
            EngineHandshake again = EngineHandshake.Parse(json.WrittenSpan);
            c.Check(again.Sid == handshake.Sid && again.Upgrades.SequenceEqual(handshake.Upgrades) && again.PingInterval == handshake.PingInterval
                && again.PingTimeout == handshake.PingTimeout && again.MaxPayload == handshake.MaxPayload,
                $"{handshake} re-encoded as {Encoding.UTF8.GetString(json.WrittenSpan)} parses to {again}.");
        }
    }

    // ------------------------------------------------------------ helpers

    /// <summary>Every seed, whole and truncated at every offset: deterministic cases run before the random ones.</summary>
    private static IEnumerable<(string, Action<FuzzCase>)> Truncations(IReadOnlyList<byte[]> seeds, Action<FuzzCase, byte[]> check)
    {
        for (int s = 0; s < seeds.Count; s++)
        {
            byte[] seed = seeds[s];
            for (int length = seed.Length; length >= 0; length--)
            {
                byte[] input = seed[..length];
                yield return ($"seed {s} truncated to {length} of {seed.Length} bytes", c => check(c, input));
            }
        }
    }

    /// <summary>The packets decoded from a final block, then the parse error or what is left, as a comparable string.</summary>
    private static string Outcome(ReadOnlySequence<byte> payload, PacketReader reader)
    {
        var packets = new List<EnginePacket>();
        try
        {
            while (reader(ref payload, isFinalBlock: true, out EnginePacket packet))
            {
                packets.Add(packet);
            }

            return $"{Describe(packets)} => rest {payload.Length}";
        }
        catch (EngineIOParseException exception)
        {
            return $"{Describe(packets)} => error: {exception.Message}";
        }
    }

    /// <summary>Reads the payload as it arrives in chunks ending at <paramref name="cuts"/> (not final), then the end (final).</summary>
    private static string StreamedOutcome(byte[] input, PacketReader reader, int[] cuts)
    {
        var packets = new List<EnginePacket>();
        int consumed = 0;
        try
        {
            foreach (int cut in (int[])[.. cuts, input.Length])
            {
                bool isFinal = cut == input.Length;
                var buffer = new ReadOnlySequence<byte>(input, consumed, cut - consumed);
                while (reader(ref buffer, isFinal, out EnginePacket packet))
                {
                    packets.Add(packet);
                }

                consumed = cut - (int)buffer.Length;
                if (isFinal)
                {
                    return $"{Describe(packets)} => rest {buffer.Length}";
                }
            }

            throw new InvalidOperationException("unreachable");
        }
        catch (EngineIOParseException exception)
        {
            return $"{Describe(packets)} => error: {exception.Message}";
        }
    }

    /// <summary>The packets of an outcome, and whether it failed (streaming may fail with another message, never other packets).</summary>
    private static string Packets(string outcome) => outcome[..outcome.IndexOf(" => ", StringComparison.Ordinal)] + (outcome.Contains("=> error", StringComparison.Ordinal) ? " + error" : "");

    private static string Describe(List<EnginePacket> packets) => string.Join(" | ", packets.Select(p => $"{p} {Convert.ToHexString(p.Data.Span)}"));

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
