using System.Buffers;
using System.Text;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Testing.Fuzz;

/// <summary>
/// The seed corpus: valid inputs of every format we decode, built in code (so they stay valid as the encoders
/// change), and the tokens of each format the mutators insert.
/// </summary>
public static class FuzzCorpus
{
    public const string HandshakeJson = """{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""";

    public static string Placeholder(int num) => $"{{\"_placeholder\":true,\"num\":{num}}}";

    /// <summary>Socket.IO packets as their text message (the Engine.IO message data) and how many attachments follow.</summary>
    public static readonly IReadOnlyList<(string Text, int Attachments)> SocketIoPackets =
    [
        ("0", 0), ("0{\"token\":\"x\"}", 0), ("0/admin,{\"sid\":\"abc\"}", 0), ("0/admin,", 0), ("0/custom?token=abc,", 0),
        ("1", 0), ("1/admin,", 0),
        ("2[\"a\",1,{\"b\":2}]", 0), ("21[\"a\"]", 0), ("2/admin,1[\"a\"]", 0), ("2[\"message\",\"hello\"]", 0),
        ("2[\"中文\",\"😀\",null,true,false,1.5e3,-0,{\"a\":[[]]}]", 0), ("2[1,2]", 0), ("2[\"\\ud83d\\ude00\",\"\\u0000\"]", 0),
        ("2[\"echo\",{\"n\":9007199254740991,\"f\":-1.25e-3,\"s\":\"x\\\"y\"}]", 0), ("2[\"b64\",\"AQID\"]", 0),
        ("31[\"ok\"]", 0), ("3/admin,12[]", 0), ("30[null]", 0),
        ("4{\"message\":\"Invalid namespace\"}", 0), ("4/random,{\"message\":\"x\",\"data\":{\"a\":1}}", 0), ("4\"not authorized\"", 0),
        ($"51-[\"a\",{Placeholder(0)}]", 1), ($"61-/admin,3[{Placeholder(0)}]", 1),
        ($"52-/x,9[\"é\",{{\"k\":[{Placeholder(1)},{Placeholder(0)}]}}]", 2),
        ($"53-[\"up\",{Placeholder(0)},\"mid\",[{Placeholder(1)},{{\"deep\":{Placeholder(2)}}}]]", 3),
        ($"50-[\"no attachments\"]", 0), ($"60-4[\"ok\"]", 0),
        ("21[\"echo\",1e400,-0.0,9223372036854775808,\"\\ud800\",{\"a\":1,\"a\":2,\"\\udc00\":3},[[[[[[[[]]]]]]]]]", 0),
        ("2[\"\\ud83d\",{\"_placeholder\":true,\"num\":0}]", 0), ($"52-7[\"echo\",{Placeholder(1)},{{\"_placeholder\":true,\"num\":0,\"\\ud800\":1}}]", 2),
    ];

    /// <summary>The Engine.IO messages of <see cref="SocketIoPackets"/>: the text message, then one binary message per attachment.</summary>
    public static IReadOnlyList<EnginePacket[]> SocketIoMessages { get; } = SocketIoPackets
        .Select(p => new[] { EnginePacket.TextMessage(p.Text) }
            .Concat(Enumerable.Range(0, p.Attachments).Select(i => EnginePacket.BinaryMessage(Enumerable.Range(0, i * 3 + 1).Select(b => (byte)(b * 37 + i)).ToArray())))
            .ToArray())
        .ToList();

    /// <summary>Lists of Engine.IO packets, the building blocks of payload seeds.</summary>
    public static IReadOnlyList<EnginePacket[]> PacketLists { get; } =
    [
        [EnginePacket.FromText(EnginePacketType.Open, HandshakeJson)],
        [EnginePacket.TextMessage("hello")],
        [EnginePacket.TextMessage("hello"), EnginePacket.TextMessage("world")],
        [EnginePacket.TextMessage("hello"), EnginePacket.BinaryMessage(new byte[] { 1, 2, 3 }), EnginePacket.FromText(EnginePacketType.Ping)],
        [
            EnginePacket.FromText(EnginePacketType.Close), EnginePacket.FromText(EnginePacketType.Ping, "probe"),
            EnginePacket.FromText(EnginePacketType.Pong, "probe"), EnginePacket.FromText(EnginePacketType.Upgrade),
            EnginePacket.FromText(EnginePacketType.Noop),
        ],
        [EnginePacket.TextMessage("中文"), EnginePacket.TextMessage("😀"), EnginePacket.TextMessage(""), EnginePacket.BinaryMessage(Array.Empty<byte>())],
        [EnginePacket.BinaryMessage(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()), EnginePacket.TextMessage("after")],
        [EnginePacket.TextMessage("6:4a"), EnginePacket.TextMessage("b4AQID"), EnginePacket.TextMessage("0:")],
        .. SocketIoMessages,
    ];

    /// <summary>Single text-encoded Engine.IO packets (WebSocket text frames) for <paramref name="protocol"/>.</summary>
    public static IReadOnlyList<byte[]> EngineTextPackets(EngineIOProtocol protocol) => PacketLists.SelectMany(list => list)
        .Select(packet => Encode(w => EngineIOCodec.WriteTextPacket(w, packet, protocol)))
        .ToList();

    /// <summary>Binary WebSocket frames for <paramref name="protocol"/> (v3: type byte first).</summary>
    public static IReadOnlyList<byte[]> EngineBinaryFrames(EngineIOProtocol protocol) =>
    [
        .. PacketLists.SelectMany(list => list).Where(p => p.IsBinary).Select(packet => Encode(w => EngineIOCodec.WriteWebSocketFrame(w, packet, protocol))),
    ];

    /// <summary>v4 polling payloads (packets joined by 0x1E).</summary>
    public static IReadOnlyList<byte[]> V4Payloads { get; } = PacketLists.Select(list => Encode(w => EngineIOCodec.WritePayload(w, list))).ToList();

    /// <summary>v3 text polling payloads (<c>len:packet</c>).</summary>
    public static IReadOnlyList<byte[]> V3TextPayloads { get; } = PacketLists.Select(list => Encode(w => EngineIOCodec.WriteV3TextPayload(w, list))).ToList();

    /// <summary>v3 binary (octet-stream) polling payloads.</summary>
    public static IReadOnlyList<byte[]> V3BinaryPayloads { get; } = PacketLists.Select(list => Encode(w => EngineIOCodec.WriteV3BinaryPayload(w, list))).ToList();

    /// <summary>Handshake JSON (the data of an open packet), as the server writes it and variants.</summary>
    public static IReadOnlyList<byte[]> Handshakes { get; } =
    [
        Encoding.UTF8.GetBytes(HandshakeJson),
        Encoding.UTF8.GetBytes("""{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":300,"pingTimeout":200}"""),
        Encoding.UTF8.GetBytes("""{"sid":"é😀","upgrades":["websocket","webtransport"],"pingInterval":2147483647,"pingTimeout":0,"maxPayload":9007199254740991}"""),
    ];

    /// <summary>Syntax of Engine.IO packets and payloads.</summary>
    public static readonly string[] EngineTokens =
    [
        "0", "1", "2", "3", "4", "5", "6", "7", "b", "b4", "probe", ":", "\u001e", "0:", "1:", "99999999999:", "AQID", "AQ==", "A===", "=", "+/", "-_",
        "\u0000\u0001\u00ff", "4{", "中", "😀",
    ];

    /// <summary>Syntax of Socket.IO packets and their JSON.</summary>
    public static readonly string[] SocketIoTokens =
    [
        "0", "2", "5", "6", "-", "1-", "10-", "11-", "/", "/admin,", ",", "?", "?a=b&", "[", "]", "{", "}", "\"", ":", "\\", "\\u", "\\ud800",
        "\\udc00", "\\u0000", "\"_placeholder\":true", "\"num\":", Placeholder(0), Placeholder(1), Placeholder(-1), Placeholder(10),
        "{\"_placeholder\":true,\"num\":1.5}", "{\"_placeholder\":true,\"num\":\"0\"}", "{\"_placeholder\":true}", "null", "true", "false",
        "\"connect\"", "\"disconnect\"", "\"newListener\"", "{\"a\":1,\"a\":2}", ",\"k\":0", "1e400", "-0", "\"AQID\"", "\"!!\"", "\"A===\"", "é", "😀",
    ];

    /// <summary>Mutates the text of Socket.IO packets (declared after the tokens it uses).</summary>
    public static FuzzMutator SocketIoTexts { get; } = new(SocketIoPackets.Select(p => Encoding.UTF8.GetBytes(p.Text)).ToList(), SocketIoTokens);

    /// <summary>
    /// The Engine.IO messages of one to three Socket.IO packets, most of them mutated: the text of a packet, and the
    /// attachments that follow it (one too few, one too many, a text message among them, binary where text belongs).
    /// </summary>
    public static EnginePacket[] MutatedSocketIoMessages(Random random)
    {
        var messages = new List<EnginePacket>();
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            EnginePacket[] seed = SocketIoMessages[random.Next(SocketIoMessages.Count)];
            byte[] text = random.Next(6) == 0 ? seed[0].Data.ToArray() : SocketIoTexts.Mutate(seed[0].Data.ToArray(), random, random.Next(1, 5));
            var packet = new List<EnginePacket> { new(EnginePacketType.Message, text) };
            packet.AddRange(seed.Skip(1));
            switch (random.Next(12))
            {
                case 0 when packet.Count > 1:
                    packet.RemoveAt(packet.Count - 1);
                    break;
                case 1:
                    packet.Add(EnginePacket.BinaryMessage(new byte[random.Next(4)]));
                    break;
                case 2:
                    packet.Insert(random.Next(1, packet.Count + 1), EnginePacket.TextMessage("2[\"between\"]"));
                    break;
                case 3:
                    packet[0] = EnginePacket.BinaryMessage(text);
                    break;
                case 4:
                    packet.Insert(0, EnginePacket.BinaryMessage(new byte[] { 1 }));
                    break;
            }

            messages.AddRange(packet);
        }

        return messages.ToArray();
    }

    private static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }
}
