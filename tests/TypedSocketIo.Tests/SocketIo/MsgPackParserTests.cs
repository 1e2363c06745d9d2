using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>
/// <see cref="MsgPackSocketIoParser"/> against socket.io-msgpack-parser 3.0 in Node: packets encode
/// to the same bytes, each side decodes the other's, and both refuse the same malformed packets.
/// </summary>
public sealed class MsgPackParserTests(NotepackFixture node) : IClassFixture<NotepackFixture>
{
    /// <summary>Packets as our server and client send them, with the reference's map <c>{type, data, nsp, id?}</c>.</summary>
    public static IEnumerable<(string Name, SocketIoPacket Packet, string Reference)> Packets()
    {
        yield return ("connect with auth", new SocketIoPacket(SocketIoPacketType.Connect, "/", data: Utf8("{\"token\":\"abc\"}")), """{"type":0,"data":{"token":"abc"},"nsp":"/"}""");
        yield return ("connect without auth", new SocketIoPacket(SocketIoPacketType.Connect, "/admin"), """{"type":0,"nsp":"/admin"}""");
        yield return ("connect reply", new SocketIoPacket(SocketIoPacketType.Connect, "/", data: Utf8("{\"sid\":\"Xy1_-abc\"}")), """{"type":0,"data":{"sid":"Xy1_-abc"},"nsp":"/"}""");
        yield return ("connect error", new SocketIoPacket(SocketIoPacketType.ConnectError, "/admin", data: Utf8("{\"message\":\"not authorized\",\"data\":{\"code\":42}}")),
            """{"type":4,"data":{"message":"not authorized","data":{"code":42}},"nsp":"/admin"}""");
        yield return ("disconnect", new SocketIoPacket(SocketIoPacketType.Disconnect, "/admin"), """{"type":1,"nsp":"/admin"}""");
        yield return ("event", new SocketIoPacket(SocketIoPacketType.Event, "/", data: Utf8("[\"chat\",\"hi\",1,2.5,null,true,{\"a\":[]}]")),
            """{"type":2,"data":["chat","hi",1,2.5,null,true,{"a":[]}],"nsp":"/"}""");
        yield return ("event with ack id", new SocketIoPacket(SocketIoPacketType.Event, "/chat", 9007199254740991, Utf8("[\"q\"]")), """{"type":2,"data":["q"],"nsp":"/chat","id":9007199254740991}""");
        yield return ("binary event", new SocketIoPacket(SocketIoPacketType.BinaryEvent, "/", 3, Utf8("[\"up\",{\"_placeholder\":true,\"num\":0},{\"n\":{\"_placeholder\":true,\"num\":1}}]"), [new byte[] { 1, 2, 3 }, new byte[300]]),
            """{"type":2,"data":["up",{"$binary":"AQID"},{"n":{"$binary":"__300__"}}],"nsp":"/","id":3}""".Replace("__300__", Convert.ToBase64String(new byte[300])));
        yield return ("ack", new SocketIoPacket(SocketIoPacketType.Ack, "/", 0, Utf8("[]")), """{"type":3,"data":[],"nsp":"/","id":0}""");
        yield return ("binary ack", new SocketIoPacket(SocketIoPacketType.BinaryAck, "/ünï", 12, Utf8("[{\"_placeholder\":true,\"num\":0}]"), [new byte[] { 255 }]),
            """{"type":3,"data":[{"$binary":"/w=="}],"nsp":"/ünï","id":12}""");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Packets_encode_byte_for_byte_as_socket_io_msgpack_parser()
    {
        (string Name, SocketIoPacket Packet, string Reference)[] table = Packets().ToArray();
        string[] expected = await node.EncodePacketsAsync(table.Select(t => JsonNode.Parse(t.Reference)));
        for (int i = 0; i < table.Length; i++)
        {
            EnginePacket[] messages = MsgPackSocketIoParser.Instance.Encode(table[i].Packet);
            EnginePacket message = Assert.Single(messages);
            Assert.True(message.IsBinary);
            Assert.True(expected[i] == Convert.ToHexStringLower(message.Data.Span), $"{table[i].Name}: expected {expected[i]}, got {Convert.ToHexStringLower(message.Data.Span)}");
        }
    }

    [Fact]
    public async Task Each_side_decodes_the_packets_of_the_other()
    {
        (string Name, SocketIoPacket Packet, string Reference)[] table = Packets().ToArray();
        byte[][] ours = table.Select(t => MsgPackSocketIoParser.EncodePacket(t.Packet).ToArray()).ToArray();
        JsonElement[] decoded = await node.DecodePacketsAsync(ours);
        for (int i = 0; i < table.Length; i++)
        {
            Assert.True(decoded[i].TryGetProperty("packet", out JsonElement packet), $"{table[i].Name}: {decoded[i].GetRawText()}");
            Assert.Equal(Tagged.Compact(JsonNode.Parse(table[i].Reference)), Tagged.Compact(packet));

            SocketIoPacket back = MsgPackSocketIoParser.Instance.CreateDecoder().Add(EnginePacket.BinaryMessage(ours[i]))!;
            SocketIoPacketType type = table[i].Packet.Type switch
            {
                SocketIoPacketType.BinaryEvent => SocketIoPacketType.Event,
                SocketIoPacketType.BinaryAck => SocketIoPacketType.Ack,
                SocketIoPacketType t => t,
            };
            Assert.Equal(type, back.Type);
            Assert.Equal(table[i].Packet.Namespace, back.Namespace);
            Assert.Equal(table[i].Packet.Id, back.Id);
            Assert.Equal(Encoding.UTF8.GetString(table[i].Packet.Data.Span), Encoding.UTF8.GetString(back.Data.Span));
            Assert.Equal(table[i].Packet.Attachments.Select(a => a.ToArray()), back.Attachments.Select(a => a.ToArray()));
        }
    }

    [Fact]
    public async Task Packets_in_the_reference_servers_key_order_decode()
    {
        // As socket.io 4.8 builds them: CONNECT replies carry pid: undefined, acks start with their id,
        // clients without auth send data: undefined.
        string[] hex = await node.EncodePacketsAsync([
            JsonNode.Parse("""{"type":0,"data":{"sid":"abc","pid":{"$undefined":true}},"nsp":"/"}"""),
            JsonNode.Parse("""{"id":5,"type":3,"data":["x",{"$binary":"AQ=="}],"nsp":"/"}"""),
            JsonNode.Parse("""{"type":0,"data":{"$undefined":true},"nsp":"/admin"}"""),
            JsonNode.Parse("""{"type":2,"data":["e",{"$date":0}],"id":{"$undefined":true},"nsp":"/"}"""),
        ]);
        SocketIoPacket reply = MsgPackSocketIoParser.DecodePacket(Convert.FromHexString(hex[0]));
        Assert.Equal("{\"sid\":\"abc\"}", Encoding.UTF8.GetString(reply.Data.Span));
        SocketIoPacket ack = MsgPackSocketIoParser.DecodePacket(Convert.FromHexString(hex[1]));
        Assert.Equal((SocketIoPacketType.Ack, 5L, "[\"x\",{\"_placeholder\":true,\"num\":0}]"), (ack.Type, ack.Id!.Value, Encoding.UTF8.GetString(ack.Data.Span)));
        SocketIoPacket connect = MsgPackSocketIoParser.DecodePacket(Convert.FromHexString(hex[2]));
        Assert.Equal((SocketIoPacketType.Connect, "/admin", 0), (connect.Type, connect.Namespace, connect.Data.Length));
        SocketIoPacket dated = MsgPackSocketIoParser.DecodePacket(Convert.FromHexString(hex[3]));
        Assert.Equal(("[\"e\",\"1970-01-01T00:00:00Z\"]", (long?)null), (Encoding.UTF8.GetString(dated.Data.Span), dated.Id));
    }

    /// <summary>Malformed packets both parsers refuse (tagged reference packets, encoded by notepack).</summary>
    public static IEnumerable<(string Name, string Packet)> Invalid() =>
    [
        ("type 5", """{"type":5,"data":["a"],"nsp":"/"}"""),
        ("type 7", """{"type":7,"nsp":"/"}"""),
        ("negative type", """{"type":-1,"nsp":"/"}"""),
        ("type as a string", """{"type":"2","data":["a"],"nsp":"/"}"""),
        ("no type", """{"data":["a"],"nsp":"/"}"""),
        ("no namespace", """{"type":2,"data":["a"]}"""),
        ("namespace as a number", """{"type":2,"data":["a"],"nsp":1}"""),
        ("event data as an object", """{"type":2,"data":{"a":1},"nsp":"/"}"""),
        ("event without data", """{"type":2,"nsp":"/"}"""),
        ("ack data as a string", """{"type":3,"data":"a","nsp":"/","id":1}"""),
        ("connect data as an array", """{"type":0,"data":[1],"nsp":"/"}"""),
        ("connect data null", """{"type":0,"data":null,"nsp":"/"}"""),
        ("disconnect with data", """{"type":1,"data":{},"nsp":"/"}"""),
        ("connect error data as a number", """{"type":4,"data":1,"nsp":"/"}"""),
        ("id as a string", """{"type":2,"data":["a"],"nsp":"/","id":"1"}"""),
        ("id as a float", """{"type":2,"data":["a"],"nsp":"/","id":1.5}"""),
        ("id null", """{"type":2,"data":["a"],"nsp":"/","id":null}"""),
    ];

    [Fact]
    public async Task Malformed_packets_are_refused_by_both_parsers()
    {
        (string Name, string Packet)[] table = Invalid().ToArray();
        byte[][] bytes = (await node.RunAsync("encode", "values", table.Select(t => JsonNode.Parse(t.Packet))))
            .Select(r => Convert.FromHexString(r.GetProperty("hex").GetString()!)).ToArray();
        JsonElement[] reference = await node.DecodePacketsAsync(bytes);
        for (int i = 0; i < table.Length; i++)
        {
            Assert.True(reference[i].TryGetProperty("error", out _), $"{table[i].Name}: the reference accepted it: {reference[i].GetRawText()}");
            SocketIoParseException error = Assert.Throws<SocketIoParseException>(() => MsgPackSocketIoParser.DecodePacket(bytes[i]));
            Assert.False(string.IsNullOrEmpty(error.Message), table[i].Name);
        }
    }

    [Theory]
    [InlineData("""{"type":2,"data":["connect"],"nsp":"/"}""")] // reserved names, as the JSON parser
    [InlineData("""{"type":2,"data":["disconnecting",1],"nsp":"/"}""")]
    [InlineData("""{"type":2,"data":[],"nsp":"/"}""")]
    [InlineData("""{"type":2,"data":[true],"nsp":"/"}""")]
    [InlineData("""{"type":2,"data":["a"],"nsp":"/","id":-1}""")]
    [InlineData("""{"type":2,"data":["a"],"nsp":"/","id":9007199254740994}""")]
    public async Task The_rules_of_the_json_parser_apply_too(string packet)
    {
        byte[] bytes = Convert.FromHexString((await node.EncodeAsync([JsonNode.Parse(packet)]))[0]);
        Assert.Throws<SocketIoParseException>(() => MsgPackSocketIoParser.DecodePacket(bytes));
    }

    [Fact]
    public void Text_messages_trailing_bytes_and_other_roots_are_parse_errors()
    {
        ISocketIoDecoder decoder = MsgPackSocketIoParser.Instance.CreateDecoder();
        Assert.Contains("binary", Assert.Throws<SocketIoParseException>(() => decoder.Add(EnginePacket.TextMessage("2[\"a\"]"))).Message);
        byte[] valid = MsgPackSocketIoParser.EncodePacket(new SocketIoPacket(SocketIoPacketType.Event, "/", data: Utf8("[\"a\"]"))).ToArray();
        Assert.Contains("trailing", Assert.Throws<SocketIoParseException>(() => decoder.Add(EnginePacket.BinaryMessage(valid.Append((byte)0xc0).ToArray()))).Message);
        Assert.Throws<SocketIoParseException>(() => decoder.Add(EnginePacket.BinaryMessage(new byte[] { 0x92, 0x02, 0xa1, 0x61 })));
        Assert.Throws<SocketIoParseException>(() => decoder.Add(EnginePacket.BinaryMessage(Array.Empty<byte>())));
        Assert.NotNull(decoder.Add(EnginePacket.BinaryMessage(valid))); // and the decoder carries on
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused()
    {
        int depth = SocketIoMsgPack.MaxDepth + 1;
        byte[] data = [.. Enumerable.Repeat((byte)0x91, depth), 0x01];
        byte[] packet = [0x83, 0xa4, .. "type"u8, 0x02, 0xa4, .. "data"u8, 0x92, 0xa1, (byte)'e', .. data, 0xa3, .. "nsp"u8, 0xa1, (byte)'/'];
        Assert.Contains("deeper", Assert.Throws<SocketIoParseException>(() => MsgPackSocketIoParser.DecodePacket(packet)).Message);
        byte[] shallow = [0x83, 0xa4, .. "type"u8, 0x02, 0xa4, .. "data"u8, 0x92, 0xa1, (byte)'e', .. Enumerable.Repeat((byte)0x91, depth - 3), 0x01, 0xa3, .. "nsp"u8, 0xa1, (byte)'/'];
        Assert.Equal(SocketIoPacketType.Event, MsgPackSocketIoParser.DecodePacket(shallow).Type);
    }
}
