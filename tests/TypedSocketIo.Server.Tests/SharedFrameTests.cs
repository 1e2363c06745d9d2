using System.Runtime.InteropServices;
using System.Text;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Server.EngineIO.Framing;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// A broadcast's messages are framed once per protocol (<see cref="SharedFrame"/>) and the same
/// bytes are written to every connection of the server's own framing.
/// </summary>
public sealed class SharedFrameTests
{
    public static TheoryData<string, bool, int, EngineIOProtocol> Packets => new()
    {
        { "empty text", false, 0, EngineIOProtocol.V4 },
        { "short text", false, 40, EngineIOProtocol.V4 },
        { "text at the 7-bit length limit", false, 124, EngineIOProtocol.V4 }, // 125 with its type
        { "text with a 16-bit length", false, 125, EngineIOProtocol.V4 },
        { "text with a 64-bit length", false, 70_000, EngineIOProtocol.V4 },
        { "text v3", false, 10, EngineIOProtocol.V3 },
        { "binary v4", true, 300, EngineIOProtocol.V4 },
        { "binary v3", true, 300, EngineIOProtocol.V3 },
    };

    private static EnginePacket Packet(bool binary, int length) => binary
        ? EnginePacket.BinaryMessage(Enumerable.Range(0, length).Select(i => (byte)i).ToArray())
        : EnginePacket.TextMessage(new string('x', length));

    private static byte[] FramedApart(EnginePacket packet, EngineIOProtocol protocol)
    {
        using var writer = new FrameWriter();
        writer.BeginFrame();
        bool binary = EngineIOCodec.WriteWebSocketFrame(writer, packet, protocol);
        writer.EndFrame(binary ? FrameOpcode.Binary : FrameOpcode.Text);
        return writer.WrittenMemory.ToArray();
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void Shared_frame_is_the_frame_the_writer_builds_and_is_built_once_per_protocol(string name, bool binary, int length, EngineIOProtocol protocol)
    {
        EnginePacket packet = Packet(binary, length);
        var shared = new SharedFrame(packet);

        ReadOnlyMemory<byte> first = shared.Get(protocol, out int payloadLength);
        ReadOnlyMemory<byte> second = shared.Get(protocol, out _);

        Assert.True(FramedApart(packet, protocol).AsSpan().SequenceEqual(first.Span), name);
        Assert.Equal(binary && protocol == EngineIOProtocol.V4 ? length : length + 1, payloadLength);
        Assert.True(MemoryMarshal.TryGetArray(first, out ArraySegment<byte> a));
        Assert.True(MemoryMarshal.TryGetArray(second, out ArraySegment<byte> b));
        Assert.Same(a.Array, b.Array);
    }

    [Fact]
    public void Binary_frames_of_protocol_3_and_4_are_kept_apart()
    {
        var shared = new SharedFrame(Packet(binary: true, 10));

        byte[] v4 = shared.Get(EngineIOProtocol.V4, out _).ToArray();
        byte[] v3 = shared.Get(EngineIOProtocol.V3, out _).ToArray();

        Assert.Equal(12, v4.Length); // header, then the bytes
        Assert.Equal(13, v3.Length); // header, the message type, then the bytes
        Assert.Equal((byte)EnginePacketType.Message, v3[2]);
        Assert.Equal(v4, shared.Get(EngineIOProtocol.V4, out _).ToArray());
    }

    [Fact]
    public async Task Broadcasts_reach_protocol_3_and_4_clients_of_the_builtin_framing_whole_and_in_order()
    {
        const int Count = 200;
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.On("go", _ =>
            {
                for (int i = 0; i < Count; i++)
                {
                    io.Emit("news", "n" + i, new byte[] { (byte)i, 1, 2 });
                }
            });
            h.Record("connected", s.Id);
        }), o =>
        {
            o.WebSocketFraming = WebSocketFraming.Builtin;
            o.AllowEIO3 = true;
        });

        Uri Url(int eio) => new(host.BaseUri.ToString().Replace("http", "ws", StringComparison.Ordinal) + $"socket.io/?EIO={eio}&transport=websocket");
        await using RawFrameClient v4a = await RawFrameClient.ConnectAsync(Url(4), seed: 1);
        await using RawFrameClient v4b = await RawFrameClient.ConnectAsync(Url(4), seed: 2);
        await using RawFrameClient v3 = await RawFrameClient.ConnectAsync(Url(3), seed: 3);
        foreach (RawFrameClient client in new[] { v4a, v4b })
        {
            Assert.StartsWith("0{", (await client.ReadFrameAsync())!.Text);
            await client.SendAsync(client.TextFrame("40"));
            Assert.StartsWith("40{\"sid\"", (await client.ReadFrameAsync())!.Text);
        }

        Assert.StartsWith("0{", (await v3.ReadFrameAsync())!.Text);
        Assert.Equal("40", (await v3.ReadFrameAsync())!.Text); // protocol 3: connected to "/" at once
        for (int i = 0; i < 3; i++)
        {
            await host.NextAsync("connected");
        }

        await v4a.SendAsync(v4a.TextFrame("42[\"go\"]"));

        foreach ((RawFrameClient client, bool v3Binary) in new[] { (v4a, false), (v4b, false), (v3, true) })
        {
            for (int i = 0; i < Count; i++)
            {
                ServerFrame header = await NextMessageAsync(client);
                Assert.Equal(RawFrameClient.Text, header.Opcode);
                Assert.Equal($"451-[\"news\",\"n{i}\",{{\"_placeholder\":true,\"num\":0}}]", header.Text);
                ServerFrame attachment = await NextMessageAsync(client);
                Assert.Equal(RawFrameClient.Binary, attachment.Opcode);
                byte[] expected = v3Binary ? [(byte)EnginePacketType.Message, (byte)i, 1, 2] : [(byte)i, 1, 2];
                Assert.Equal(expected, attachment.Payload);
            }
        }
    }

    /// <summary>The next frame that is not a heartbeat ping.</summary>
    private static async Task<ServerFrame> NextMessageAsync(RawFrameClient client)
    {
        while (true)
        {
            ServerFrame frame = (await client.ReadFrameAsync())!;
            if (!(frame.Opcode == RawFrameClient.Text && Encoding.UTF8.GetString(frame.Payload) == "2"))
            {
                return frame;
            }
        }
    }
}
