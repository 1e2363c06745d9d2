using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>Encoding: <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;nsp&gt;,][&lt;id&gt;][&lt;json&gt;]</c>, then one binary message per attachment.</summary>
public class JsonSocketIoParserEncodeTests
{
    private static string[] Encode(SocketIoPacketType type, string nsp = "/", long? id = null, string? json = null, params byte[][] attachments) =>
        Describe(JsonSocketIoParser.Instance.Encode(new SocketIoPacket(
            type, nsp, id, json is null ? default : Utf8(json), attachments.Select(a => (ReadOnlyMemory<byte>)a).ToArray())));

    [Theory]
    [InlineData(SocketIoPacketType.Connect, "/", null, null, "0")]
    [InlineData(SocketIoPacketType.Connect, "/", null, "{\"token\":\"x\"}", "0{\"token\":\"x\"}")]
    [InlineData(SocketIoPacketType.Connect, "/admin", null, "{\"sid\":\"abc\"}", "0/admin,{\"sid\":\"abc\"}")]
    [InlineData(SocketIoPacketType.Connect, "/admin", null, null, "0/admin,")]
    [InlineData(SocketIoPacketType.Disconnect, "/", null, null, "1")]
    [InlineData(SocketIoPacketType.Disconnect, "/admin", null, null, "1/admin,")]
    [InlineData(SocketIoPacketType.Event, "/", null, "[\"a\",1,{\"b\":2}]", "2[\"a\",1,{\"b\":2}]")]
    [InlineData(SocketIoPacketType.Event, "/", 1L, "[\"a\"]", "21[\"a\"]")]
    [InlineData(SocketIoPacketType.Event, "/admin", 1L, "[\"a\"]", "2/admin,1[\"a\"]")]
    [InlineData(SocketIoPacketType.Event, "/", 0L, "[\"a\"]", "20[\"a\"]")]
    [InlineData(SocketIoPacketType.Event, "/", 9007199254740991L, "[\"a\"]", "29007199254740991[\"a\"]")]
    [InlineData(SocketIoPacketType.Ack, "/", 1L, "[\"ok\"]", "31[\"ok\"]")]
    [InlineData(SocketIoPacketType.Ack, "/admin", 7L, "[]", "3/admin,7[]")]
    [InlineData(SocketIoPacketType.ConnectError, "/", null, "{\"message\":\"Invalid namespace\"}", "4{\"message\":\"Invalid namespace\"}")]
    [InlineData(SocketIoPacketType.ConnectError, "/random", null, "{\"message\":\"Invalid namespace\"}", "4/random,{\"message\":\"Invalid namespace\"}")]
    [InlineData(SocketIoPacketType.ConnectError, "/", null, "\"Unauthorized\"", "4\"Unauthorized\"")]
    [InlineData(SocketIoPacketType.Event, "/é中😀", null, "[\"é\",\"中文\",\"😀\"]", "2/é中😀,[\"é\",\"中文\",\"😀\"]")]
    public void Encode_text_packet_is_one_text_message(SocketIoPacketType type, string nsp, long? id, string? json, string expected)
    {
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(type, nsp, id, json is null ? default : Utf8(json)));

        EnginePacket message = Assert.Single(messages);
        Assert.Equal(EnginePacketType.Message, message.Type);
        Assert.False(message.IsBinary);
        Assert.Equal(expected, message.Text);
    }

    [Fact]
    public void Encode_event_with_attachments_is_a_binary_event_followed_by_one_binary_message_each()
    {
        Assert.Equal(
            ["51-[\"a\",{\"_placeholder\":true,\"num\":0}]", Hex(1, 2, 3)],
            Encode(SocketIoPacketType.Event, json: $"[\"a\",{Placeholder(0)}]", attachments: [[1, 2, 3]]));
    }

    [Fact]
    public void Encode_ack_with_attachments_is_a_binary_ack()
    {
        Assert.Equal(
            ["61-/admin,3[{\"_placeholder\":true,\"num\":0}]", Hex(0xFF)],
            Encode(SocketIoPacketType.Ack, "/admin", 3, $"[{Placeholder(0)}]", [0xFF]));
    }

    [Fact]
    public void Encode_several_attachments_are_sent_in_order()
    {
        Assert.Equal(
            [$"53-/n,5[\"a\",{Placeholder(0)},{Placeholder(1)},{Placeholder(2)}]", Hex(1), "<>", Hex(3, 3)],
            Encode(SocketIoPacketType.Event, "/n", 5, $"[\"a\",{Placeholder(0)},{Placeholder(1)},{Placeholder(2)}]", [1], [], [3, 3]));
    }

    [Fact]
    public void Encode_binary_types_with_attachments_keep_their_type()
    {
        Assert.Equal(["51-[\"a\"]", Hex(1)], Encode(SocketIoPacketType.BinaryEvent, json: "[\"a\"]", attachments: [[1]]));
        Assert.Equal(["61-[\"a\"]", Hex(1)], Encode(SocketIoPacketType.BinaryAck, json: "[\"a\"]", attachments: [[1]]));
    }

    [Fact]
    public void Encode_binary_type_without_attachments_announces_zero_and_decodes_as_a_plain_packet()
    {
        string[] wire = Encode(SocketIoPacketType.BinaryEvent, json: "[\"a\"]");
        Assert.Equal(["50-[\"a\"]"], wire);
        Assert.Equal(SocketIoPacketType.Event, Decode(wire[0]).Type);

        Assert.Equal(["60-/x,1[]"], Encode(SocketIoPacketType.BinaryAck, "/x", 1, "[]"));
    }

    [Theory]
    [InlineData(SocketIoPacketType.Connect)]
    [InlineData(SocketIoPacketType.Disconnect)]
    [InlineData(SocketIoPacketType.ConnectError)]
    public void Encode_attachments_on_a_packet_that_cannot_carry_them_is_rejected(SocketIoPacketType type)
    {
        var packet = new SocketIoPacket(type, data: Utf8("{}"), attachments: [new byte[] { 1 }]);

        Assert.Throws<ArgumentException>(() => JsonSocketIoParser.Instance.Encode(packet));
    }

    [Fact]
    public void Encode_attachment_messages_share_nothing_with_each_other()
    {
        byte[] first = [1, 2];
        byte[] second = [3, 4];
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Event,
            data: Utf8($"[\"a\",{Placeholder(0)},{Placeholder(1)}]"), attachments: [first, second]));

        Assert.Equal(3, messages.Length);
        Assert.True(messages[1].IsBinary);
        Assert.True(messages[2].IsBinary);
        Assert.Equal(first, messages[1].Data.ToArray());
        Assert.Equal(second, messages[2].Data.ToArray());
    }

    [Fact]
    public void Packet_defaults()
    {
        var packet = new SocketIoPacket(SocketIoPacketType.Connect);

        Assert.Equal("/", packet.Namespace);
        Assert.Null(packet.Id);
        Assert.True(packet.Data.IsEmpty);
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Packet_to_string_looks_like_the_wire_form()
    {
        Assert.Equal("2/admin,1[\"a\"]", new SocketIoPacket(SocketIoPacketType.Event, "/admin", 1, Utf8("[\"a\"]")).ToString());
        Assert.Equal("0", new SocketIoPacket(SocketIoPacketType.Connect).ToString());
        Assert.Contains("2 attachment", new SocketIoPacket(SocketIoPacketType.Event, data: Utf8("[\"a\"]"), attachments: [new byte[1], new byte[1]]).ToString());
    }

    public static TheoryData<SocketIoPacketType, string, long?, string?> RoundTripCases() => new()
    {
        { SocketIoPacketType.Connect, "/", null, null },
        { SocketIoPacketType.Connect, "/woot", null, "{\"token\":\"123\"}" },
        { SocketIoPacketType.Disconnect, "/", null, null },
        { SocketIoPacketType.Disconnect, "/admin", null, null },
        { SocketIoPacketType.Event, "/", null, "[\"a\",1,{}]" },
        { SocketIoPacketType.Event, "/test", 1L, "[\"a\",1,{}]" },
        { SocketIoPacketType.Event, "/", 9007199254740991L, "[1,\"a\"]" },
        { SocketIoPacketType.Ack, "/", 123L, "[\"a\",1,{}]" },
        { SocketIoPacketType.Ack, "/x", 0L, "[]" },
        { SocketIoPacketType.ConnectError, "/", null, "\"Unauthorized\"" },
        { SocketIoPacketType.ConnectError, "/random", null, "{\"message\":\"Invalid namespace\"}" },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void EncodeThenDecode_gives_the_packet_back(SocketIoPacketType type, string nsp, long? id, string? json)
    {
        var packet = new SocketIoPacket(type, nsp, id, json is null ? default : Utf8(json));

        SocketIoPacket decoded = Decode(JsonSocketIoParser.Instance.Encode(packet));

        Assert.Equal(type, decoded.Type);
        Assert.Equal(nsp, decoded.Namespace);
        Assert.Equal(id, decoded.Id);
        Assert.Equal(json ?? "", Json(decoded));
        Assert.Empty(decoded.Attachments);
    }
}
