using TypedSocketIo.Events;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Tests;

public sealed class ReceiveTurnTests
{
    [Fact]
    public void Deferred_work_runs_in_order_on_the_same_thread_when_the_turn_ends()
    {
        var ran = new List<(string Name, int Thread)>();
        ReceiveTurn turn = ReceiveTurn.Begin()!;

        Assert.True(ReceiveTurn.TryDefer(s => ran.Add(((string)s, Environment.CurrentManagedThreadId)), "first"));
        Assert.True(ReceiveTurn.TryDefer(s => ran.Add(((string)s, Environment.CurrentManagedThreadId)), "second"));
        Assert.Empty(ran);
        turn.End();

        Assert.Equal(["first", "second"], ran.Select(r => r.Name));
        Assert.All(ran, r => Assert.Equal(Environment.CurrentManagedThreadId, r.Thread));
        Assert.False(ReceiveTurn.Active);
    }

    [Fact]
    public void Outside_a_turn_nothing_is_deferred()
    {
        Assert.False(ReceiveTurn.Active);
        Assert.False(ReceiveTurn.TryDefer(_ => throw new InvalidOperationException("must not run"), new object()));
    }

    [Fact]
    public void A_turn_begun_inside_another_is_null_and_its_work_joins_the_outer_one()
    {
        var ran = new List<string>();
        ReceiveTurn outer = ReceiveTurn.Begin()!;
        Assert.Null(ReceiveTurn.Begin());
        ReceiveTurn.TryDefer(s => ran.Add((string)s), "inner");
        Assert.Empty(ran);
        outer.End();

        Assert.Equal(["inner"], ran);
    }

    [Fact]
    public void Work_deferred_while_the_turn_ends_runs_before_it_is_over()
    {
        var ran = new List<string>();
        ReceiveTurn turn = ReceiveTurn.Begin()!;
        ReceiveTurn.TryDefer(_ =>
        {
            ran.Add("handler");
            Assert.True(ReceiveTurn.TryDefer(s => ran.Add((string)s), "what the handler's write left"));
        }, new object());
        turn.End();

        Assert.Equal(["handler", "what the handler's write left"], ran);
        Assert.False(ReceiveTurn.Active);
    }

    [Fact]
    public void Work_that_throws_does_not_stop_the_rest_and_its_exception_comes_out_of_End()
    {
        var ran = new List<string>();
        ReceiveTurn turn = ReceiveTurn.Begin()!;
        ReceiveTurn.TryDefer(_ => throw new InvalidOperationException("boom"), new object());
        ReceiveTurn.TryDefer(s => ran.Add((string)s), "after");

        Assert.Equal("boom", Assert.Throws<InvalidOperationException>(turn.End).Message);
        Assert.Equal(["after"], ran);
        Assert.False(ReceiveTurn.Active);
    }

    [Fact]
    public async Task An_inbox_in_the_receive_turn_processes_at_its_end_and_one_outside_it_on_the_thread_pool()
    {
        var inTurn = new List<int>();
        var inTurnInbox = new EventInbox<int>((_, i) => { inTurn.Add(i); return Task.CompletedTask; }, this, limit: 10, preferLocal: true, inReceiveTurn: true);
        var pooled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var poolInbox = new EventInbox<int>((_, i) => { pooled.TrySetResult(i); return Task.CompletedTask; }, this, limit: 10, preferLocal: false);
        ReceiveTurn turn = ReceiveTurn.Begin()!;

        Assert.True(inTurnInbox.TryPost(1));
        Assert.True(inTurnInbox.TryPost(2));
        Assert.True(poolInbox.TryPost(3));
        Assert.Empty(inTurn);
        turn.End();

        Assert.Equal([1, 2], inTurn);
        Assert.Equal(3, await pooled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Outside_a_turn_an_inbox_in_the_receive_turn_processes_on_the_thread_pool()
    {
        var processed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = new EventInbox<int>((_, i) => { processed.TrySetResult(i); return Task.CompletedTask; }, this, limit: 10, preferLocal: true, inReceiveTurn: true);

        Assert.True(inbox.TryPost(7));

        Assert.Equal(7, await processed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
