using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// The server's own RFC 6455 framing (<see cref="WebSocketFraming.Builtin"/>) over Kestrel: the
/// handshake, the frame rules checked with raw frames on a TCP socket, .NET's ClientWebSocket and
/// Node's ws as peers, and a seeded fuzz of split and garbled frames. Every test runs twice: over
/// ASP.NET Core's upgraded request here, and taken from the listener in <see cref="DirectWebSocketFramingTests"/>.
/// </summary>
public class WebSocketFramingTests
{
    private const string Query = "EIO=4&transport=websocket";

    /// <summary>How the tests' listener is set up: as it comes here.</summary>
    protected virtual void ConfigureListener(ListenOptions listen)
    {
    }

    /// <summary>How the tests' host is set up: as it comes here.</summary>
    protected virtual void ConfigureBuilder(WebApplicationBuilder builder)
    {
    }

    private Task<EngineTestHost> StartAsync(Action<EngineIOOptions>? configure = null) =>
        EngineTestHost.StartAsync(configureListener: ConfigureListener, configureBuilder: ConfigureBuilder, configure: o =>
        {
            o.WebSocketFraming = WebSocketFraming.Builtin;
            o.MaxHttpBufferSize = 1000;
            configure?.Invoke(o);
        });

    /// <summary>A raw client past the handshake and the open packet, with its session id.</summary>
    private static async Task<(RawFrameClient Client, string Sid)> OpenAsync(EngineTestHost host, int seed = 1)
    {
        RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query), seed: seed);
        ServerFrame open = (await client.ReadFrameAsync())!;
        Assert.Equal(RawFrameClient.Text, open.Opcode);
        return (client, RawPolling.SidPattern.Match(open.Text).Groups[1].Value);
    }

    [Fact]
    public async Task Handshake_answers_101_with_the_rfc_accept_value_and_no_subprotocol_or_extension()
    {
        await using EngineTestHost host = await StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query));

        string head = client.HandshakeResponse;
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.True(head.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", StringComparison.OrdinalIgnoreCase), head); // RFC 6455 section 1.3
        Assert.DoesNotContain("Sec-WebSocket-Protocol", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", head, StringComparison.OrdinalIgnoreCase);
        ServerFrame open = (await client.ReadFrameAsync())!;
        Assert.True(open.Fin);
        Assert.False(open.Masked);
        Assert.Equal(0, open.Rsv);
        Assert.StartsWith("0{\"sid\":", open.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_is_answered_with_a_pong_carrying_its_payload()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string ignoredSid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        await client.SendAsync(client.Frame(RawFrameClient.Ping, Encoding.UTF8.GetBytes("hello?")));

        ServerFrame pong = (await client.ReadFrameAsync())!;
        Assert.Equal(RawFrameClient.Pong, pong.Opcode);
        Assert.Equal("hello?", pong.Text);
    }

    [Fact]
    public async Task Fragmented_message_with_control_frames_between_fragments_arrives_whole()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        // "4é" split inside the two bytes of é: UTF-8 is checked on the whole message.
        byte[] text = Encoding.UTF8.GetBytes("4héllo");
        await client.SendAsync(
            client.Frame(RawFrameClient.Text, text[..3], fin: false),
            client.Frame(RawFrameClient.Ping, [1, 2, 3]),
            client.Frame(0, text[3..5], fin: false),
            client.Frame(RawFrameClient.Pong, []),
            client.Frame(0, text[5..], fin: true));

        Assert.Equal("héllo", (await host.NextAsync("message", sid)).Message.Text);
        ServerFrame pong = (await client.ReadFrameAsync())!;
        Assert.Equal(RawFrameClient.Pong, pong.Opcode);
        Assert.Equal(new byte[] { 1, 2, 3 }, pong.Payload);
        Assert.Equal("4héllo", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Many_frames_in_one_write_and_frames_split_byte_by_byte_are_all_read()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        await client.SendAsync(Enumerable.Range(0, 20).Select(i => client.TextFrame("4m" + i)).ToArray());
        await client.SendSplitAsync([.. client.TextFrame("4" + new string('x', 300)), .. client.Frame(RawFrameClient.Binary, [9, 8, 7])], maxChunk: 1);

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("m" + i, (await host.NextAsync("message", sid)).Message.Text);
            Assert.Equal("4m" + i, (await client.ReadFrameAsync())!.Text);
        }

        Assert.Equal(300, (await host.NextAsync("message", sid)).Message.Data.Length);
        Assert.Equal(new byte[] { 9, 8, 7 }, (await host.NextAsync("message", sid)).Message.Data.ToArray());
    }

    [Fact]
    public async Task Client_close_is_echoed_with_its_code_and_the_server_ends_the_connection()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        await client.SendAsync(client.CloseFrame(4001, "bye"));

        ServerFrame? close = await client.ReadUntilCloseAsync();
        Assert.Equal(4001, close?.CloseCode);
        Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
    }

    public static TheoryData<string, int> MalformedFrames => new()
    {
        { "unmasked", 1002 },
        { "unknown data opcode", 1002 },
        { "unknown control opcode", 1002 },
        { "RSV1 without extension", 1002 },
        { "RSV3 without extension", 1002 },
        { "fragmented ping", 1002 },
        { "ping over 125 bytes", 1002 },
        { "continuation without message", 1002 },
        { "new message inside a fragmented one", 1002 },
        { "64-bit length with the top bit set", 1002 },
        { "close code 999", 1002 },
        { "close code 1005", 1002 },
        { "close code 2000", 1002 },
        { "close with 1 byte", 1002 },
        { "invalid UTF-8 text", 1007 },
        { "invalid UTF-8 across fragments", 1007 },
        { "invalid UTF-8 close reason", 1007 },
        { "message over maxHttpBufferSize", 1009 },
        { "fragments over maxHttpBufferSize", 1009 },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Malformed_frame_is_answered_with_its_close_code_and_the_connection_ends(string name, int code)
    {
        await using EngineTestHost host = await StartAsync();
        host.Echo = false;
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        await client.SendAsync(Build(client, name));

        ServerFrame? close = await client.ReadUntilCloseAsync();
        Assert.Equal(code, close?.CloseCode);
        Assert.Equal(2, close!.Payload.Length); // the code, an empty reason
        if (!name.StartsWith("close", StringComparison.Ordinal))
        {
            await client.SendAsync(client.CloseFrame(code)); // the answer; a client whose close frame failed owes none
        }

        Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(10)));
        ServerEvent closed = await host.NextAsync("close", sid);
        Assert.Equal("transport error", closed.Reason);
        await Wait.UntilAsync(() => host.Server.SessionCount == 0);
    }

    private static byte[] Build(RawFrameClient c, string name) => name switch
    {
        "unmasked" => c.Frame(RawFrameClient.Text, "4hi"u8.ToArray(), mask: false),
        "unknown data opcode" => c.Frame(3, "4hi"u8.ToArray()),
        "unknown control opcode" => c.Frame(0xB, []),
        "RSV1 without extension" => c.Frame(RawFrameClient.Text, "4hi"u8.ToArray(), rsv: 4),
        "RSV3 without extension" => c.Frame(RawFrameClient.Text, "4hi"u8.ToArray(), rsv: 1),
        "fragmented ping" => c.Frame(RawFrameClient.Ping, [1], fin: false),
        "ping over 125 bytes" => c.Frame(RawFrameClient.Ping, new byte[126]),
        "continuation without message" => c.Frame(0, "4hi"u8.ToArray()),
        "new message inside a fragmented one" => [.. c.Frame(RawFrameClient.Text, "4h"u8.ToArray(), fin: false), .. c.TextFrame("4i")],
        "64-bit length with the top bit set" => [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4],
        "close code 999" => c.CloseFrame(999),
        "close code 1005" => c.CloseFrame(1005),
        "close code 2000" => c.CloseFrame(2000),
        "close with 1 byte" => c.Frame(RawFrameClient.Close, [3]),
        "invalid UTF-8 text" => c.Frame(RawFrameClient.Text, [(byte)'4', 0xFF, 0xFE]),
        "invalid UTF-8 across fragments" => [.. c.Frame(RawFrameClient.Text, [(byte)'4', 0xC3], fin: false), .. c.Frame(0, [(byte)'x'])],
        "invalid UTF-8 close reason" => c.Frame(RawFrameClient.Close, [0x03, 0xE8, 0xC3, 0x28]),
        "message over maxHttpBufferSize" => c.TextFrame("4" + new string('a', 1000)),
        "fragments over maxHttpBufferSize" => [.. c.Frame(RawFrameClient.Text, Encoding.ASCII.GetBytes("4" + new string('a', 599)), fin: false), .. c.Frame(0, new byte[401])],
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public async Task Message_at_maxHttpBufferSize_in_fragments_is_accepted()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        await client.SendAsync(
            client.Frame(RawFrameClient.Text, Encoding.ASCII.GetBytes("4" + new string('a', 599)), fin: false),
            client.Frame(0, Encoding.ASCII.GetBytes(new string('b', 400))));

        Assert.Equal(999, (await host.NextAsync("message", sid)).Message.Data.Length);
    }

    [Fact]
    public async Task Server_close_sends_a_1000_close_frame_and_waits_for_the_answer()
    {
        await using EngineTestHost host = await StartAsync();
        (RawFrameClient client, string sid) = await OpenAsync(host);
        await using RawFrameClient _ = client;

        host.Socket(sid).Send("last");
        host.Socket(sid).Close();

        Assert.Equal("4last", (await client.ReadFrameAsync())!.Text);
        Assert.Equal(1000, (await client.ReadUntilCloseAsync())?.CloseCode);
        await client.SendAsync(client.CloseFrame(1000));
        Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ClientWebSocket_exchanges_large_fragmented_and_many_messages()
    {
        await using EngineTestHost host = await StartAsync(o => o.MaxHttpBufferSize = 1_000_000);
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query));
        await ws.ReceiveTextAsync(); // open

        byte[] big = Enumerable.Range(0, 300_000).Select(i => (byte)(i % 251)).ToArray();
        await ws.SendBinaryAsync(big);
        (WebSocketMessageType type, byte[] echoed) = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(big, echoed);

        byte[] text = Encoding.UTF8.GetBytes("4" + string.Concat(Enumerable.Repeat("é中😀", 5000)));
        for (int offset = 0; offset < text.Length; offset += 1000)
        {
            int count = Math.Min(1000, text.Length - offset);
            await ws.Socket.SendAsync(text.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == text.Length, CancellationToken.None);
        }

        Assert.Equal(Encoding.UTF8.GetString(text), await ws.ReceiveTextAsync());

        for (int i = 0; i < 200; i++)
        {
            await ws.SendTextAsync("4n" + i);
        }

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal("4n" + i, await ws.ReceiveTextAsync());
        }

        await ws.Socket.CloseAsync((WebSocketCloseStatus)4002, "done", CancellationToken.None);
        Assert.Equal((WebSocketCloseStatus)4002, ws.Socket.CloseStatus);
    }

    [Fact]
    public async Task A_message_larger_than_the_connections_buffers_reaches_a_client_that_reads_late_whole()
    {
        // 16 MB each way: more than the kernel's loopback buffers hold, so the echo's write cannot
        // complete at once and waits for the client, which reads only once it has sent everything.
        await using EngineTestHost host = await StartAsync(o => o.MaxHttpBufferSize = 17_000_000);
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query));
        await ws.ReceiveTextAsync(); // open

        byte[] big = new byte[16_000_000];
        new Random(7).NextBytes(big);
        await ws.SendBinaryAsync(big);
        await Task.Delay(500);
        (WebSocketMessageType type, byte[] echoed) = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.True(big.AsSpan().SequenceEqual(echoed), "the echo differs from what was sent");

        await ws.SendTextAsync("4after");
        Assert.Equal("4after", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Node_ws_client_gets_pongs_echoes_and_its_close_code_back()
    {
        await using EngineTestHost host = await StartAsync(o => o.MaxHttpBufferSize = 1_000_000);
        await using NodeDriver node = await NodeDriver.StartAsync("ws-frames.js", host.WebSocketUrl(Query).ToString());

        Assert.StartsWith("0{\"sid\"", (await node.NextAsync(e => Is(e, "open"))).GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("are you there", (await node.NextAsync(e => Is(e, "pong"))).GetProperty("text").GetString());
        Assert.Equal("4fragmented", (await node.NextAsync(e => Is(e, "message") && e.TryGetProperty("text", out _))).GetProperty("text").GetString());
        JsonElement binary = await node.NextAsync(e => Is(e, "message") && e.TryGetProperty("binary", out _));
        Assert.Equal(100 * 1024, binary.GetProperty("length").GetInt32());
        Assert.Equal(Enumerable.Range(0, 100 * 1024).Sum(i => i % 251) % 65536, binary.GetProperty("sum").GetInt32());
        JsonElement burst = await node.NextAsync(e => Is(e, "burst"));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "4burst " + i), burst.GetProperty("texts").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(4001, (await node.NextAsync(e => Is(e, "close"))).GetProperty("code").GetInt32());
        await node.NextAsync(e => Is(e, "done"));
    }

    private static bool Is(JsonElement e, string name) => e.GetProperty("event").GetString() == name;

    [Fact]
    public async Task AspNetCore_framing_option_still_serves_websocket_sessions()
    {
        await using EngineTestHost host = await StartAsync(o => o.WebSocketFraming = WebSocketFraming.AspNetCore);
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query));
        await ws.ReceiveTextAsync();

        await ws.SendTextAsync("4via aspnetcore");

        Assert.Equal("4via aspnetcore", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Seeded_fuzz_of_split_and_garbled_frames_never_crashes_and_always_ends_in_bounded_time()
    {
        await using EngineTestHost host = await StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromSeconds(2);
            o.PingTimeout = TimeSpan.FromSeconds(2);
        });

        for (int seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            (RawFrameClient client, string ignoredSid) = await OpenAsync(host, seed);
            await using RawFrameClient _ = client;
            var bytes = new List<byte>();
            int frames = random.Next(1, 12);
            for (int i = 0; i < frames; i++)
            {
                bytes.AddRange(RandomFrame(client, random));
                if (random.Next(4) == 0)
                {
                    // Garbage: flip bytes of what was built, or add random ones.
                    if (bytes.Count > 0 && random.Next(2) == 0)
                    {
                        bytes[random.Next(bytes.Count)] ^= (byte)random.Next(1, 256);
                    }
                    else
                    {
                        var junk = new byte[random.Next(1, 20)];
                        random.NextBytes(junk);
                        bytes.AddRange(junk);
                    }
                }
            }

            try
            {
                await client.SendSplitAsync([.. bytes], maxChunk: random.Next(1, 64));
                client.ShutdownSend();
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                // The server ended the connection already (a failure, after its close frame).
            }

            Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(15)), $"seed {seed}: the server kept the connection");
        }

        await Wait.UntilAsync(() => host.Server.SessionCount == 0, TimeSpan.FromSeconds(15));
        (RawFrameClient healthy, string sid) = await OpenAsync(host);
        await using RawFrameClient __ = healthy;
        await healthy.SendAsync(healthy.TextFrame("4still fine"));
        Assert.Equal("still fine", (await host.NextAsync("message", sid)).Message.Text);
    }

    private static byte[] RandomFrame(RawFrameClient client, Random random)
    {
        int kind = random.Next(8);
        byte[] payload = new byte[random.Next(0, kind == 7 ? 2000 : 140)];
        random.NextBytes(payload);
        return kind switch
        {
            0 => client.TextFrame("4" + new string('t', payload.Length)),
            1 => client.Frame(RawFrameClient.Binary, payload),
            2 => client.Frame(RawFrameClient.Ping, payload[..Math.Min(payload.Length, 125)]),
            3 => client.Frame(RawFrameClient.Text, Encoding.ASCII.GetBytes("4" + new string('f', payload.Length)), fin: false),
            4 => client.Frame(0, payload, fin: random.Next(2) == 0),
            5 => client.Frame(random.Next(16), payload, fin: random.Next(2) == 0, mask: random.Next(4) != 0, rsv: random.Next(8)),
            6 => client.CloseFrame(random.Next(0, 5000)),
            _ => client.Frame(RawFrameClient.Text, payload),
        };
    }
}

/// <summary>The framing tests with the WebSockets taken from the listener (<c>UseSocketIoWebSockets</c>).</summary>
public sealed class DirectWebSocketFramingTests : WebSocketFramingTests
{
    protected override void ConfigureListener(ListenOptions listen) => listen.UseSocketIoWebSockets();
}

/// <summary>The framing tests with the WebSockets served on their bare sockets (<c>UseSocketIoTransport</c>).</summary>
public sealed class BareSocketWebSocketFramingTests : WebSocketFramingTests
{
    protected override void ConfigureBuilder(WebApplicationBuilder builder) => builder.WebHost.UseSocketIoTransport();

    protected override void ConfigureListener(ListenOptions listen) => listen.UseSocketIoWebSockets();
}
