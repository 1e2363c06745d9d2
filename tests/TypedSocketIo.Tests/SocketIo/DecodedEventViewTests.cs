using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>
/// The view a decoder hands on: the event name and the argument count, seen while the packet was
/// validated, so that the sockets and the typed handlers never read them again.
/// </summary>
public class DecodedEventViewTests
{
    public static TheoryData<string, string, int> Events() => new()
    {
        { "2[\"chat\",1,{\"a\":[1,2,{\"b\":null}]},\"x\"]", "chat", 3 },
        { "2/admin,12[\"ping\"]", "ping", 0 },
        { "2[42,[],{}]", "42", 2 },
        { "2[\"caf\\u00e9\",true]", "café", 1 },
        { "2[\"\\ud800\",1]", "\"\\ud800\"", 1 },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Json_decoder_reads_the_event_name_and_counts_the_arguments(string text, string name, int count)
    {
        SocketIoPacket packet = Decode(text);

        Assert.Equal(name, packet.EventName);
        Assert.Equal(count, packet.ArgumentCount);
        Assert.Equal(SocketIoJson.ReadEventName(packet.Data.Span), packet.EventName);
    }

    [Fact]
    public void Json_decoder_counts_the_items_of_an_ack()
    {
        SocketIoPacket packet = Decode("3/admin,7[1,\"two\",[3]]");

        Assert.Equal(3, packet.ArgumentCount);
        Assert.Equal("", packet.EventName);
    }

    [Fact]
    public void Binary_event_keeps_its_name_and_count_once_its_attachments_arrive()
    {
        SocketIoPacket packet = Decode(Text("52-[\"upload\"," + Placeholder(0) + ",\"note\"," + Placeholder(1) + "]"), Binary(1, 2), Binary(3));

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal("upload", packet.EventName);
        Assert.Equal(3, packet.ArgumentCount);
        Assert.Equal(2, packet.Attachments.Count);
    }

    [Theory]
    [InlineData("2[\"chat\",1,{\"a\":[1,2,{\"b\":null}]},\"x\"]", "chat", 3)]
    [InlineData("2/admin,12[\"ping\"]", "ping", 0)]
    [InlineData("2[42,[],{}]", "42", 2)]
    [InlineData("3/admin,7[1,\"two\",[3]]", "", 3)]
    public void Msgpack_decoder_reads_the_event_name_and_counts_the_arguments(string text, string name, int count)
    {
        SocketIoPacket json = Decode(text);
        EnginePacket[] messages = MsgPackSocketIoParser.Instance.Encode(new SocketIoPacket(json.Type, json.Namespace, json.Id, json.Data));

        SocketIoPacket packet = Decode(MsgPackSocketIoParser.Instance.CreateDecoder(), messages);

        Assert.Equal(name, packet.EventName);
        Assert.Equal(count, packet.ArgumentCount);
    }

    [Fact]
    public void Packet_built_by_hand_reads_its_name_and_count_when_first_asked()
    {
        var packet = new SocketIoPacket(SocketIoPacketType.Event, "/", null, Utf8("[\"move\",{\"x\":1},[2,3]]"));

        Assert.Equal("move", packet.EventName);
        Assert.Equal(2, packet.ArgumentCount);
    }

    [Fact]
    public void Arguments_from_a_decoded_packet_skip_the_name_and_take_the_decoders_count()
    {
        SocketIoPacket packet = Decode("21[\"sum\",2,3,\"label\"]");

        SocketIoArgs args = SocketIoArgs.FromPacket(packet);
        SocketIoArgs.Reader reader = args.GetReader();

        Assert.Equal(3, args.Count);
        Assert.Equal(2, reader.Read(Int32Info));
        Assert.Equal(3, reader.Read(Int32Info));
        Assert.Equal("label", args.GetString(2));
    }

    [Fact]
    public void Arguments_of_an_ack_skip_nothing()
    {
        SocketIoArgs args = SocketIoArgs.FromPacket(Decode("31[\"ok\",5]"));

        Assert.Equal(2, args.Count);
        Assert.Equal("ok", args.GetString(0));
    }

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<int> Int32Info =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<int>)SocketIoJson.DefaultOptions.GetTypeInfo(typeof(int));
}
