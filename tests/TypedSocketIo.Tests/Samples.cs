using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Tests;

/// <summary>Named packet lists shared by the payload tests of every form (theories take the name, so each case shows up on its own).</summary>
internal static class Samples
{
    public const string HandshakeJson = """{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""";

    public static EnginePacket Text(EnginePacketType type, string? data = null) => EnginePacket.FromText(type, data);

    public static EnginePacket Message(string text) => EnginePacket.TextMessage(text);

    public static EnginePacket Binary(params byte[] data) => EnginePacket.BinaryMessage(data);

    public static readonly IReadOnlyDictionary<string, EnginePacket[]> PacketLists = new Dictionary<string, EnginePacket[]>
    {
        ["empty list"] = [],
        ["one message"] = [Message("hello")],
        ["two messages"] = [Message("hello"), Message("world")],
        ["text, binary, ping"] = [Message("hello"), Binary(1, 2, 3), Text(EnginePacketType.Ping)],
        ["every packet type"] =
        [
            Text(EnginePacketType.Open, """{"sid":"abc"}"""),
            Text(EnginePacketType.Close),
            Text(EnginePacketType.Ping),
            Text(EnginePacketType.Ping, "probe"),
            Text(EnginePacketType.Pong, "probe"),
            Message("hello"),
            Text(EnginePacketType.Upgrade),
            Text(EnginePacketType.Noop),
        ],
        ["non-ASCII text"] = [Message("中文"), Message("😀"), Message(""), Binary()],
        ["accents and emoji mixed"] = [Message("hello"), Message("é"), Message("a😀b中c")],
        ["empty text and empty binary"] = [Message(""), Binary(), Message("")],
        ["open packet with handshake"] = [Text(EnginePacketType.Open, HandshakeJson), Text(EnginePacketType.Noop)],
        ["binary with every byte value"] = [Binary([.. Enumerable.Range(0, 256).Select(i => (byte)i)]), Message("after")],
        ["text of 12 and 100 units"] = [Message("hello world"), Message(new string('x', 99))],
        ["binary of 11 bytes"] = [Binary([.. Enumerable.Range(1, 11).Select(i => (byte)i)])],
        ["separator-like characters in text"] = [Message("6:4a"), Message("b4AQID"), Message("bAQID"), Message("0:")],
    };

    public static TheoryData<string> PacketListNames() => new(PacketLists.Keys);

    public static TheoryData<string> NonEmptyPacketListNames() => new(PacketLists.Where(p => p.Value.Length > 0).Select(p => p.Key));
}
