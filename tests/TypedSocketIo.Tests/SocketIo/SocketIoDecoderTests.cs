using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>The stateful side of the decoder: binary packets completed by their attachments, and what may come when.</summary>
public class SocketIoDecoderTests
{
    [Fact]
    public void BinaryEvent_completes_only_when_the_last_attachment_arrives()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();

        Assert.Null(decoder.Add(Text($"53-[\"a\",{Placeholder(0)},{Placeholder(1)},{Placeholder(2)}]")));
        Assert.Null(decoder.Add(Binary(1)));
        Assert.Null(decoder.Add(Binary(2, 2)));
        SocketIoPacket? packet = decoder.Add(Binary(3, 3, 3));

        Assert.NotNull(packet);
        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal("/", packet.Namespace);
        Assert.Null(packet.Id);
        Assert.Equal($"[\"a\",{Placeholder(0)},{Placeholder(1)},{Placeholder(2)}]", Json(packet));
        AssertAttachments([[1], [2, 2], [3, 3, 3]], packet.Attachments);
    }

    [Fact]
    public void BinaryEvent_attachments_are_returned_in_arrival_order_whatever_the_placeholder_order()
    {
        // The placeholders are left as they are; attachment n is the n-th binary message.
        SocketIoPacket packet = Decode(Text($"52-[\"a\",{Placeholder(1)},{Placeholder(0)}]"), Binary(10), Binary(20));

        Assert.Equal($"[\"a\",{Placeholder(1)},{Placeholder(0)}]", Json(packet));
        AssertAttachments([[10], [20]], packet.Attachments);
        Assert.Equal(new byte[] { 20 }, EventArgs(packet).GetBytes(0).ToArray());
        Assert.Equal(new byte[] { 10 }, EventArgs(packet).GetBytes(1).ToArray());
    }

    [Fact]
    public void BinaryAck_with_namespace_and_id_decodes_to_an_ack()
    {
        SocketIoPacket packet = Decode(Text($"61-/admin,3[{Placeholder(0)}]"), Binary(0xDE, 0xAD));

        Assert.Equal(SocketIoPacketType.Ack, packet.Type);
        Assert.Equal("/admin", packet.Namespace);
        Assert.Equal(3, packet.Id);
        Assert.Equal($"[{Placeholder(0)}]", Json(packet));
        AssertAttachments([[0xDE, 0xAD]], packet.Attachments);
    }

    [Fact]
    public void BinaryEvent_with_namespace_and_id_decodes_to_an_event()
    {
        SocketIoPacket packet = Decode(Text($"51-/cool,23[\"a\",{Placeholder(0)}]"), Binary(Utf8("abc")));

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal("/cool", packet.Namespace);
        Assert.Equal(23, packet.Id);
    }

    [Fact]
    public void BinaryEvent_announcing_zero_attachments_is_a_plain_event_at_once()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();

        SocketIoPacket? packet = decoder.Add(Text("50-[\"a\",1]"));

        Assert.NotNull(packet);
        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Empty(packet.Attachments);
        // Nothing is pending afterwards: text is welcome, binary is not.
        Assert.NotNull(decoder.Add(Text("2[\"b\"]")));
        AssertParseError(() => decoder.Add(Binary(1)), "not reconstructing");
    }

    [Fact]
    public void BinaryEvent_announcing_zero_attachments_but_holding_a_placeholder_is_rejected()
    {
        // A placeholder whose num is out of range is an error; with 0 attachments every num is.
        AssertRejected($"50-[\"a\",{Placeholder(0)}]");
    }

    [Fact]
    public void Empty_attachment_is_kept()
    {
        SocketIoPacket packet = Decode(Text($"52-[\"a\",{Placeholder(0)},{Placeholder(1)}]"), Binary(), Binary(7));

        AssertAttachments([[], [7]], packet.Attachments);
    }

    [Fact]
    public void Attachments_beyond_those_announced_are_rejected()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        Assert.Null(decoder.Add(Text($"51-[\"a\",{Placeholder(0)}]")));
        Assert.NotNull(decoder.Add(Binary(1)));

        AssertParseError(() => decoder.Add(Binary(2)), "binary data when not reconstructing");
    }

    [Fact]
    public void Unused_attachment_is_accepted()
    {
        // socket.io-parser only checks that every placeholder has an attachment, not the converse.
        SocketIoPacket packet = Decode(Text("51-[\"hello\"]"), Binary(1));

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        AssertAttachments([[1]], packet.Attachments);
    }

    [Fact]
    public void Decoder_is_reusable_across_many_packets()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();

        for (int round = 0; round < 3; round++)
        {
            Assert.Equal("[\"t\"]", Json(Decode(decoder, [Text("2[\"t\"]")])));
            SocketIoPacket binary = Decode(decoder, [Text($"52-{round}[\"b\",{Placeholder(0)},{Placeholder(1)}]"), Binary((byte)round), Binary((byte)(round + 1))]);
            Assert.Equal(round, binary.Id);
            AssertAttachments([[(byte)round], [(byte)(round + 1)]], binary.Attachments);
            SocketIoPacket ack = Decode(decoder, [Text($"61-{round}[{Placeholder(0)}]"), Binary(9)]);
            Assert.Equal(SocketIoPacketType.Ack, ack.Type);
            AssertAttachments([[9]], ack.Attachments);
            Assert.Equal(SocketIoPacketType.Connect, Decode(decoder, [Text("0/x,{}")]).Type);
        }
    }

    [Fact]
    public void Decoders_keep_separate_state()
    {
        ISocketIoDecoder first = JsonSocketIoParser.Instance.CreateDecoder();
        ISocketIoDecoder second = JsonSocketIoParser.Instance.CreateDecoder();

        Assert.Null(first.Add(Text($"51-[\"a\",{Placeholder(0)}]")));
        Assert.NotNull(second.Add(Text("2[\"b\"]")));
        AssertParseError(() => second.Add(Binary(1)), "not reconstructing");
        SocketIoPacket? packet = first.Add(Binary(1));

        Assert.NotNull(packet);
        AssertAttachments([[1]], packet.Attachments);
    }

    [Fact]
    public void CreateDecoder_returns_a_new_decoder_each_time()
    {
        Assert.NotSame(JsonSocketIoParser.Instance.CreateDecoder(), JsonSocketIoParser.Instance.CreateDecoder());
    }

    [Fact]
    public void BinaryData_when_nothing_is_being_reconstructed_is_rejected()
    {
        AssertParseError(() => JsonSocketIoParser.Instance.CreateDecoder().Add(Binary(1, 2, 3)), "binary data when not reconstructing");
    }

    [Fact]
    public void TextData_while_reconstructing_is_rejected()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        Assert.Null(decoder.Add(Text($"52-[\"a\",{Placeholder(0)},{Placeholder(1)}]")));
        Assert.Null(decoder.Add(Binary(1)));

        AssertParseError(() => decoder.Add(Text("2[\"b\"]")), "text data while reconstructing");
        AssertParseError(() => decoder.Add(Text($"51-[\"c\",{Placeholder(0)}]")), "text data while reconstructing");
    }

    [Theory]
    [InlineData("{\"_placeholder\":true,\"num\":1}")]
    [InlineData("{\"_placeholder\":true,\"num\":2}")]
    [InlineData("{\"_placeholder\":true,\"num\":-1}")]
    [InlineData("{\"_placeholder\":true,\"num\":2147483648}")]
    [InlineData("{\"_placeholder\":true,\"num\":0.5}")]
    [InlineData("{\"_placeholder\":true}")]
    [InlineData("{\"_placeholder\":true,\"num\":null}")]
    [InlineData("{\"_placeholder\":true,\"num\":\"splice\"}")]
    [InlineData("{\"_placeholder\":true,\"num\":\"0\"}")]
    [InlineData("{\"_placeholder\":true,\"num\":[0]}")]
    [InlineData("{\"_placeholder\":true,\"num\":{}}")]
    public void Placeholder_without_a_valid_num_is_rejected_when_the_last_attachment_arrives(string placeholder)
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        Assert.Null(decoder.Add(Text($"51-[\"a\",{{\"deep\":[{placeholder}]}}]")));

        AssertParseError(() => decoder.Add(Binary(1)), "attachments");
    }

    [Theory]
    [InlineData("{\"_placeholder\":false,\"num\":5}")]
    [InlineData("{\"_placeholder\":\"true\",\"num\":5}")]
    [InlineData("{\"_placeholder\":1,\"num\":5}")]
    [InlineData("{\"num\":5}")]
    public void Objects_that_are_not_placeholders_are_left_alone(string value)
    {
        SocketIoPacket packet = Decode(Text($"51-[\"a\",{value},{Placeholder(0)}]"), Binary(1));

        Assert.Equal($"[\"a\",{value},{Placeholder(0)}]", Json(packet));
    }

    [Fact]
    public void Placeholder_in_a_plain_event_is_left_as_an_object()
    {
        // Like the reference: only binary packets have placeholders resolved.
        SocketIoPacket packet = Decode($"2[\"a\",{Placeholder(0)}]");

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Decoder_resumes_after_an_invalid_placeholder()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        Assert.Null(decoder.Add(Text($"51-[\"a\",{Placeholder(5)}]")));
        AssertParseError(() => decoder.Add(Binary(1)), "attachments");

        // The failed packet is dropped: no attachment is expected any more, and text decodes again.
        AssertParseError(() => decoder.Add(Binary(2)), "not reconstructing");
        Assert.Equal("[\"b\"]", Json(Decode(decoder, [Text("2[\"b\"]")])));
    }

    [Theory]
    [InlineData("2[")]
    [InlineData("7")]
    [InlineData("511-[\"a\"]")]
    [InlineData("2[\"connect\"]")]
    [InlineData("")]
    public void Decoder_resumes_after_a_rejected_text_message(string bad)
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        AssertParseError(() => decoder.Add(Text(bad)));

        Assert.Equal("[\"hello\"]", Json(Decode(decoder, [Text("2[\"hello\"]")])));
        Assert.NotNull(Decode(decoder, [Text($"51-[\"x\",{Placeholder(0)}]"), Binary(1)]));
    }

    [Fact]
    public void Ten_attachments_are_decoded()
    {
        var messages = new List<EnginePacket> { Text("510-[\"a\"," + string.Join(",", Enumerable.Range(0, 10).Select(Placeholder)) + "]") };
        messages.AddRange(Enumerable.Range(0, 10).Select(i => Binary((byte)i, (byte)i)));

        SocketIoPacket packet = Decode(JsonSocketIoParser.Instance.CreateDecoder(), messages);

        AssertAttachments(Enumerable.Range(0, 10).Select(i => new byte[] { (byte)i, (byte)i }).ToArray(), packet.Attachments);
    }

    [Fact]
    public void BinaryPacket_with_JSON_nested_deeper_than64_but_within_the_text_limit_decodes_like_the_text_form()
    {
        // The text form of this nesting (70 levels) decodes; the binary form must not fail differently.
        string nested = new string('[', 70) + new string(']', 70);
        Assert.NotNull(Decode($"2[\"a\",{nested}]"));

        SocketIoPacket? packet = AssertDecodesOrParseError(
            Text($"51-[\"a\",{new string('[', 70)}{Placeholder(0)}{new string(']', 70)}]"),
            Binary(1));
        Assert.NotNull(packet);
    }

    [Fact]
    public void BinaryPayload_large_attachment_is_kept_intact()
    {
        byte[] big = new byte[1 << 20];
        new Random(7).NextBytes(big);

        SocketIoPacket packet = Decode(Text($"51-[\"big\",{Placeholder(0)}]"), Binary(big));

        Assert.True(big.AsSpan().SequenceEqual(packet.Attachments[0].Span));
    }

    [Theory]
    [InlineData("2[\"\\ud83d\"]")]
    [InlineData("2[\"\\udc00x\"]")]
    [InlineData("2/admin,1[\"\\ud800\\ud800\",1]")]
    public void EventName_with_a_lone_surrogate_escape_is_an_ordinary_name(string wire)
    {
        // JavaScript writes and accepts such names; they cannot spell a reserved name.
        SocketIoPacket packet = Decode(wire);

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.StartsWith("\"\\ud", SocketIoJson.ReadEventName(packet.Data.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryEvent_with_a_lone_surrogate_escape_in_a_property_name_is_decoded()
    {
        SocketIoPacket packet = Decode(Text($"52-[\"a\",{{\"\\ud800\":1}},{{\"\\udc00\":2,\"_placeholder\":true,\"num\":1}},{Placeholder(0)}]"), Binary(1), Binary(2));

        AssertAttachments([[1], [2]], packet.Attachments);
        SocketIoArgs args = EventArgs(packet);
        Assert.False(args.IsBinary(0));
        Assert.True(args.IsBinary(1));
        Assert.Equal(new byte[] { 2 }, args.GetBytes(1).ToArray());
        SocketIoArgs.Reader reader = args.GetReader();
        reader.Skip();
        Assert.Equal(new byte[] { 2 }, reader.ReadBinary().ToArray());
    }

    [Fact]
    public void BinaryEvent_with_a_lone_surrogate_escape_in_a_placeholder_without_a_num_is_rejected()
    {
        AssertParseError(() => Decode(Text("51-[\"a\",{\"\\udc00\":0,\"_placeholder\":true}]"), Binary(1)), "attachments");
    }
}
