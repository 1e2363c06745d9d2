namespace TypedSocketIo.Events;

/// <summary>
/// The handlers of a socket's events by name, several per event, added and removed from any thread
/// while events are dispatched. One implementation for the server's socket and the client's.
/// </summary>
/// <typeparam name="TEvent">The incoming event type handed to the handlers.</typeparam>
internal sealed class EventHandlerRegistry<TEvent>
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ListenerList<Func<TEvent, Task>>> _handlers = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="handler"/> for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable Add(string eventName, Func<TEvent, Task> handler)
    {
        ListenerList<Func<TEvent, Task>>? list;
        lock (_lock)
        {
            if (!_handlers.TryGetValue(eventName, out list))
            {
                list = new ListenerList<Func<TEvent, Task>>();
                _handlers.Add(eventName, list);
            }
        }

        return list.Add(handler);
    }

    /// <summary>Adds a handler that completes synchronously.</summary>
    public IDisposable Add(string eventName, Action<TEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(eventName, e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Remove(string eventName)
    {
        lock (_lock)
        {
            _handlers.Remove(eventName);
        }
    }

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int Count(string eventName)
    {
        lock (_lock)
        {
            return _handlers.TryGetValue(eventName, out ListenerList<Func<TEvent, Task>>? list) ? list.Items.Length : 0;
        }
    }

    /// <summary>
    /// Calls the handlers of <paramref name="eventName"/> in the order they were added. A handler
    /// that throws, or whose task fails later, is reported to <paramref name="failed"/> (with the
    /// event name) and does not stop the others; asynchronous handlers are not awaited.
    /// </summary>
    public void Invoke(string eventName, TEvent e, Action<string, Exception> failed)
    {
        ListenerList<Func<TEvent, Task>>? list;
        lock (_lock)
        {
            _handlers.TryGetValue(eventName, out list);
        }

        if (list is null)
        {
            return;
        }

        foreach (Func<TEvent, Task> handler in list.Items)
        {
            try
            {
                Task task = handler(e);
                if (!task.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(task, eventName, failed);
                }
            }
            catch (Exception ex)
            {
                failed(eventName, ex);
            }
        }
    }

    private static async Task ObserveAsync(Task task, string eventName, Action<string, Exception> failed)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failed(eventName, ex);
        }
    }
}
