using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class EngineIO3Tests
{
    private static Task<EngineTestHost> StartAsync(Action<EngineIOOptions>? configure = null) =>
        EngineTestHost.StartAsync(o =>
        {
            o.AllowEIO3 = true;
            configure?.Invoke(o);
        });

    private static async Task<string> HandshakeAsync(RawPolling http, string extra = "")
    {
        RawResponse response = await http.GetAsync("EIO=3&transport=polling" + extra);
        int colon = response.Text.IndexOf(':');
        Assert.Equal(int.Parse(response.Text[..colon]), response.Text.Length - colon - 1);
        Assert.StartsWith("0{\"sid\":", response.Text[(colon + 1)..]);
        Assert.Equal("text/plain; charset=UTF-8", response.Header("Content-Type"));
        return RawPolling.SidPattern.Match(response.Text).Groups[1].Value;
    }

    private static string Q(string sid, string extra = "") => $"EIO=3&transport=polling&sid={sid}{extra}";

    [Fact]
    public async Task Handshake_is_length_prefixed()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        Regex open = new("^118:0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"\\],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000\\}$");

        Assert.Matches(open, (await http.GetAsync("EIO=3&transport=polling")).Text);
        Assert.Matches(open, (await http.GetAsync("EIO=3&transport=polling&b64=1")).Text);
        await HandshakeAsync(http);
    }

    [Fact]
    public async Task Text_payloads_are_length_prefixed_in_utf16_units()
    {
        await using var host = await StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);
        EngineSocket socket = host.Socket(sid);

        socket.Send("a");
        socket.Send("bé");
        socket.Send("é😀");
        Assert.Equal("2:4a3:4bé4:4é😀", (await http.GetAsync(Q(sid))).Text);
    }

    [Fact]
    public async Task Posted_text_payload_delivers_each_message()
    {
        await using var host = await StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);

        Assert.Equal("ok", (await http.PostAsync(Q(sid), "6:4hello4:4é😀6:b4AQID")).Text);

        Assert.Equal("hello", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal("é😀", (await host.NextAsync("message", sid)).Message.Text);
        EnginePacket binary = (await host.NextAsync("message", sid)).Message;
        Assert.Equal(new byte[] { 1, 2, 3 }, binary.Data.ToArray());
    }

    [Fact]
    public async Task Client_ping_is_answered_with_a_pong_without_data()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);

        await http.PostAsync(Q(sid), "1:2");
        Assert.Equal("1:3", (await http.GetAsync(Q(sid))).Text);
        await http.PostAsync(Q(sid), "6:2probe");
        Assert.Equal("1:3", (await http.GetAsync(Q(sid))).Text);
    }

    [Fact]
    public async Task Session_closes_after_pingInterval_plus_pingTimeout_without_a_client_ping()
    {
        await using var host = await StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);

        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(250); // the scenario: a v3 client pings on its own clock, past the ping interval
            await http.PostAsync(Q(sid), "1:2");
            Assert.Equal("1:3", (await http.GetAsync(Q(sid))).Text);
        }

        Assert.Equal(1, host.Server.SessionCount);
        Assert.Equal("1:1", (await http.GetAsync(Q(sid))).Text);
        Assert.Equal("ping timeout", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task A_v3_client_pong_is_an_invalid_heartbeat_direction()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);

        await http.PostAsync(Q(sid), "1:3");

        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "invalid heartbeat direction"), (close.Reason, close.Description));
    }

    [Fact]
    public async Task Binary_goes_as_a_binary_payload_without_b64()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);
        EngineSocket socket = host.Socket(sid);

        socket.SendBinary(new byte[] { 1, 2, 3 });
        socket.Send("hi");
        RawResponse response = await http.GetAsync(Q(sid));

        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        Assert.Equal(new byte[] { 0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03, 0x00, 0x03, 0xff, 0x34, 0x68, 0x69 }, response.Body);

        socket.Send("é€");
        socket.SendBinary(new byte[] { 0xff });
        Assert.Equal(new byte[] { 0x00, 0x06, 0xff, 0x34, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x01, 0x02, 0xff, 0x04, 0xff }, (await http.GetAsync(Q(sid))).Body);
    }

    [Fact]
    public async Task Binary_goes_as_base64_text_with_b64()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http, "&b64=1");
        EngineSocket socket = host.Socket(sid);

        socket.SendBinary(new byte[] { 1, 2, 3 });
        socket.Send("hi");
        RawResponse response = await http.GetAsync(Q(sid, "&b64=1"));

        Assert.Equal("text/plain; charset=UTF-8", response.Header("Content-Type"));
        Assert.Equal("6:b4AQID3:4hi", response.Text);
    }

    [Fact]
    public async Task Binary_payload_posted_by_a_v3_client_is_accepted()
    {
        await using var host = await StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);

        RawResponse response = await http.PostAsync(Q(sid), new byte[] { 0x00, 0x03, 0xff, 0x34, 0x68, 0x69, 0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03 }, "application/octet-stream");

        Assert.Equal("ok", response.Text);
        Assert.Equal("hi", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await host.NextAsync("message", sid)).Message.Data.ToArray());
    }

    [Fact]
    public async Task Websocket_binary_frames_carry_the_packet_type_byte()
    {
        await using var host = await StartAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=3&transport=websocket"));
        Assert.StartsWith("0{\"sid\"", await ws.ReceiveTextAsync());

        await ws.SendBinaryAsync([0x04, 0x09, 0x08]);
        (WebSocketMessageType type, byte[] data) = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 0x04, 0x09, 0x08 }, data);

        await ws.SendTextAsync("2");
        Assert.Equal("3", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Client_close_gets_a_length_prefixed_noop()
    {
        await using var host = await StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        string sid = await HandshakeAsync(http);
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        await http.PostAsync(Q(sid), "1:1");

        Assert.Equal("1:6", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
    }
}
