using TypedSocketIo.Interop.Tests.Reference;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// Where handlers run: at the end of the receive turn that read their event (a long-polling POST's
/// payload here, where the turn's end is visible from outside as the POST's answer).
/// </summary>
public sealed class ReceivePathTests
{
    [Fact]
    public async Task Handlers_of_a_POST_have_run_in_arrival_order_when_the_POST_is_answered()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.On("test", e => h.Record("test", e.Args.GetString(0) ?? "(null)"));
        }));
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40");
        Assert.StartsWith("40{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));

        await raw.PostAsync("42[\"test\",\"a\"]", "42[\"test\",\"b\"]", "42[\"test\",\"c\"]");

        // No wait: the POST is answered "ok" only once its turn, handlers included, is over.
        Assert.Equal(3, host.Count("test"));
        Assert.Equal(["a", "b", "c"], [await host.NextAsync("test"), await host.NextAsync("test"), await host.NextAsync("test")]);
    }

    [Fact]
    public async Task A_handler_that_awaits_does_not_hold_up_the_receive_path()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.On("slow", async _ =>
            {
                h.Record("slow", "started");
                await release.Task;
                h.Record("slow", "done");
            });
            s.On("next", _ => h.Record("next", "ran"));
        }));
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40");
        Assert.StartsWith("40{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));

        await raw.PostAsync("42[\"slow\"]");
        Assert.Equal(1, host.Count("slow"));
        await raw.PostAsync("42[\"next\"]"); // answered while the first handler still awaits

        // As in Node, a handler is not awaited: the next event's handler ran in the second POST's turn.
        Assert.Equal(1, host.Count("next"));
        Assert.Equal(1, host.Count("slow"));
        release.SetResult();
        Assert.Equal("started", await host.NextAsync("slow"));
        Assert.Equal("done", await host.NextAsync("slow"));
    }

    [Fact]
    public async Task An_event_followed_by_a_disconnect_in_the_same_POST_is_dropped_and_one_before_it_is_not()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.On("test", e => h.Record("test", e.Args.GetString(0) ?? "(null)"));
            s.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
        }));
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40");
        Assert.StartsWith("40{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));
        await raw.PostAsync("42[\"test\",\"kept\"]");
        Assert.Equal("kept", await host.NextAsync("test"));

        await raw.PostAsync("42[\"test\",\"dropped\"]", "41");

        // As in Node: the socket is gone when the turn's handlers run, so the event is not handled.
        Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));
        Assert.Equal(1, host.Count("test")); // "kept" only
    }
}
