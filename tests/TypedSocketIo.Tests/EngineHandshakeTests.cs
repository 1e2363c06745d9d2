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
    public void WriteJson_V4_is_exactly_the_reference_JSON()
    {
        Assert.Equal("""{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""", Json(V4));
    }

    [Fact]
    public void WriteJson_V3_has_no_max_payload()
    {
        Assert.Equal("""{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}""", Json(V3));
    }

    [Fact]
    public void WriteJson_no_upgrades_is_an_empty_array()
    {
        var handshake = new EngineHandshake("abc", [], 25000, 20000, 1000000);

        Assert.Equal("""{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""", Json(handshake));
    }

    [Fact]
    public void WriteJson_base64_id_sid_is_written_verbatim()
    {
        // Node's engine.io generates ids with base64id: base64 with '/' and '+' replaced by '_' and '-'.
        var handshake = new EngineHandshake("ZmFr-ZV9z_aWQ=", ["websocket"], 25000, 20000, 1000000);

        Assert.StartsWith("""{"sid":"ZmFr-ZV9z_aWQ=","upgrades":""", Json(handshake), StringComparison.Ordinal);
    }

    [Fact]
    public void ToPacket_is_an_open_packet_that_encodes_as_zero_then_the_JSON()
    {
        EnginePacket packet = V4.ToPacket();

        Assert.Equal(EnginePacketType.Open, packet.Type);
        Assert.False(packet.IsBinary);
        Assert.Equal("0" + Samples.HandshakeJson, Encoding.UTF8.GetString(Bytes.Encode(w => EngineIOCodec.WriteTextPacket(w, packet))));
    }

    [Fact]
    public void Parse_reads_every_field()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(Samples.HandshakeJson));

        Assert.Equal("abc", parsed.Sid);
        Assert.Equal(["websocket"], parsed.Upgrades);
        Assert.Equal(25000, parsed.PingInterval);
        Assert.Equal(20000, parsed.PingTimeout);
        Assert.Equal(1000000, parsed.MaxPayload);
    }

    [Fact]
    public void Parse_V3_without_max_payload_has_null_max_payload()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(Json(V3)));

        Assert.Null(parsed.MaxPayload);
        Assert.Equal(Json(V3), Json(parsed));
    }

    [Fact]
    public void Parse_keys_in_another_order_and_extra_keys_are_accepted()
    {
        EngineHandshake parsed = EngineHandshake.Parse(Bytes.Utf8(
            """{ "maxPayload": 5, "pingTimeout": 2, "extra": {"x": [1]}, "pingInterval": 1, "upgrades": ["websocket", "webtransport"], "sid": "s" }"""));

        Assert.Equal(new EngineHandshake("s", parsed.Upgrades, 1, 2, 5), parsed);
        Assert.Equal(["websocket", "webtransport"], parsed.Upgrades);
    }

    [Fact]
    public void OpenPacket_round_trips_through_every_transport_encoding()
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
    public void Parse_invalid_throws_parse_exception(string json, string mention)
    {
        AssertParseError(() => EngineHandshake.Parse(Bytes.Utf8(json)), mention);
    }

    [Fact]
    public void Parse_invalid_UTF8_throws_parse_exception()
    {
        AssertParseError(() => EngineHandshake.Parse(Bytes.Concat(Bytes.Utf8("{\"sid\":\""), [0xFF], Bytes.Utf8("\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"))), "handshake");
    }
}
