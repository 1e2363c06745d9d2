using System.Diagnostics;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// Clients that stop reading while the server writes to them: whatever is in flight, a closed
/// session releases its connection in bounded time, and the send buffer has a bound.
/// </summary>
public sealed class StalledReaderTests
{
    private static readonly string Chunk = new('x', 64 * 1024);

    /// <summary>Writes to the session until the server is blocked on it (more than the kernel buffers take).</summary>
    private static void Flood(EngineTestHost host, string sid, int messages)
    {
        for (int i = 0; i < messages; i++)
        {
            host.Socket(sid).Send(Chunk);
        }
    }

    private static string SidOf(StalledReader reader) => RawPolling.SidPattern.Match(reader.FirstFrame).Groups[1].Value;

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_by_the_heartbeat_and_its_connection_is_cut_within_a_bounded_time()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(300);
            o.PingTimeout = TimeSpan.FromMilliseconds(200);
            o.MaxSendBufferSize = 64_000_000; // this test is about the heartbeat's close, not the buffer's limit
        });
        host.Echo = false;
        using StalledReader reader = await StalledReader.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        string sid = SidOf(reader);
        Flood(host, sid, 200); // 13 MB: the write blocks once the kernel's buffers are full

        Assert.Equal("ping timeout", (await host.NextAsync("close", sid, TimeSpan.FromSeconds(10))).Reason);
        var sinceClose = Stopwatch.StartNew();
        await Wait.UntilAsync(() => !reader.ServerSideOpen(host.BaseUri.Port), TimeSpan.FromSeconds(10));

        // The forced close gives the write under way a second, then cuts the connection.
        Assert.InRange(sinceClose.ElapsedMilliseconds, 0, 3000);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task Past_MaxSendBufferSize_the_session_closes_with_send_buffer_full_and_others_keep_working()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.MaxSendBufferSize = 1_000_000);
        host.Echo = false;
        using StalledReader reader = await StalledReader.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        await using RawWebSocket bystander = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        string bystanderSid = RawPolling.SidPattern.Match(await bystander.ReceiveTextAsync()).Groups[1].Value;
        string sid = SidOf(reader);

        int sent = 0;
        while (sent < 1000 && host.Socket(sid).Send(Chunk))
        {
            sent++;
        }

        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "send buffer full"), (close.Reason, close.Description));
        Assert.InRange(sent, 1, 999); // a bounded number of writes went through; the next was refused
        await Wait.UntilAsync(() => !reader.ServerSideOpen(host.BaseUri.Port), TimeSpan.FromSeconds(5));

        host.Socket(bystanderSid).Send("still here");
        Assert.Equal("4still here", await bystander.ReceiveTextAsync());
    }

    [Fact]
    public async Task Shutdown_with_a_client_that_stopped_reading_finishes_within_the_graceful_close_bound()
    {
        var host = await EngineTestHost.StartAsync(o => o.MaxSendBufferSize = 64_000_000);
        host.Echo = false;
        using StalledReader reader = await StalledReader.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));
        Flood(host, SidOf(reader), 200);

        var watch = Stopwatch.StartNew();
        await host.DisposeAsync();

        // 5 s for the graceful close, then the connection is cut (it was 30 s: the host's own limit).
        Assert.InRange(watch.ElapsedMilliseconds, 0, 8000);
        Assert.False(reader.ServerSideOpen(host.BaseUri.Port));
    }
}
