using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>The whole path: WriteArray → JsonSocketIoParser.Encode → decoder (every message) → SocketIoArgs.Get.</summary>
public class SocketIoRoundTripTests
{
    public sealed record Point(int X, int Y);

    public sealed record FileChunk(string Name, int Index, byte[] Data, ReadOnlyMemory<byte> Checksum, List<byte[]> Parts);

    public sealed class Message
    {
        public string? Text { get; set; }

        public DateTimeOffset SentAt { get; set; }

        public Point? Where { get; set; }

        public Dictionary<string, byte[]>? Files { get; set; }
    }

    /// <summary>Sends an event and reads its arguments back on the other side.</summary>
    private static (SocketIoPacket Packet, SocketIoArgs Args, EnginePacket[] Messages) Send(string nsp, long? id, string name, params object?[] args)
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte> data = SocketIoJson.WriteArray(name, args, SocketIoJson.DefaultOptions, attachments);
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Event, nsp, id, data, attachments));
        Assert.Equal(1 + attachments.Count, messages.Length);

        SocketIoPacket packet = Decode(messages);

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal(nsp, packet.Namespace);
        Assert.Equal(id, packet.Id);
        Assert.Equal(attachments.Count, packet.Attachments.Count);
        var received = EventArgs(packet);
        Assert.Equal(name, new SocketIoArgs(packet.Data, packet.Attachments).GetString(0));
        Assert.Equal(args.Length, received.Count);
        return (packet, received, messages);
    }

    [Fact]
    public void Primitives_travel_in_one_message_and_read_back_as_sent()
    {
        (_, SocketIoArgs args, EnginePacket[] messages) = Send("/", null, "prims", 42, -1L, 3.25, true, null, "text", long.MaxValue);

        Assert.Single(messages);
        Assert.Equal(42, args.Get<int>(0));
        Assert.Equal(-1L, args.Get<long>(1));
        Assert.Equal(3.25, args.Get<double>(2));
        Assert.True(args.Get<bool>(3));
        Assert.Null(args.Get<string>(4));
        Assert.Equal("text", args.GetString(5));
        Assert.Equal(long.MaxValue, args.Get<long>(6));
    }

    [Fact]
    public void Unicode_strings()
    {
        string[] values = ["é", "中文", "😀", "a\"b\\c", "\u0000\u001f", "\u2028", "👍🏽 Zoë"];

        (_, SocketIoArgs args, _) = Send("/ñ", 5, "é😀", values.Cast<object?>().ToArray());

        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], args.Get<string>(i));
        }
    }

    [Fact]
    public void A_plain_object_travels_in_one_message_and_reads_back_as_sent()
    {
        var message = new Message { Text = "hi", SentAt = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)), Where = new Point(1, -2) };

        (_, SocketIoArgs args, EnginePacket[] messages) = Send("/chat", 17, "message", message);

        Assert.Single(messages);
        Message received = args.Get<Message>(0);
        Assert.Equal("hi", received.Text);
        Assert.Equal(message.SentAt, received.SentAt);
        Assert.Equal(new Point(1, -2), received.Where);
        Assert.Null(received.Files);
    }

    [Fact]
    public void OneBinaryArgument_each_binary_type()
    {
        byte[] backing = [0, 1, 2, 3, 4, 5];

        (_, SocketIoArgs args, EnginePacket[] messages) = Send("/", null, "bin",
            new byte[] { 1 },
            (ReadOnlyMemory<byte>)backing.AsMemory(1, 2),
            backing.AsMemory(3, 1),
            new ArraySegment<byte>(backing, 4, 2));

        Assert.Equal(5, messages.Length);
        Assert.Equal("54-[\"bin\"," + string.Join(",", Enumerable.Range(0, 4).Select(Placeholder)) + "]", messages[0].Text);
        Assert.Equal(new byte[] { 1 }, args.Get<byte[]>(0));
        Assert.Equal(new byte[] { 1, 2 }, args.Get<ReadOnlyMemory<byte>>(1).ToArray());
        Assert.Equal(new byte[] { 3 }, args.Get<Memory<byte>>(2).ToArray());
        Assert.Equal(new byte[] { 4, 5 }, args.GetBytes(3).ToArray());
        Assert.True(Enumerable.Range(0, 4).All(args.IsBinary));
    }

    [Fact]
    public void Record_with_several_attachments()
    {
        var chunk = new FileChunk("f.bin", 3, [1, 2, 3], new byte[] { 0xCC }, [[7], [], [8, 9]]);

        (SocketIoPacket packet, SocketIoArgs args, EnginePacket[] messages) = Send("/files", 99, "chunk", chunk, "after");

        Assert.Equal(6, messages.Length);
        AssertAttachments([[1, 2, 3], [0xCC], [7], [], [8, 9]], packet.Attachments);
        FileChunk received = args.Get<FileChunk>(0);
        Assert.Equal("f.bin", received.Name);
        Assert.Equal(3, received.Index);
        Assert.Equal(new byte[] { 1, 2, 3 }, received.Data);
        Assert.Equal(new byte[] { 0xCC }, received.Checksum.ToArray());
        Assert.Equal(3, received.Parts.Count);
        Assert.Equal(new byte[] { 7 }, received.Parts[0]);
        Assert.Empty(received.Parts[1]);
        Assert.Equal(new byte[] { 8, 9 }, received.Parts[2]);
        Assert.Equal("after", args.GetString(1));
    }

    [Fact]
    public void Binary_in_poco_dictionary_and_top_level_mixed()
    {
        var message = new Message { Text = "files", Files = new Dictionary<string, byte[]> { ["a.txt"] = [0x61], ["b.txt"] = [0x62, 0x62] } };

        (_, SocketIoArgs args, EnginePacket[] messages) = Send("/", 1, "upload", new byte[] { 0xFF }, message, new[] { new byte[] { 1 }, new byte[] { 2 } });

        Assert.Equal(6, messages.Length);
        Assert.Equal(new byte[] { 0xFF }, args.Get<byte[]>(0));
        Message received = args.Get<Message>(1);
        Assert.Equal(new byte[] { 0x61 }, received.Files!["a.txt"]);
        Assert.Equal(new byte[] { 0x62, 0x62 }, received.Files["b.txt"]);
        byte[][] pair = args.Get<byte[][]>(2);
        Assert.Equal(new byte[] { 1 }, pair[0]);
        Assert.Equal(new byte[] { 2 }, pair[1]);
    }

    [Fact]
    public void ToValues_after_the_round_trip()
    {
        // (Integers, which should come back as long, are covered by SocketIoArgsTests.ToValues_IntegersAreLong_OthersDouble.)
        (_, SocketIoArgs args, _) = Send("/", null, "values", 2.5, "s", null, true, new byte[] { 9 },
            new Dictionary<string, object?> { ["k"] = new object?[] { new byte[] { 8 }, "v" } });

        AssertValuesEqual(
            List(2.5, "s", null, true, new byte[] { 9 }, Obj(("k", List(new byte[] { 8 }, "v")))),
            List(args.ToValues()));
    }

    [Fact]
    public void Ten_attachments_the_default_limit_round_trip()
    {
        object?[] args = Enumerable.Range(0, 10).Select(i => (object?)new byte[] { (byte)i }).ToArray();

        (_, SocketIoArgs received, _) = Send("/", null, "ten", args);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(new byte[] { (byte)i }, received.Get<byte[]>(i));
        }
    }

    [Fact]
    public void Eleven_attachments_are_encoded_but_refused_by_a_default_decoder()
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte> data = WriteArray("eleven", attachments, Enumerable.Range(0, 11).Select(i => (object?)new byte[] { (byte)i }).ToArray());
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Event, data: data, attachments: attachments));

        Assert.Equal(12, messages.Length);
        AssertParseError(() => JsonSocketIoParser.Instance.CreateDecoder().Add(messages[0]), "too many attachments");
        Assert.NotNull(Decode(new JsonSocketIoParser(maxAttachments: 11).CreateDecoder(), messages));
    }

    [Fact]
    public void Large_attachments()
    {
        var random = new Random(42);
        byte[] first = new byte[300_000];
        byte[] second = new byte[70_000];
        random.NextBytes(first);
        random.NextBytes(second);

        (_, SocketIoArgs args, _) = Send("/", null, "large", first, new { Inner = second });

        Assert.True(first.AsSpan().SequenceEqual(args.Get<byte[]>(0)));
        Assert.True(second.AsSpan().SequenceEqual(args.Get<Dictionary<string, byte[]>>(1)["inner"]));
    }

    [Fact]
    public void Ack_with_binary_round_trip()
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte> data = WriteArray(null, attachments, "ok", new byte[] { 1, 2 }, new Point(3, 4));
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Ack, "/admin", 12, data, attachments));

        Assert.Equal(["61-/admin,12[\"ok\",{\"_placeholder\":true,\"num\":0},{\"x\":3,\"y\":4}]", Hex(1, 2)], Describe(messages));
        SocketIoPacket packet = Decode(messages);
        var args = new SocketIoArgs(packet.Data, packet.Attachments);

        Assert.Equal(SocketIoPacketType.Ack, packet.Type);
        Assert.Equal(12, packet.Id);
        Assert.Equal(3, args.Count);
        Assert.Equal("ok", args.GetString(0));
        Assert.Equal(new byte[] { 1, 2 }, args.Get<byte[]>(1));
        Assert.Equal(new Point(3, 4), args.Get<Point>(2));
    }

    [Fact]
    public void Ack_empty_round_trip()
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte> data = WriteArray(null, attachments);
        SocketIoPacket packet = Decode(JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Ack, "/", 0, data)));

        Assert.Equal(0, new SocketIoArgs(packet.Data, packet.Attachments).Count);
        Assert.Equal(0, packet.Id);
    }

    [Fact]
    public void Many_packets_through_one_decoder_keep_their_attachments_apart()
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();

        for (int i = 0; i < 20; i++)
        {
            var attachments = new List<ReadOnlyMemory<byte>>();
            object?[] args = i % 3 == 0 ? ["plain", i] : [new byte[] { (byte)i }, new byte[] { (byte)(i * 2) }, i];
            ReadOnlyMemory<byte> data = SocketIoJson.WriteArray("e" + i, args, SocketIoJson.DefaultOptions, attachments);
            EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(new SocketIoPacket(SocketIoPacketType.Event, "/", i, data, attachments));

            SocketIoPacket packet = Decode(decoder, messages);
            SocketIoArgs received = EventArgs(packet);

            Assert.Equal(i, packet.Id);
            if (i % 3 == 0)
            {
                Assert.Equal("plain", received.GetString(0));
                Assert.Empty(packet.Attachments);
            }
            else
            {
                Assert.Equal(new byte[] { (byte)i }, received.Get<byte[]>(0));
                Assert.Equal(new byte[] { (byte)(i * 2) }, received.Get<byte[]>(1));
            }

            Assert.Equal(i, received.Get<int>(args.Length - 1));
        }
    }

    [Fact]
    public void Nested_array_segment_round_trips()
    {
        byte[] backing = [0, 1, 2, 0];

        (_, SocketIoArgs args, _) = Send("/", null, "seg", new Dictionary<string, object> { ["s"] = new ArraySegment<byte>(backing, 1, 2) });

        Assert.Equal(new byte[] { 1, 2 }, args.Get<Dictionary<string, byte[]>>(0)["s"]);
    }
}
