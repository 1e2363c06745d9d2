using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Tests;

public class EnginePacketTests
{
    [Theory]
    [InlineData(EnginePacketType.Open, 0)]
    [InlineData(EnginePacketType.Close, 1)]
    [InlineData(EnginePacketType.Ping, 2)]
    [InlineData(EnginePacketType.Pong, 3)]
    [InlineData(EnginePacketType.Message, 4)]
    [InlineData(EnginePacketType.Upgrade, 5)]
    [InlineData(EnginePacketType.Noop, 6)]
    public void PacketType_has_the_protocol_digit_as_its_value(EnginePacketType type, int digit)
    {
        Assert.Equal(digit, (int)type);
    }

    [Fact]
    public void TextMessage_holds_UTF8_data()
    {
        EnginePacket packet = EnginePacket.TextMessage("héllo 😀");

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.False(packet.IsBinary);
        Assert.Equal(Bytes.Utf8("héllo 😀"), packet.Data.ToArray());
        Assert.Equal("héllo 😀", packet.Text);
    }

    [Fact]
    public void BinaryMessage_holds_the_bytes()
    {
        EnginePacket packet = EnginePacket.BinaryMessage(new byte[] { 1, 2, 3 });

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.True(packet.IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3 }, packet.Data.ToArray());
    }

    [Fact]
    public void FromText_without_text_has_empty_data()
    {
        EnginePacket packet = EnginePacket.FromText(EnginePacketType.Ping);

        Assert.True(packet.Data.IsEmpty);
        Assert.Equal("", packet.Text);
        Assert.Equal(EnginePacket.FromText(EnginePacketType.Ping, ""), packet);
    }

    [Theory]
    [InlineData(EnginePacketType.Open)]
    [InlineData(EnginePacketType.Ping)]
    [InlineData(EnginePacketType.Noop)]
    public void Constructor_binary_non_message_is_rejected(EnginePacketType type)
    {
        Assert.Throws<ArgumentException>(() => new EnginePacket(type, new byte[] { 1 }, isBinary: true));
    }

    [Fact]
    public void Equality_compares_type_binariness_and_content()
    {
        EnginePacket a = EnginePacket.TextMessage("hi");
        EnginePacket sameContentOtherArray = new(EnginePacketType.Message, Bytes.Utf8("hi"));

        Assert.Equal(a, sameContentOtherArray);
        Assert.True(a == sameContentOtherArray);
        Assert.False(a != sameContentOtherArray);
        Assert.True(a.Equals((object)sameContentOtherArray));
        Assert.Equal(a.GetHashCode(), sameContentOtherArray.GetHashCode());

        Assert.NotEqual(a, EnginePacket.TextMessage("ho"));
        Assert.NotEqual(a, EnginePacket.FromText(EnginePacketType.Ping, "hi"));
        Assert.NotEqual(a, EnginePacket.BinaryMessage(Bytes.Utf8("hi")));
        Assert.True(a != EnginePacket.BinaryMessage(Bytes.Utf8("hi")));
        Assert.False(a.Equals("4hi"));
    }

    [Fact]
    public void ToString_shows_the_text_encoding_or_the_binary_size()
    {
        Assert.Equal("4hello", EnginePacket.TextMessage("hello").ToString());
        Assert.Equal("2probe", EnginePacket.FromText(EnginePacketType.Ping, "probe").ToString());
        Assert.Equal("Message <3 bytes>", EnginePacket.BinaryMessage(new byte[] { 1, 2, 3 }).ToString());
    }

    [Fact]
    public void ParseException_is_a_format_exception()
    {
        Assert.IsAssignableFrom<FormatException>(new EngineIOParseException("x"));
    }
}
