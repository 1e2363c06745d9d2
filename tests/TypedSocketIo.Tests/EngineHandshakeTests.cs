using System.Buffers;
using System.Text;
using TypedSocketIo.EngineIO;
using static TypedSocketIo.Tests.PacketReading;

namespace TypedSocketIo.Tests;

public class EngineHandshakeTests
{
    private static readonly EngineHandshake V4 = new("abc", ["websocket"], 25000, 20000, 1000000);
    private static readonly EngineHandshake V3 = new("abc", ["websocket"], 25000, 20000, null);

    private static string Json(EngineHandshake handshake) => Encoding.UTF8.GetString(Bytes.Encode(handshake.WriteJson));

    [Fact]
    public void WriteJson_V4_IsExactlyTheReferenceJson()
    {
        Assert.Equal("""{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""", Json(V4));
    }

    [Fact]
    public void WriteJson_V3_HasNoMaxPayload()
    {
        Assert.Equal("""{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}""", Json(V3));
    }

    [Fact]
    public void WriteJson_NoUpgrades_IsAnEmptyArray()
    {
        var handshake = new EngineHandshake("abc", [], 25000, 20000, 1000000);

        Assert.Equal("""{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""", Json(handshake));
    }

    [Fact]
    public void WriteJson_Base64IdSid_IsWrittenVerbatim()
    {
        // Node's engine.io generates ids with base64id: base64 with '/' and '+' replaced by '_' and '-'.
        var handshake = new EngineHandshake("ZmFr-ZV9z_aWQ=", ["websocket"], 25000, 20000, 1000000);

        Assert.StartsWith("""{"sid":"ZmFr-ZV9z_aWQ=","upgrades":""", Json(handshake), StringComparison.Ordinal);
    }

    [Fact]
    public void ToPacket_IsAnOpenPacketThatEncodesAsZeroThenTheJson()
    {
        EnginePacket packet = V4.ToPacket();

        Assert.Equal(EnginePacketType.Open, packet.Type);
        Assert.False(packet.IsBinary);
        Assert.Equal("0" + Samples.HandshakeJson, Encoding.UTF8.GetString(Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet))));
    }

    [Fact]
    public void Parse_ReadsEveryField()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(Samples.HandshakeJson));

        Assert.Equal("abc", parsed.Sid);
        Assert.Equal(["websocket"], parsed.Upgrades);
        Assert.Equal(25000, parsed.PingInterval);
        Assert.Equal(20000, parsed.PingTimeout);
        Assert.Equal(1000000, parsed.MaxPayload);
    }

    [Fact]
    public void Parse_V3WithoutMaxPayload_HasNullMaxPayload()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(Json(V3)));

        Assert.Null(parsed.MaxPayload);
        Assert.Equal(Json(V3), Json(parsed));
    }

    [Fact]
    public void Parse_KeysInAnotherOrderAndExtraKeys_AreAccepted()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(
            """{ "maxPayload": 5, "pingTimeout": 2, "extra": {"x": [1]}, "pingInterval": 1, "upgrades": ["websocket", "webtransport"], "sid": "s" }"""));

        Assert.Equal(new EngineHandshake("s", parsed.Upgrades, 1, 2, 5), parsed);
        Assert.Equal(["websocket", "webtransport"], parsed.Upgrades);
    }

    [Fact]
    public void OpenPacket_RoundTripsThroughEveryTransportEncoding()
    {
        EnginePacket open = V4.ToPacket();
        EnginePacket[] packets = [open];

        foreach (PayloadForm form in PayloadForm.All)
        {
            EnginePacket decoded = Assert.Single(ReadAllFinal(new ReadOnlySequence<byte>(form.Encode(packets)), form.Reader));
            Assert.Equal(open, decoded);
            Assert.Equal(Json(V4), Json(EngineHandshake.Parse(decoded.Data.Span)));
        }

        EnginePacket fromFrame = EngineIOCodec.DecodeTextPacket(Bytes.Encode(w => EngineIOCodec.WriteWebSocketFrame(w, open)));
        Assert.Equal(Json(V4), Json(EngineHandshake.Parse(fromFrame.Data.Span)));
    }

    [Theory]
    [InlineData("", "handshake")]
    [InlineData("not json", "handshake")]
    [InlineData("[]", "handshake")]
    [InlineData("{}", "handshake")]
    [InlineData("""{"sid":"abc","upgrades":["websocket"],"pingInterval":25000}""", "handshake")]
    [InlineData("""{"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":"websocket","pingInterval":1,"pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":null,"pingInterval":1,"pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[1],"pingInterval":1,"pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[null],"pingInterval":1,"pingTimeout":1}""", "upgrade")]
    [InlineData("""{"sid":null,"upgrades":[],"pingInterval":1,"pingTimeout":1}""", "sid")]
    [InlineData("""{"sid":"a","upgrades":[],"pingInterval":"25000","pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[],"pingInterval":2.5,"pingTimeout":1}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":99999999999}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":"big"}""", "handshake")]
    [InlineData("""{"sid":"a","upgrades":[],"pingInterval":1,"pingTimeout":1""", "handshake")]
    public void Parse_Invalid_ThrowsParseException(string json, string mention)
    {
        AssertParseError(() => EngineHandshake.Parse(Bytes.Utf8(json)), mention);
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsParseException()
    {
        AssertParseError(() => EngineHandshake.Parse(Bytes.Concat(Bytes.Utf8("{\"sid\":\""), [0xFF], Bytes.Utf8("\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"))), "handshake");
    }
}
