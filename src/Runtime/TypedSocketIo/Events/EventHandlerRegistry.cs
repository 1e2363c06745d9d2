namespace TypedSocketIo.Events;

/// <summary>
/// The handlers of a socket's events by name, several per event, added and removed from any thread
/// while events are dispatched. One implementation for the server's socket and the client's.
/// </summary>
/// <remarks>
/// The handlers are a snapshot, an array of (name, handlers) pairs replaced whole on each change
/// and read without a lock. A socket has a handful of events, registered once: a scan of a few
/// pairs finds them as fast as a dictionary would, and a socket keeps two small arrays per event
/// instead of a dictionary, a list per event and a lock.
/// </remarks>
/// <typeparam name="TEvent">The incoming event type handed to the handlers.</typeparam>
internal sealed class EventHandlerRegistry<TEvent>
    where TEvent : IncomingEvent
{
    private Entry[] _entries = [];

    // Each handler is kept as it was given, with no wrapper: a Func<TEvent, Task>, an
    // Action<TEvent> or an IncomingEventHandler (Invoke tells them apart).
    private readonly record struct Entry(string Name, object[] Handlers);

    /// <summary>Adds <paramref name="handler"/> for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable Add(string eventName, Func<TEvent, Task> handler) => AddHandler(eventName, handler);

    /// <summary>Adds a handler that completes synchronously.</summary>
    public IDisposable Add(string eventName, Action<TEvent> handler) => AddHandler(eventName, handler);

    /// <summary>Adds a handler object (what generated typed handlers register).</summary>
    public IDisposable Add(string eventName, IncomingEventHandler handler) => AddHandler(eventName, handler);

    private Removal AddHandler(string eventName, object handler)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        Update(eventName, handlers => [.. handlers, handler]);
        return new Removal(this, eventName, handler);
    }

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Remove(string eventName) => Update(eventName, static _ => []);

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int Count(string eventName) => Find(Volatile.Read(ref _entries), eventName)?.Length ?? 0;

    private static object[]? Find(Entry[] entries, string eventName) =>
        IndexOf(entries, eventName) is var index and >= 0 ? entries[index].Handlers : null;

    private static int IndexOf(Entry[] entries, string eventName)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Name, eventName, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Calls the handlers of <paramref name="eventName"/> in the order they were added. A handler
    /// that throws, or whose task fails later, is reported to <paramref name="failed"/> (with
    /// <paramref name="state"/> and the event name) and does not stop the others; asynchronous
    /// handlers are not awaited.
    /// </summary>
    public void Invoke<TState>(string eventName, TEvent e, TState state, Action<TState, string, Exception> failed)
    {
        object[]? handlers = Find(Volatile.Read(ref _entries), eventName);
        if (handlers is null)
        {
            return;
        }

        foreach (object handler in handlers)
        {
            try
            {
                Task task;
                if (handler is Func<TEvent, Task> func)
                {
                    task = func(e);
                }
                else if (handler is Action<TEvent> action)
                {
                    action(e);
                    continue;
                }
                else
                {
                    task = ((IncomingEventHandler)handler).HandleAsync(e);
                }

                if (!task.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(task, eventName, state, failed);
                }
            }
            catch (Exception ex)
            {
                failed(state, eventName, ex);
            }
        }
    }

    /// <summary>Replaces the handlers of <paramref name="eventName"/> by <paramref name="change"/> of them (an event left with none is dropped).</summary>
    private void Update(string eventName, Func<object[], object[]> change)
    {
        while (true)
        {
            Entry[] current = Volatile.Read(ref _entries);
            int index = IndexOf(current, eventName);
            object[] handlers = change(index < 0 ? [] : current[index].Handlers);
            Entry[] next;
            if (index < 0)
            {
                if (handlers.Length == 0)
                {
                    return;
                }

                next = [.. current, new Entry(eventName, handlers)];
            }
            else if (handlers.Length == 0)
            {
                next = [.. current.AsSpan(0, index), .. current.AsSpan(index + 1)];
            }
            else
            {
                next = [.. current];
                next[index] = new Entry(eventName, handlers);
            }

            if (Interlocked.CompareExchange(ref _entries, next, current) == current)
            {
                return;
            }
        }
    }

    private static async Task ObserveAsync<TState>(Task task, string eventName, TState state, Action<TState, string, Exception> failed)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failed(state, eventName, ex);
        }
    }

    private sealed class Removal(EventHandlerRegistry<TEvent> owner, string eventName, object handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Update(eventName, handlers =>
                {
                    int index = Array.IndexOf(handlers, handler);
                    return index < 0 ? handlers : [.. handlers.AsSpan(0, index), .. handlers.AsSpan(index + 1)];
                });
            }
        }
    }
}
