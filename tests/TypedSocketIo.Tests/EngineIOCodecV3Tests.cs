using System.Buffers;
using System.Text;
using TypedSocketIo.EngineIO;
using static TypedSocketIo.Tests.PacketReading;
using static TypedSocketIo.Tests.Samples;

namespace TypedSocketIo.Tests;

/// <summary>Engine.IO revision 3: "b4" base64, type-prefixed binary frames, and the two length-prefixed polling payloads.</summary>
public class EngineIOCodecV3Tests
{
    // ------------------------------------------------------------ single packets and WebSocket frames

    [Theory]
    [InlineData(EnginePacketType.Open, """{"sid":"abc"}""", """0{"sid":"abc"}""")]
    [InlineData(EnginePacketType.Close, null, "1")]
    [InlineData(EnginePacketType.Ping, "probe", "2probe")]
    [InlineData(EnginePacketType.Pong, "probe", "3probe")]
    [InlineData(EnginePacketType.Message, "hello", "4hello")]
    [InlineData(EnginePacketType.Message, "", "4")]
    [InlineData(EnginePacketType.Message, "中文😀", "4中文😀")]
    [InlineData(EnginePacketType.Upgrade, null, "5")]
    [InlineData(EnginePacketType.Noop, null, "6")]
    public void TextPacket_is_encoded_as_in_V4(EnginePacketType type, string? data, string wire)
    {
        EnginePacket packet = Text(type, data);

        Assert.Equal(wire, Encoding.UTF8.GetString(Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet, protocol: EngineIOProtocol.V3))));
        Assert.Equal(packet, EngineIOCodec.DecodeTextPacket(Bytes.Utf8(wire), protocol: EngineIOProtocol.V3));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "b4AQID")]
    [InlineData(new byte[0], "b4")]
    [InlineData(new byte[] { 0xFB, 0xEF, 0xFF }, "b4++//")]
    [InlineData(new byte[] { 0 }, "b4AA==")]
    public void Binary_message_in_text_context_is_B4_then_base64_and_decodes_back(byte[] data, string wire)
    {
        byte[] encoded = Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, Binary(data), protocol: EngineIOProtocol.V3));
        EnginePacket decoded = EngineIOCodec.DecodeTextPacket(Bytes.Utf8(wire), protocol: EngineIOProtocol.V3);

        Assert.Equal(wire, Encoding.UTF8.GetString(encoded));
        Assert.Equal(Binary(data), decoded);
    }

    [Theory]
    [InlineData("bAQID", "b4")]
    [InlineData("b", "b4")]
    [InlineData("b2AQID", "b4")]
    [InlineData("b4!!!!", "base64")]
    [InlineData("b4AQI", "base64")]
    [InlineData("", "empty")]
    [InlineData("8", "'8'")]
    public void DecodeTextPacket_V3_malformed_throws_parse_exception_saying_what_is_wrong(string wire, string mention)
    {
        AssertParseError(() => EngineIOCodec.DecodeTextPacket(Bytes.Utf8(wire), protocol: EngineIOProtocol.V3), mention);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 4, 1, 2, 3 })]
    [InlineData(new byte[0], new byte[] { 4 })]
    [InlineData(new byte[] { 4 }, new byte[] { 4, 4 })]
    [InlineData(new byte[] { 0xFF, 0 }, new byte[] { 4, 0xFF, 0 })]
    public void WebSocketFrame_binary_message_is_a_binary_frame_starting_with_the_message_type(byte[] data, byte[] frame)
    {
        var writer = new ArrayBufferWriter<byte>();

        bool isBinary = EngineIOCodec.WriteWebSocketFrame(writer, Binary(data), protocol: EngineIOProtocol.V3);
        EnginePacket decoded = EngineIOCodec.DecodeBinaryFrame(frame, protocol: EngineIOProtocol.V3);

        Assert.True(isBinary);
        Assert.Equal(frame, writer.WrittenSpan.ToArray());
        Assert.Equal(Binary(data), decoded);
    }

    [Fact]
    public void WebSocketFrame_text_packet_is_a_text_frame()
    {
        var writer = new ArrayBufferWriter<byte>();

        bool isBinary = EngineIOCodec.WriteWebSocketFrame(writer, Message("hello"), protocol: EngineIOProtocol.V3);

        Assert.False(isBinary);
        Assert.Equal("4hello", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(new byte[] { 2, 1 }, "type 2")]
    [InlineData(new byte[] { 0 }, "type 0")]
    [InlineData(new byte[] { (byte)'4', 1 }, "type 52")]
    [InlineData(new byte[0], "empty")]
    public void DecodeBinaryFrame_V3_whose_first_byte_is_not_the_message_type_throws_parse_exception(byte[] frame, string mention)
    {
        AssertParseError(() => EngineIOCodec.DecodeBinaryFrame(frame, protocol: EngineIOProtocol.V3), mention);
    }

    // ------------------------------------------------------------ UTF-16 length

    [Theory]
    [InlineData("", 0)]
    [InlineData("4hello", 6)]
    [InlineData("é", 1)]
    [InlineData("中文", 2)]
    [InlineData("😀", 2)]
    [InlineData("a😀b中c", 6)]
    [InlineData("\u0000\u007F\u0080\u07FF\u0800\uFFFF", 6)]
    public void CountUtf16Units_counts_like_JavaScript_string_length(string text, int expected)
    {
        Assert.Equal(text.Length, expected);
        Assert.Equal(expected, EngineIOCodec.CountUtf16Units(Bytes.Utf8(text)));
    }

    // ------------------------------------------------------------ text payload

    [Theory]
    [InlineData("empty list", "0:")]
    [InlineData("one message", "6:4hello")]
    [InlineData("two messages", "6:4hello6:4world")]
    [InlineData("text, binary, ping", "6:4hello6:b4AQID1:2")]
    [InlineData("every packet type", "14:0{\"sid\":\"abc\"}1:11:26:2probe6:3probe6:4hello1:51:6")]
    [InlineData("non-ASCII text", "3:4中文3:4😀1:42:b4")]
    [InlineData("accents and emoji mixed", "6:4hello2:4é7:4a😀b中c")]
    [InlineData("empty text and empty binary", "1:42:b41:4")]
    [InlineData("text of 12 and 100 units", "12:4hello world100:4{99x}")]
    [InlineData("binary of 11 bytes", "18:b4AQIDBAUGBwgJCgs=")]
    [InlineData("separator-like characters in text", "5:46:4a7:4b4AQID6:4bAQID3:40:")]
    public void TextPayload_encodes_to_the_reference_bytes_and_decodes_back(string caseName, string wire)
    {
        EnginePacket[] packets = PacketLists[caseName];
        wire = wire.Replace("{99x}", new string('x', 99), StringComparison.Ordinal);

        byte[] encoded = PayloadForm.V3Text.Encode(packets);

        Assert.Equal(wire, Encoding.UTF8.GetString(encoded));
        Assert.Equal(packets, ReadAllFinal(Bytes.Utf8(wire), V3Text));
    }

    [Fact]
    public void TextPayload_length_counts_UTF16_units_not_bytes()
    {
        byte[] encoded = PayloadForm.V3Text.Encode([Message("hello"), Message("é"), Message("😀")]);

        Assert.Equal("6:4hello2:4é3:4😀", Encoding.UTF8.GetString(encoded));
    }

    [Fact]
    public void TextPayload_single_binary_message_is_length_6_then_B4_base64()
    {
        Assert.Equal("6:b4AQID", Encoding.UTF8.GetString(PayloadForm.V3Text.Encode([Binary(1, 2, 3)])));
        Assert.Equal([Binary(1, 2, 3)], ReadAllFinal(Bytes.Utf8("6:b4AQID"), V3Text));
    }

    [Theory]
    [InlineData("0:")]
    [InlineData("0:0:")]
    [InlineData("0:6:4hello0:")]
    [InlineData("6:4hello0:0:")]
    [InlineData("00:6:4hello")]
    public void TextPayload_empty_segments_are_skipped(string wire)
    {
        List<EnginePacket> packets = ReadAllFinal(Bytes.Utf8(wire), V3Text);

        Assert.Equal(wire.Contains("hello", StringComparison.Ordinal) ? [Message("hello")] : (EnginePacket[])[], packets);
    }

    [Fact]
    public void TextPayload_empty_segments_are_skipped_wherever_the_sequence_is_split()
    {
        PayloadForm.V3Text.AssertSplitInvariant(Bytes.Utf8("0:6:4hello0:1:20:"), [Message("hello"), Text(EnginePacketType.Ping)], threeWay: true);
    }

    [Fact]
    public void TextPayload_leading_zeros_in_the_length_are_accepted()
    {
        Assert.Equal([Message("hello")], ReadAllFinal(Bytes.Utf8("06:4hello"), V3Text));
    }

    [Theory]
    [MemberData(nameof(Samples.PacketListNames), MemberType = typeof(Samples))]
    public void TextPayload_round_trips(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];

        Assert.Equal(packets, ReadAllFinal(PayloadForm.V3Text.Encode(packets), V3Text));
    }

    [Theory]
    [MemberData(nameof(Samples.PacketListNames), MemberType = typeof(Samples))]
    public void TextPayload_decodes_the_same_wherever_the_sequence_is_split(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];
        byte[] payload = PayloadForm.V3Text.Encode(packets);

        PayloadForm.V3Text.AssertSplitInvariant(payload, packets, threeWay: payload.Length <= 64);
    }

    [Theory]
    [MemberData(nameof(Samples.NonEmptyPacketListNames), MemberType = typeof(Samples))]
    public void TextPayload_streamed_returns_only_complete_packets_and_leaves_the_rest_unconsumed(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];

        PayloadForm.V3Text.AssertStreamsAtEverySplit(packets, threeWay: PayloadForm.V3Text.Encode(packets).Length <= 40);
    }

    [Fact]
    public void TextPayload_stream_ending_inside_a_multi_byte_character_waits_for_the_rest()
    {
        byte[] payload = Bytes.Utf8("6:4hello2:4é");
        var prefix = new ReadOnlySequence<byte>(payload.AsMemory(0, payload.Length - 1));

        List<EnginePacket> first = ReadAll(prefix, V3Text, isFinalBlock: false, out ReadOnlySequence<byte> rest);

        Assert.Equal([Message("hello")], first);
        Assert.Equal(Bytes.Hex("32 3A 34 C3"), rest.ToArray());
        List<EnginePacket> second = ReadAllFinal(SequenceSplitter.Create(rest.ToArray(), payload.AsMemory(payload.Length - 1)), V3Text);
        Assert.Equal([Message("é")], second);
    }

    [Theory]
    [InlineData("7:4hello")]
    [InlineData("6:4hel")]
    [InlineData("6:")]
    [InlineData("6")]
    [InlineData("12")]
    [InlineData("2:4\u00E9", 1)]
    [InlineData("3:4😀", 1)]
    [InlineData("3:4😀", 2)]
    [InlineData("3:4😀", 3)]
    public void TextPayload_incomplete_non_final_block_returns_false_and_consumes_nothing(string wire, int dropLastBytes = 0)
    {
        byte[] bytes = Bytes.Utf8(wire);
        var payload = new ReadOnlySequence<byte>(bytes.AsMemory(0, bytes.Length - dropLastBytes));
        long length = payload.Length;

        Assert.False(EngineIOCodec.TryReadV3TextPacket(ref payload, isFinalBlock: false, out _));
        Assert.Equal(length, payload.Length);
    }

    public static TheoryData<byte[], string> MalformedTextPayloads() => new()
    {
        { Bytes.Utf8("2:4😀"), "splits a character" },
        { Bytes.Utf8("1:😀"), "splits a character" },
        { Bytes.Utf8("6:4hello2:4😀6:4hello"), "splits a character" },
        { Bytes.Utf8("a:4hello"), "invalid length" },
        { Bytes.Utf8("6x:4hello"), "invalid length" },
        { Bytes.Utf8("-6:4hello"), "invalid length" },
        { Bytes.Utf8(" 6:4hello"), "invalid length" },
        { Bytes.Utf8("12345678901:4"), "invalid length" },
        { Bytes.Utf8(":4hello"), "missing length" },
        { Bytes.Utf8("6:4hello:"), "missing length" },
        { Bytes.Utf8("7:4hello"), "shorter than its length" },
        { Bytes.Utf8("100:4hello"), "shorter than its length" },
        { Bytes.Utf8("6:4hello3"), "inside a length" },
        { Bytes.Utf8("6"), "inside a length" },
        { Bytes.Utf8("1:7"), "'7'" },
        { Bytes.Utf8("6:4hello1:a"), "'a'" },
        { Bytes.Utf8("6:b4!!!!"), "base64" },
        { Bytes.Utf8("5:bAQID"), "b4" },
        { Bytes.Utf8("1:b"), "b4" },
        { Bytes.Hex("32 3A 34 80"), "UTF-8" },
        { Bytes.Hex("31 3A BF"), "UTF-8" },
    };

    [Theory]
    [MemberData(nameof(MalformedTextPayloads))]
    public void TextPayload_malformed_throws_parse_exception_saying_what_is_wrong(byte[] payload, string mention)
    {
        AssertParseError(() => ReadAllFinal(payload, V3Text), mention);
    }

    [Theory]
    [MemberData(nameof(MalformedTextPayloads))]
    public void TextPayload_malformed_is_rejected_wherever_the_sequence_is_split_or_streamed(byte[] payload, string mention)
    {
        AssertMalformedEverywhere(payload, V3Text, mention);
    }

    // ------------------------------------------------------------ binary payload

    [Theory]
    [InlineData("empty list", "")]
    [InlineData("one message", "00 06 FF 34 68 65 6C 6C 6F")]
    [InlineData("two messages", "00 06 FF 34 68 65 6C 6C 6F 00 06 FF 34 77 6F 72 6C 64")]
    [InlineData("text, binary, ping", "00 06 FF 34 68 65 6C 6C 6F 01 04 FF 04 01 02 03 00 01 FF 32")]
    [InlineData("every packet type", "00 01 04 FF 30 7B 22 73 69 64 22 3A 22 61 62 63 22 7D 00 01 FF 31 00 01 FF 32 00 06 FF 32 70 72 6F 62 65 00 06 FF 33 70 72 6F 62 65 00 06 FF 34 68 65 6C 6C 6F 00 01 FF 35 00 01 FF 36")]
    [InlineData("non-ASCII text", "00 07 FF 34 E4 B8 AD E6 96 87 00 05 FF 34 F0 9F 98 80 00 01 FF 34 01 01 FF 04")]
    [InlineData("empty text and empty binary", "00 01 FF 34 01 01 FF 04 00 01 FF 34")]
    [InlineData("text of 12 and 100 units", "00 01 02 FF 34 68 65 6C 6C 6F 20 77 6F 72 6C 64 00 01 00 00 FF 34 {99x78}")]
    [InlineData("binary of 11 bytes", "01 01 02 FF 04 01 02 03 04 05 06 07 08 09 0A 0B")]
    public void BinaryPayload_encodes_to_the_reference_bytes_and_decodes_back(string caseName, string hex)
    {
        EnginePacket[] packets = PacketLists[caseName];
        byte[] wire = Bytes.Hex(hex.Replace("{99x78}", string.Join(' ', Enumerable.Repeat("78", 99)), StringComparison.Ordinal));

        byte[] encoded = PayloadForm.V3Binary.Encode(packets);

        Assert.Equal(Bytes.ToHex(wire), Bytes.ToHex(encoded));
        Assert.Equal(packets, ReadAllFinal(wire, V3Binary));
    }

    [Fact]
    public void BinaryPayload_text_length_counts_UTF8_bytes()
    {
        // "4é" is 2 UTF-16 units but 3 UTF-8 bytes: the binary payload counts bytes.
        byte[] encoded = PayloadForm.V3Binary.Encode([Message("é")]);

        Assert.Equal("00 03 FF 34 C3 A9", Bytes.ToHex(encoded));
    }

    [Fact]
    public void BinaryPayload_binary_length_counts_the_type_byte()
    {
        Assert.Equal("01 04 FF 04 01 02 03", Bytes.ToHex(PayloadForm.V3Binary.Encode([Binary(1, 2, 3)])));
    }

    [Fact]
    public void BinaryPayload_large_binary_message_uses_one_byte_per_digit_of_its_length()
    {
        byte[] data = new byte[123_455];
        new Random(7).NextBytes(data);

        byte[] encoded = PayloadForm.V3Binary.Encode([Binary(data)]);

        Assert.Equal("01 01 02 03 04 05 06 FF 04", Bytes.ToHex(encoded.AsSpan(0, 9)));
        Assert.Equal(data, encoded.AsSpan(9).ToArray());
        Assert.Equal([Binary(data)], ReadAllFinal(encoded, V3Binary));
    }

    [Fact]
    public void TextPayload_large_text_message_has_a_decimal_length_of_several_digits()
    {
        string text = string.Concat(Enumerable.Repeat("中😀a", 10_000));

        byte[] encoded = PayloadForm.V3Text.Encode([Message(text)]);

        Assert.StartsWith("40001:4中😀a", Encoding.UTF8.GetString(encoded), StringComparison.Ordinal);
        Assert.Equal([Message(text)], ReadAllFinal(encoded, V3Text));
    }

    [Theory]
    [MemberData(nameof(Samples.PacketListNames), MemberType = typeof(Samples))]
    public void BinaryPayload_round_trips(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];

        Assert.Equal(packets, ReadAllFinal(PayloadForm.V3Binary.Encode(packets), V3Binary));
    }

    [Theory]
    [MemberData(nameof(Samples.PacketListNames), MemberType = typeof(Samples))]
    public void BinaryPayload_decodes_the_same_wherever_the_sequence_is_split(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];
        byte[] payload = PayloadForm.V3Binary.Encode(packets);

        PayloadForm.V3Binary.AssertSplitInvariant(payload, packets, threeWay: payload.Length <= 64);
    }

    [Theory]
    [MemberData(nameof(Samples.NonEmptyPacketListNames), MemberType = typeof(Samples))]
    public void BinaryPayload_streamed_returns_only_complete_packets_and_leaves_the_rest_unconsumed(string caseName)
    {
        EnginePacket[] packets = PacketLists[caseName];

        PayloadForm.V3Binary.AssertStreamsAtEverySplit(packets, threeWay: PayloadForm.V3Binary.Encode(packets).Length <= 40);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("00 06")]
    [InlineData("00 06 FF")]
    [InlineData("00 06 FF 34 68")]
    [InlineData("01 01 02 FF 04 01")]
    [InlineData("00 01 00 00 FF 34")]
    public void BinaryPayload_incomplete_non_final_block_returns_false_and_consumes_nothing(string hex)
    {
        var payload = new ReadOnlySequence<byte>(Bytes.Hex(hex));
        long length = payload.Length;

        Assert.False(EngineIOCodec.TryReadV3BinaryPacket(ref payload, isFinalBlock: false, out _));
        Assert.Equal(length, payload.Length);
    }

    [Fact]
    public void BinaryPayload_text_packet_holding_B4_base64_decodes_as_binary()
    {
        // The reference decodes each string of a binary payload with decodePacket, which knows "b4…".
        Assert.Equal([Binary(1, 2, 3)], ReadAllFinal(Bytes.Hex("00 06 FF 62 34 41 51 49 44"), V3Binary));
    }

    public static TheoryData<string, string> MalformedBinaryPayloads() => new()
    {
        { "02 01 FF 34", "kind 2" },
        { "FF 01 FF 34", "kind 255" },
        { "00 06 FF 34 68 65 6C 6C 6F 02 01 FF 34", "kind 2" },
        { "00 0A FF 34", "invalid length" },
        { "00 31 FF 34", "invalid length" },
        { "00 01 01 01 01 01 01 01 01 01 01 01 FF 34", "invalid length" },
        { "00 FF 34", "empty packet" },
        { "00 00 FF", "empty packet" },
        { "01 00 00 FF 04", "empty packet" },
        { "00 06 FF 34 68", "shorter than its length" },
        { "01 01 FF", "shorter than its length" },
        { "00 06 FF 34 68 65 6C 6C 6F 00 09 FF 34", "shorter than its length" },
        { "00 06", "inside a length" },
        { "00", "inside a length" },
        { "01 04 FF 02 01 02 03", "type 2" },
        { "01 01 FF 34", "type 52" },
        { "00 01 FF 37", "'7'" },
        { "00 05 FF 62 34 21 21 21", "base64" },
        { "00 04 FF 62 21 21 21", "b4" },
    };

    [Theory]
    [MemberData(nameof(MalformedBinaryPayloads))]
    public void BinaryPayload_malformed_throws_parse_exception_saying_what_is_wrong(string hex, string mention)
    {
        AssertParseError(() => ReadAllFinal(Bytes.Hex(hex), V3Binary), mention);
    }

    [Theory]
    [MemberData(nameof(MalformedBinaryPayloads))]
    public void BinaryPayload_malformed_is_rejected_wherever_the_sequence_is_split_or_streamed(string hex, string mention)
    {
        AssertMalformedEverywhere(Bytes.Hex(hex), V3Binary, mention);
    }

    // ------------------------------------------------------------ helpers

    private static void AssertMalformedEverywhere(byte[] payload, PacketReader reader, string mention)
    {
        foreach ((int _, int _, ReadOnlySequence<byte> sequence) in SequenceSplitter.AllThreeWaySplits(payload))
        {
            AssertParseError(() => ReadAllFinal(sequence, reader), mention);
        }

        for (int cut = 0; cut <= payload.Length; cut++)
        {
            AssertParseError(
                () =>
                {
                    ReadAll(new ReadOnlySequence<byte>(payload.AsMemory(0, cut)), reader, isFinalBlock: false, out ReadOnlySequence<byte> rest);
                    int consumed = cut - (int)rest.Length;
                    ReadAllFinal(SequenceSplitter.Create(payload.AsMemory(consumed, cut - consumed), payload.AsMemory(cut)), reader);
                },
                mention);
        }
    }
}
