using System.Net.WebSockets;
using System.Text;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class WebSocketTests
{
    private static async Task<(RawWebSocket Ws, string Sid)> OpenAsync(EngineTestHost host, string query = "EIO=4&transport=websocket")
    {
        RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(query));
        string open = await ws.ReceiveTextAsync();
        return (ws, RawPolling.SidPattern.Match(open).Groups[1].Value);
    }

    [Fact]
    public async Task Text_and_binary_messages_travel_as_frames_both_ways()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);
        await using RawWebSocket _ = ws;

        await ws.SendTextAsync("4héllo 中文 😀");
        await ws.SendBinaryAsync([1, 2, 3]);

        Assert.Equal("4héllo 中文 😀", await ws.ReceiveTextAsync());
        (WebSocketMessageType type, byte[] data) = await ws.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
        EnginePacket binary = (await host.NextAsync("message", sid)).Message;
        Assert.Equal("héllo 中文 😀", binary.Text);
    }

    [Fact]
    public async Task Many_messages_without_delay_arrive_in_order()
    {
        await using var host = await EngineTestHost.StartAsync();
        host.Echo = false;
        (RawWebSocket ws, string sid) = await OpenAsync(host);
        await using RawWebSocket _ = ws;
        EngineSocket socket = host.Socket(sid);

        for (int i = 0; i < 500; i++)
        {
            socket.Send(i.ToString());
        }

        for (int i = 0; i < 500; i++)
        {
            Assert.Equal("4" + i, await ws.ReceiveTextAsync());
        }
    }

    [Fact]
    public async Task Message_at_maxHttpBufferSize_is_accepted_and_over_it_closes_only_that_session()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.MaxHttpBufferSize = 1000);
        host.Echo = false;
        (RawWebSocket victim, string victimSid) = await OpenAsync(host);
        (RawWebSocket bystander, string bystanderSid) = await OpenAsync(host);
        await using RawWebSocket _ = victim, __ = bystander;

        await victim.SendTextAsync("4" + new string('a', 999));
        Assert.Equal(999, (await host.NextAsync("message", victimSid)).Message.Data.Length);
        await victim.SendTextAsync("4" + new string('a', 1000));

        (WebSocketMessageType type, byte[] ignored) = await victim.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, victim.CloseStatus);
        Assert.Equal("transport error", (await host.NextAsync("close", victimSid)).Reason);
        await bystander.SendTextAsync("4still here");
        Assert.Equal("still here", (await host.NextAsync("message", bystanderSid)).Message.Text);
    }

    [Fact]
    public async Task Client_closing_the_websocket_closes_the_session_with_transport_close()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);

        await ws.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
        Assert.Equal(0, host.Server.SessionCount);
        await ws.DisposeAsync();
    }

    [Fact]
    public async Task Client_dropping_the_connection_closes_the_session()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);

        ws.Socket.Abort();

        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
        await ws.DisposeAsync();
    }

    [Fact]
    public async Task Server_close_sends_queued_messages_then_closes_the_websocket()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);
        await using RawWebSocket _ = ws;
        EngineSocket socket = host.Socket(sid);

        socket.Send("bye");
        socket.Close();

        Assert.Equal("4bye", await ws.ReceiveTextAsync());
        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync()).Type);
        Assert.Equal("forced close", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task Malformed_frame_closes_the_session_with_parse_error()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);
        await using RawWebSocket _ = ws;

        await ws.SendTextAsync("x");

        Assert.Equal("parse error", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task Close_packet_over_websocket_is_ignored_as_in_the_reference()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawWebSocket ws, string sid) = await OpenAsync(host);
        await using RawWebSocket _ = ws;

        await ws.SendTextAsync("1");
        await ws.SendTextAsync("4after");

        Assert.Equal("4after", await ws.ReceiveTextAsync());
        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
    }

    [Fact]
    public async Task PerMessageDeflate_is_off_by_default()
    {
        await using var host = await EngineTestHost.StartAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"),
            o => { o.DangerousDeflateOptions = new WebSocketDeflateOptions(); o.CollectHttpResponseDetails = true; });

        Assert.False(ws.Socket.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") ?? false);
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task PerMessageDeflate_is_negotiated_when_enabled_and_messages_round_trip()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.PerMessageDeflate = new PerMessageDeflateOptions { Threshold = 0 });
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"),
            o => { o.DangerousDeflateOptions = new WebSocketDeflateOptions(); o.CollectHttpResponseDetails = true; });

        Assert.Contains("permessage-deflate", string.Join(",", ws.Socket.HttpResponseHeaders!["Sec-WebSocket-Extensions"]));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
        string big = "4" + new string('z', 10_000);
        await ws.SendTextAsync(big);
        Assert.Equal(big, await ws.ReceiveTextAsync());
    }
}
