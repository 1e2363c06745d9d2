using System.Diagnostics;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class HeartbeatTests
{
    private static string Q(string sid) => $"EIO=4&transport=polling&sid={sid}";

    [Fact]
    public async Task Server_pings_every_pingInterval_and_a_pong_keeps_the_session()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(300);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal("2", (await http.GetAsync(Q(sid))).Text);
            Assert.InRange(watch.ElapsedMilliseconds, 150, 2000);
            Assert.Equal("ok", (await http.PostAsync(Q(sid), "3")).Text);
        }

        Assert.Equal(1, host.Server.ClientsCount);
    }

    [Fact]
    public async Task Missing_pong_closes_with_ping_timeout_and_the_pending_poll_gets_close()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal("2", (await http.GetAsync(Q(sid))).Text);
        Assert.Equal("1", (await http.GetAsync(Q(sid))).Text);

        Assert.Equal("ping timeout", (await host.NextAsync("close", sid)).Reason);
        Assert.Equal("{\"code\":1,\"message\":\"Session ID unknown\"}", (await http.GetAsync(Q(sid))).Text);
    }

    [Fact]
    public async Task Ping_timeout_fires_without_any_outstanding_poll()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal("ping timeout", (await host.NextAsync("close", sid, TimeSpan.FromSeconds(5))).Reason);
    }

    [Fact]
    public async Task Websocket_heartbeat_keeps_an_answering_client_and_drops_a_silent_one()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
        });
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        string sid = RawPolling.SidPattern.Match(await ws.ReceiveTextAsync()).Groups[1].Value;

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("2", await ws.ReceiveTextAsync());
            await ws.SendTextAsync("3");
        }

        Assert.Equal(1, host.Server.ClientsCount);
        Assert.Equal("2", await ws.ReceiveTextAsync());
        Assert.Equal("ping timeout", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task A_v4_client_ping_is_an_invalid_heartbeat_direction()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        await http.PostAsync(Q(sid), "2");

        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "invalid heartbeat direction"), (close.Reason, close.Description));
    }
}
