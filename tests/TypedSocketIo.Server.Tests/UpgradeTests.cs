using System.Net;
using System.Net.WebSockets;
using System.Diagnostics;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class UpgradeTests
{
    private static string Q(string sid) => $"EIO=4&transport=polling&sid={sid}";

    [Fact]
    public async Task Upgrade_probe_releases_the_pending_poll_and_moves_buffered_packets_to_the_websocket()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.UpgradeTimeout = TimeSpan.FromSeconds(5));
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        EngineSocket socket = host.Socket(sid);
        var upgraded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.UpgradeCompleted += _ => upgraded.TrySetResult();
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));
        await ws.SendTextAsync("2probe");

        Assert.Equal("3probe", await ws.ReceiveTextAsync());
        var watch = Stopwatch.StartNew();
        Assert.Equal("6", (await poll.WaitAsync(TimeSpan.FromSeconds(2))).Text);
        Assert.True(watch.ElapsedMilliseconds < 1000);
        socket.Send("m1");
        socket.Send("m2");
        Assert.Equal("polling", socket.Transport);

        await ws.SendTextAsync("5");
        await upgraded.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("4m1", await ws.ReceiveTextAsync());
        Assert.Equal("4m2", await ws.ReceiveTextAsync());
        Assert.Equal("websocket", socket.Transport);
        Assert.True(socket.Upgraded);
        await ws.SendTextAsync("4over ws");
        Assert.Equal("4over ws", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Polls_during_the_upgrade_are_answered_with_noop_every_100ms()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));
        await ws.SendTextAsync("2probe");
        Assert.Equal("3probe", await ws.ReceiveTextAsync());

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("6", (await http.GetAsync(Q(sid)).WaitAsync(TimeSpan.FromSeconds(2))).Text);
        }
    }

    [Fact]
    public async Task After_the_upgrade_polling_requests_get_bad_request_and_a_second_websocket_is_closed()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        EngineSocket socket = host.Socket(sid);
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));
        await ws.SendTextAsync("2probe");
        Assert.Equal("3probe", await ws.ReceiveTextAsync());
        await ws.SendTextAsync("5");
        await Wait.UntilAsync(() => socket.Upgraded);

        RawResponse get = await http.GetAsync(Q(sid));
        RawResponse post = await http.PostAsync(Q(sid), "4x");
        await using RawWebSocket second = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));

        Assert.Equal("{\"code\":3,\"message\":\"Bad request\"}", get.Text);
        Assert.Equal(HttpStatusCode.BadRequest, post.Status);
        Assert.Equal(WebSocketMessageType.Close, (await second.ReceiveAsync()).Type);
        await ws.SendTextAsync("4still fine");
        Assert.Equal("4still fine", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task Second_websocket_during_an_upgrade_is_closed()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        await using RawWebSocket first = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));

        await using RawWebSocket second = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));

        Assert.Equal(WebSocketMessageType.Close, (await second.ReceiveAsync()).Type);
        await first.SendTextAsync("2probe");
        Assert.Equal("3probe", await first.ReceiveTextAsync());
    }

    [Fact]
    public async Task Upgrade_that_never_completes_is_abandoned_after_upgradeTimeout_and_polling_goes_on()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.UpgradeTimeout = TimeSpan.FromMilliseconds(300));
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));
        await ws.SendTextAsync("2probe");
        Assert.Equal("3probe", await ws.ReceiveTextAsync());

        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync(TimeSpan.FromSeconds(5))).Type);

        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
        Assert.Equal("polling", host.Socket(sid).Transport);
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked
        await Task.Delay(300); // a bounded negative check: an upgrade's noops (every 100 ms) would have answered it by now
        Assert.False(poll.IsCompleted); // long-polls normally again: no more noops
        host.Socket(sid).Send("back");
        Assert.Equal("4back", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
    }

    [Fact]
    public async Task Anything_but_a_probe_on_the_upgrading_websocket_aborts_the_upgrade_only()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));

        await ws.SendTextAsync("4hi");

        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync()).Type);
        Assert.Equal("ok", (await http.PostAsync(Q(sid), "4polling still works")).Text);
        Assert.Equal("4polling still works", (await http.GetAsync(Q(sid))).Text);
    }

    [Fact]
    public async Task Server_close_during_an_upgrade_closes_after_it_completes()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}"));
        await ws.SendTextAsync("2probe");
        Assert.Equal("3probe", await ws.ReceiveTextAsync());
        host.Socket(sid).Send("last");

        host.Socket(sid).Close();
        await ws.SendTextAsync("5");

        Assert.Equal("4last", await ws.ReceiveTextAsync());
        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync()).Type);
        Assert.Equal("forced close", (await host.NextAsync("close", sid)).Reason);
    }
}
