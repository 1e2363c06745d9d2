using System.Net.WebSockets;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Server_close_ends_every_session_with_server_shutting_down()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string polling, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync($"EIO=4&transport=polling&sid={polling}");
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        string webSocket = RawPolling.SidPattern.Match(await ws.ReceiveTextAsync()).Groups[1].Value;
        await Wait.UntilAsync(() => host.Socket(polling).PollWaiting); // the poll is parked

        host.Server.Close();

        Assert.Equal("1", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal(WebSocketMessageType.Close, (await ws.ReceiveAsync()).Type);
        var reasons = new[] { await host.NextAsync("close"), await host.NextAsync("close") };
        Assert.All(reasons, r => Assert.Equal("server shutting down", r.Reason));
        Assert.Equal(new[] { polling, webSocket }.Order(), reasons.Select(r => r.Sid).Order());
        Assert.Equal(0, host.Server.SessionCount);
        Assert.Equal(400, (int)(await http.GetAsync("EIO=4&transport=polling")).Status);
    }

    [Fact]
    public async Task Stopping_the_host_closes_sessions_and_releases_pending_polls()
    {
        var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync($"EIO=4&transport=polling&sid={sid}");
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked
        EngineSocket socket = host.Socket(sid);

        await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(EngineReadyState.Closed, socket.ReadyState);
        Assert.Equal("1", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
    }
}
