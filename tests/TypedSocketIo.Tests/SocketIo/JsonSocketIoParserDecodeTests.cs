using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>Decoding of single text messages: the header fields, and every way a message can be rejected.</summary>
public class JsonSocketIoParserDecodeTests
{
    [Theory]
    [InlineData("0", SocketIoPacketType.Connect, "/", null, "")]
    [InlineData("0{\"token\":\"x\"}", SocketIoPacketType.Connect, "/", null, "{\"token\":\"x\"}")]
    [InlineData("0/admin,{\"sid\":\"abc\"}", SocketIoPacketType.Connect, "/admin", null, "{\"sid\":\"abc\"}")]
    [InlineData("0/admin,", SocketIoPacketType.Connect, "/admin", null, "")]
    [InlineData("1", SocketIoPacketType.Disconnect, "/", null, "")]
    [InlineData("1/admin,", SocketIoPacketType.Disconnect, "/admin", null, "")]
    [InlineData("1/admin", SocketIoPacketType.Disconnect, "/admin", null, "")]
    [InlineData("2[\"a\",1,{\"b\":2}]", SocketIoPacketType.Event, "/", null, "[\"a\",1,{\"b\":2}]")]
    [InlineData("21[\"a\"]", SocketIoPacketType.Event, "/", 1L, "[\"a\"]")]
    [InlineData("2/admin,1[\"a\"]", SocketIoPacketType.Event, "/admin", 1L, "[\"a\"]")]
    [InlineData("2[1,\"a\"]", SocketIoPacketType.Event, "/", null, "[1,\"a\"]")]
    [InlineData("2[1.5]", SocketIoPacketType.Event, "/", null, "[1.5]")]
    [InlineData("2[\"Connect\"]", SocketIoPacketType.Event, "/", null, "[\"Connect\"]")]
    [InlineData("2[\"connection\"]", SocketIoPacketType.Event, "/", null, "[\"connection\"]")]
    [InlineData("2[\"\"]", SocketIoPacketType.Event, "/", null, "[\"\"]")]
    [InlineData("2[\"a\",\"connect\"]", SocketIoPacketType.Event, "/", null, "[\"a\",\"connect\"]")]
    [InlineData("2/a/b/c,[\"a\"]", SocketIoPacketType.Event, "/a/b/c", null, "[\"a\"]")]
    [InlineData("20[\"a\"]", SocketIoPacketType.Event, "/", 0L, "[\"a\"]")]
    [InlineData("2007[\"a\"]", SocketIoPacketType.Event, "/", 7L, "[\"a\"]")]
    [InlineData("29007199254740991[\"a\"]", SocketIoPacketType.Event, "/", 9007199254740991L, "[\"a\"]")]
    [InlineData("31[\"ok\"]", SocketIoPacketType.Ack, "/", 1L, "[\"ok\"]")]
    [InlineData("3/admin,0[]", SocketIoPacketType.Ack, "/admin", 0L, "[]")]
    [InlineData("3[null]", SocketIoPacketType.Ack, "/", null, "[null]")]
    [InlineData("4{\"message\":\"Invalid namespace\"}", SocketIoPacketType.ConnectError, "/", null, "{\"message\":\"Invalid namespace\"}")]
    [InlineData("4/random,{\"message\":\"Invalid namespace\"}", SocketIoPacketType.ConnectError, "/random", null, "{\"message\":\"Invalid namespace\"}")]
    [InlineData("4\"Unauthorized\"", SocketIoPacketType.ConnectError, "/", null, "\"Unauthorized\"")]
    [InlineData("4", SocketIoPacketType.ConnectError, "/", null, "")]
    [InlineData("50-[\"a\"]", SocketIoPacketType.Event, "/", null, "[\"a\"]")]
    [InlineData("50-/admin,4[\"a\"]", SocketIoPacketType.Event, "/admin", 4L, "[\"a\"]")]
    [InlineData("60-[]", SocketIoPacketType.Ack, "/", null, "[]")]
    [InlineData("60-/admin,3[\"x\"]", SocketIoPacketType.Ack, "/admin", 3L, "[\"x\"]")]
    [InlineData("2[\"é\",\"中文\",\"😀\"]", SocketIoPacketType.Event, "/", null, "[\"é\",\"中文\",\"😀\"]")]
    [InlineData("2/é中😀,[\"a\"]", SocketIoPacketType.Event, "/é中😀", null, "[\"a\"]")]
    [InlineData("2[\"a\"] \n", SocketIoPacketType.Event, "/", null, "[\"a\"] \n")]
    public void Decode_text_message_yields_the_header_fields_and_the_JSON(string wire, SocketIoPacketType type, string nsp, long? id, string json)
    {
        SocketIoPacket packet = Decode(wire);

        Assert.Equal(type, packet.Type);
        Assert.Equal(nsp, packet.Namespace);
        Assert.Equal(id, packet.Id);
        Assert.Equal(json, Json(packet));
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Decode_data_is_a_copy_not_a_view_of_the_message()
    {
        byte[] message = Utf8("2[\"abc\"]");
        SocketIoPacket packet = Decode(RawText(message));

        message[3] = (byte)'X';

        Assert.Equal("[\"abc\"]", Json(packet));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("7[\"a\"]")]
    [InlineData("8")]
    [InlineData("9")]
    [InlineData("999")]
    [InlineData("a")]
    [InlineData("A[\"a\"]")]
    [InlineData("/")]
    [InlineData("-1")]
    [InlineData(" 2[\"a\"]")]
    [InlineData("[\"a\"]")]
    [InlineData("{}")]
    public void Decode_unknown_type_is_rejected(string wire)
    {
        AssertRejected(wire, "type");
    }

    [Fact]
    public void Decode_empty_is_rejected()
    {
        AssertRejected("", "empty");
    }

    [Theory]
    [InlineData("5")]
    [InlineData("6")]
    [InlineData("5-[\"a\"]")]
    [InlineData("6-[\"a\"]")]
    [InlineData("5a-[\"a\"]")]
    [InlineData("5a-")]
    [InlineData("51[\"a\"]")]
    [InlineData("51")]
    [InlineData("61/admin,[\"a\"]")]
    [InlineData("5 1-[\"a\"]")]
    [InlineData("5+1-[\"a\"]")]
    [InlineData("5-1-[\"a\"]")]
    [InlineData("51.0-[\"a\"]")]
    [InlineData("5/admin,1-[\"a\"]")]
    [InlineData("599999999999999999999999-[\"a\"]")]
    public void Decode_illegal_attachments_is_rejected(string wire)
    {
        AssertRejected(wire, "attachments");
    }

    [Theory]
    [InlineData("511-[\"a\"]")]
    [InlineData("611-[\"a\"]")]
    [InlineData("5100-[\"a\"]")]
    [InlineData("52147483647-[\"a\"]")]
    public void Decode_more_attachments_than_the_default_limit_of10_is_rejected(string wire)
    {
        AssertRejected(wire, "too many attachments");
    }

    [Fact]
    public void Decode_ten_attachments_is_the_default_limit()
    {
        Assert.Equal(10, JsonSocketIoParser.Instance.MaxAttachments);
        Assert.Equal(10, new JsonSocketIoParser().MaxAttachments);
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        Assert.Null(decoder.Add(Text("510-[\"a\"]")));
    }

    [Fact]
    public void Decode_custom_max_attachments_is_enforced()
    {
        var parser = new JsonSocketIoParser(maxAttachments: 2);
        Assert.Equal(2, parser.MaxAttachments);

        Assert.Null(parser.CreateDecoder().Add(Text("52-[\"a\"]")));
        AssertParseError(() => parser.CreateDecoder().Add(Text("53-[\"a\"]")), "too many attachments");
    }

    [Fact]
    public void Decode_max_attachments_zero_rejects_every_attachment_but_allows_the_zero_form()
    {
        var parser = new JsonSocketIoParser(maxAttachments: 0);

        AssertParseError(() => parser.CreateDecoder().Add(Text("51-[\"a\"]")), "too many attachments");
        Assert.Equal(SocketIoPacketType.Event, Decode(parser.CreateDecoder(), [Text("50-[\"a\"]")]).Type);
    }

    [Theory]
    [InlineData("2[\"a\"")]
    [InlineData("2[a]")]
    [InlineData("2[\"a\",]")]
    [InlineData("2['a']")]
    [InlineData("2[\"a\",NaN]")]
    [InlineData("2[\"a\",undefined]")]
    [InlineData("2[\"a\",Infinity]")]
    [InlineData("2[\"a\",01]")]
    [InlineData("2[\"a\" /* c */]")]
    [InlineData("2[\"a\",{\"b\":}]")]
    [InlineData("2[\"a\",{b:1}]")]
    [InlineData("2[\"a\",\"\\x41\"]")]
    [InlineData("2[\"a\",\"line\nbreak\"]")]
    [InlineData("0{'a':1}")]
    [InlineData("0{")]
    [InlineData("4\"unterminated")]
    [InlineData("2/admin,\"invalid")]
    [InlineData("442[\"some\",\"data\"")]
    [InlineData("3[")]
    [InlineData("51-[\"a\",{\"_placeholder\":true,\"num\":0}")]
    public void Decode_invalid_JSON_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("2[\"a\"]x")]
    [InlineData("2[\"a\"][\"b\"]")]
    [InlineData("2[\"a\"],")]
    [InlineData("2[\"a\"] 1")]
    [InlineData("2[\"a\"]]")]
    [InlineData("0{}{}")]
    [InlineData("0{}}")]
    [InlineData("4\"x\"\"y\"")]
    [InlineData("31[\"ok\"]garbage")]
    [InlineData("51-[\"a\",{\"_placeholder\":true,\"num\":0}]x")]
    public void Decode_trailing_garbage_after_the_JSON_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("0\"x\"")]
    [InlineData("0[]")]
    [InlineData("0null")]
    [InlineData("0true")]
    [InlineData("0-1")]
    [InlineData("0/admin,\"invalid\"")]
    [InlineData("0/admin,[]")]
    public void Decode_connect_payload_not_an_object_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("1{}")]
    [InlineData("1[]")]
    [InlineData("1\"x\"")]
    [InlineData("1null")]
    [InlineData("1/admin,{}")]
    [InlineData("1/admin,[\"a\"]")]
    public void Decode_disconnect_with_a_payload_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("4[]")]
    [InlineData("4[\"a\"]")]
    [InlineData("4true")]
    [InlineData("4null")]
    [InlineData("4-1")]
    [InlineData("4/admin,[]")]
    public void Decode_connect_error_payload_not_a_string_or_object_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("2{}")]
    [InlineData("2\"a\"")]
    [InlineData("2null")]
    [InlineData("2-5")]
    [InlineData("2/admin,\"invalid\"")]
    [InlineData("2/admin,{}")]
    [InlineData("2{\"toString\":\"foo\"}")]
    [InlineData("51-{\"a\":{\"_placeholder\":true,\"num\":0}}")]
    public void Decode_event_payload_not_an_array_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("2[]")]
    [InlineData("21[]")]
    [InlineData("2/admin,1[]")]
    [InlineData("51-[]")]
    public void Decode_event_with_an_empty_array_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("2[true,\"foo\"]")]
    [InlineData("2[false]")]
    [InlineData("2[null,\"bar\"]")]
    [InlineData("2[{\"toString\":\"foo\"}]")]
    [InlineData("2[[\"a\"]]")]
    [InlineData("2[{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("51-[{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("51-[null,{\"_placeholder\":true,\"num\":0}]")]
    public void Decode_event_name_not_a_string_or_number_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    public static TheoryData<string> ReservedEventNames() =>
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    [Theory]
    [MemberData(nameof(ReservedEventNames))]
    public void Decode_reserved_event_name_is_rejected(string name)
    {
        Assert.Contains(name, JsonSocketIoParser.ReservedEvents);
        AssertRejected($"2[\"{name}\"]");
        AssertRejected($"2[\"{name}\",\"123\"]");
        AssertRejected($"2/admin,12[\"{name}\",{{}}]");
        AssertRejected($"51-[\"{name}\",{Placeholder(0)}]");
        AssertRejected($"50-/admin,[\"{name}\"]");
    }

    [Fact]
    public void ReservedEvents_are_exactly_the_reference_ones()
    {
        Assert.Equal(
            ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"],
            JsonSocketIoParser.ReservedEvents.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("2[\"CONNECT\"]")]
    [InlineData("2[\"connect \"]")]
    [InlineData("2[\"newlistener\"]")]
    [InlineData("2[\"disconnected\"]")]
    public void Decode_names_close_to_reserved_ones_are_accepted(string wire)
    {
        Assert.Equal(SocketIoPacketType.Event, Decode(wire).Type);
    }

    [Theory]
    [InlineData("31{\"a\":1}")]
    [InlineData("31\"ok\"")]
    [InlineData("3null")]
    [InlineData("3/admin,1{}")]
    [InlineData("61-1{\"a\":{\"_placeholder\":true,\"num\":0}}")]
    public void Decode_ack_payload_not_an_array_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("21")]
    [InlineData("2/admin,")]
    [InlineData("2/admin,1")]
    [InlineData("2/admin")]
    [InlineData("2/admin[\"a\"]")]
    [InlineData("3")]
    [InlineData("31")]
    [InlineData("3/admin,")]
    [InlineData("51-")]
    [InlineData("51-1")]
    [InlineData("61-/admin,3")]
    [InlineData("50-")]
    [InlineData("60-")]
    public void Decode_event_or_ack_without_payload_is_rejected(string wire)
    {
        AssertRejected(wire, "payload");
    }

    [Theory]
    [InlineData("29007199254740993[\"a\"]")]
    [InlineData("29007199254740994[\"a\"]")]
    [InlineData("39999999999999999[\"ok\"]")]
    [InlineData("399999999999999999999999999999[\"ok\"]")]
    [InlineData("2/admin,18446744073709551616[\"a\"]")]
    public void Decode_huge_ack_id_is_rejected(string wire)
    {
        AssertRejected(wire, "id");
    }

    [Theory]
    [InlineData("2-1[\"a\"]")]
    [InlineData("2+1[\"a\"]")]
    [InlineData("21.5[\"a\"]")]
    [InlineData("21e3[\"a\"]")]
    [InlineData("2 1[\"a\"]")]
    [InlineData("20x1[\"a\"]")]
    [InlineData("2١[\"a\"]")]
    [InlineData("2１[\"a\"]")]
    public void Decode_ack_id_with_anything_but_ASCII_digits_is_rejected(string wire)
    {
        AssertRejected(wire);
    }

    [Fact]
    public void Decode_JSON_nested_beyond_the_default_max_depth_is_rejected()
    {
        string wire = "2[\"a\"," + new string('[', 1000) + new string(']', 1000) + "]";
        AssertRejected(wire);
    }

    [Fact]
    public void Decode_invalid_UTF8_in_the_namespace_is_rejected()
    {
        byte[] wire = [(byte)'2', (byte)'/', 0xFF, (byte)',', (byte)'[', (byte)'"', (byte)'a', (byte)'"', (byte)']'];
        AssertParseError(() => JsonSocketIoParser.Instance.CreateDecoder().Add(RawText(wire)), "UTF-8");
    }

    [Fact]
    public void Decode_byte_order_mark_before_the_JSON_is_rejected()
    {
        byte[] wire = [(byte)'2', 0xEF, 0xBB, 0xBF, (byte)'[', (byte)'1', (byte)']'];
        AssertParseError(() => JsonSocketIoParser.Instance.CreateDecoder().Add(RawText(wire)));
    }

    [Fact]
    public void Decode_event_name_with_a_lone_surrogate_escape_decodes_or_is_rejected_as_a_parse_error()
    {
        // Valid JSON (JSON.parse reads it, and socket.io-parser 4.2.7 decodes it as an event named "\ud800").
        AssertDecodesOrParseError(Text("2[\"\\ud800\"]"));
    }

    [Fact]
    public void Decode_event_name_with_invalid_UTF8_decodes_or_is_rejected_as_a_parse_error()
    {
        byte[] wire = [(byte)'2', (byte)'[', (byte)'"', 0xFF, (byte)'"', (byte)']'];
        AssertDecodesOrParseError(RawText(wire));
    }

    [Fact]
    public void Decode_error_messages_are_not_empty()
    {
        foreach (string wire in new[] { "", "7", "5", "511-[\"a\"]", "2[", "2[\"a\"]x", "0[]", "1{}", "4[]", "2[]", "2[\"connect\"]", "3{}", "2", "29007199254740993[\"a\"]" })
        {
            AssertRejected(wire);
        }
    }

    [Fact]
    public void DecodeText_binary_header_reports_the_announced_attachments()
    {
        (SocketIoPacket packet, int attachments) = JsonSocketIoParser.DecodeText(Utf8($"62-/admin,3[{Placeholder(0)},{Placeholder(1)}]"));

        Assert.Equal(2, attachments);
        Assert.Equal(SocketIoPacketType.BinaryAck, packet.Type);
        Assert.Equal("/admin", packet.Namespace);
        Assert.Equal(3, packet.Id);
        Assert.Equal($"[{Placeholder(0)},{Placeholder(1)}]", Json(packet));
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void DecodeText_max_attachments_argument_is_enforced()
    {
        Assert.Equal(3, JsonSocketIoParser.DecodeText(Utf8("53-[\"a\"]"), maxAttachments: 3).Attachments);
        AssertParseError(() => JsonSocketIoParser.DecodeText(Utf8("54-[\"a\"]"), maxAttachments: 3), "too many attachments");
    }

    [Fact]
    public void DecodeText_zero_attachments_is_a_plain_event_or_ack()
    {
        Assert.Equal((SocketIoPacketType.Event, 0), Shape(JsonSocketIoParser.DecodeText(Utf8("50-[\"a\"]"))));
        Assert.Equal((SocketIoPacketType.Ack, 0), Shape(JsonSocketIoParser.DecodeText(Utf8("60-[]"))));

        static (SocketIoPacketType, int) Shape((SocketIoPacket Packet, int Attachments) decoded) => (decoded.Packet.Type, decoded.Attachments);
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData(5, 5)]
    public void Payloads_nest_up_to_the_parser_MaxDepth_and_deeper_ones_are_parse_errors(int? configured, int limit)
    {
        JsonSocketIoParser parser = configured is int depth ? new JsonSocketIoParser(maxDepth: depth) : JsonSocketIoParser.Instance;
        static byte[] Event(int depth) => Utf8("2[\"e\"," + new string('[', depth - 1) + new string(']', depth - 1) + "]");

        ISocketIoDecoder decoder = parser.CreateDecoder();
        Assert.NotNull(decoder.Add(TypedSocketIo.EngineIO.EnginePacket.TextMessage(System.Text.Encoding.UTF8.GetString(Event(limit)))));
        Assert.Throws<SocketIoParseException>(() => parser.CreateDecoder().Add(TypedSocketIo.EngineIO.EnginePacket.TextMessage(System.Text.Encoding.UTF8.GetString(Event(limit + 1)))));
    }

    [Fact]
    public void A_payload_nested_a_hundred_thousand_deep_is_a_parse_error_not_a_crash()
    {
        byte[] deep = Utf8("2[\"e\"," + new string('[', 100_000) + new string(']', 100_000) + "]");
        Assert.Throws<SocketIoParseException>(() => JsonSocketIoParser.DecodeText(deep));
    }
}
