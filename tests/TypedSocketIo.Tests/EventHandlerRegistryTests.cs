using TypedSocketIo.Events;

namespace TypedSocketIo.Tests;

/// <summary>The handlers of a socket's events by name, shared by the server's socket and the client's.</summary>
public sealed class EventHandlerRegistryTests
{
    private static readonly Action<List<string>, string, Exception> Record = static (failures, name, ex) => failures.Add($"{name}: {ex.Message}");

    [Fact]
    public void Handlers_run_in_the_order_they_were_added_and_only_for_their_event()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var calls = new List<string>();
        registry.Add("a", e => calls.Add($"a1:{e}"));
        registry.Add("b", e => calls.Add($"b1:{e}"));
        registry.Add("a", e => calls.Add($"a2:{e}"));

        registry.Invoke("a", new TestEvent(7), new List<string>(), Record);
        registry.Invoke("b", new TestEvent(8), new List<string>(), Record);
        registry.Invoke("c", new TestEvent(9), new List<string>(), Record);

        Assert.Equal(["a1:7", "a2:7", "b1:8"], calls);
        Assert.Equal(2, registry.Count("a"));
        Assert.Equal(1, registry.Count("b"));
        Assert.Equal(0, registry.Count("c"));
    }

    [Fact]
    public void Disposing_a_registration_removes_that_handler_alone_and_twice_is_harmless()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var calls = new List<string>();
        IDisposable first = registry.Add("a", _ => calls.Add("first"));
        registry.Add("a", _ => calls.Add("second"));
        IDisposable third = registry.Add("a", _ => calls.Add("third"));

        first.Dispose();
        first.Dispose();
        registry.Invoke("a", new TestEvent(0), new List<string>(), Record);
        third.Dispose();
        registry.Invoke("a", new TestEvent(0), new List<string>(), Record);

        Assert.Equal(["second", "third", "second"], calls);
        Assert.Equal(1, registry.Count("a"));
    }

    [Fact]
    public void Removing_an_event_drops_all_its_handlers_and_leaves_the_others()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var calls = new List<string>();
        registry.Add("a", _ => calls.Add("a"));
        registry.Add("a", _ => calls.Add("a again"));
        registry.Add("b", _ => calls.Add("b"));

        registry.Remove("a");
        registry.Remove("never added");
        registry.Invoke("a", new TestEvent(0), new List<string>(), Record);
        registry.Invoke("b", new TestEvent(0), new List<string>(), Record);

        Assert.Equal(["b"], calls);
        Assert.Equal(0, registry.Count("a"));
    }

    [Fact]
    public async Task A_handler_that_throws_or_fails_later_is_reported_and_the_others_still_run()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var later = new TaskCompletionSource();
        var calls = new List<string>();
        registry.Add("a", (Action<TestEvent>)(_ => throw new InvalidOperationException("at once")));
        registry.Add("a", _ => later.Task);
        registry.Add("a", _ => calls.Add("third"));
        var failures = new List<string>();

        registry.Invoke("a", new TestEvent(0), failures, Record);
        later.SetException(new InvalidOperationException("later"));
        await Task.Yield();
        for (int i = 0; i < 100 && failures.Count < 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(["third"], calls);
        Assert.Equal(["a: at once", "a: later"], failures);
    }

    [Fact]
    public void Handlers_added_and_removed_from_many_threads_are_all_accounted_for()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var kept = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 400, i =>
        {
            IDisposable registration = registry.Add("e" + (i % 4), _ => kept.Add(i));
            if (i % 2 == 1)
            {
                registration.Dispose();
            }
        });

        for (int e = 0; e < 4; e++)
        {
            registry.Invoke("e" + e, new TestEvent(0), new List<string>(), Record);
        }

        Assert.Equal(200, kept.Count);
        Assert.All(kept, i => Assert.Equal(0, i % 2));
        Assert.Equal(100, registry.Count("e0")); // the even ones: kept
        Assert.Equal(0, registry.Count("e1")); // the odd ones: all removed, and the event with them
    }

    [Fact]
    public async Task Handler_objects_run_in_order_with_delegates_are_removed_alone_and_their_failures_reported()
    {
        var registry = new EventHandlerRegistry<TestEvent>();
        var calls = new List<string>();
        var later = new TaskCompletionSource();
        registry.Add("a", e => calls.Add($"delegate:{e}"));
        IDisposable recording = registry.Add("a", new RecordingHandler(calls, Task.CompletedTask));
        registry.Add("a", new RecordingHandler(calls, later.Task));
        var failures = new List<string>();

        registry.Invoke("a", new TestEvent(3), failures, Record);
        recording.Dispose();
        registry.Invoke("a", new TestEvent(4), failures, Record);
        later.SetException(new InvalidOperationException("later"));
        for (int i = 0; i < 100 && failures.Count < 2; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(["delegate:3", "object:3", "object:3", "delegate:4", "object:4"], calls);
        Assert.Equal(["a: later", "a: later"], failures);
        Assert.Equal(2, registry.Count("a"));
    }

    /// <summary>An event carrying a number, which it prints.</summary>
    public sealed class TestEvent(int value) : IncomingEvent("test", Protocol.SocketIoArgs.Empty, null)
    {
        public override CancellationToken Aborted => CancellationToken.None;

        public override string ToString() => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments) => false;

        protected override void LogRejected(string reason)
        {
        }
    }

    private sealed class RecordingHandler(List<string> calls, Task result) : IncomingEventHandler
    {
        public override Task HandleAsync(IncomingEvent e)
        {
            calls.Add($"object:{e}");
            return result;
        }
    }
}
