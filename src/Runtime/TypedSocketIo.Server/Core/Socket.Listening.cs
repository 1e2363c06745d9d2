using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>The socket's handlers: by event name, catch-all, outgoing catch-all, and packet middleware.</summary>
public sealed partial class Socket
{
    // ------------------------------------------------------------------ listening

    /// <summary>Adds a handler for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable On(string eventName, Action<SocketIoEvent> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return _handlers.Add(eventName, handler);
    }

    /// <summary>Adds an asynchronous handler for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable On(string eventName, Func<SocketIoEvent, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _handlers.Add(eventName, handler);
    }

    /// <summary>Adds a handler whose result is the acknowledgement (sent when the client asked for one).</summary>
    public IDisposable OnWithAck(string eventName, Func<SocketIoEvent, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On(eventName, async e =>
        {
            object? result = await handler(e).ConfigureAwait(false);
            e.Ack(result);
        });
    }

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Off(string eventName) => _handlers.Remove(eventName);

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int ListenerCount(string eventName) => _handlers.Count(eventName);

    /// <summary>Adds a listener called for every incoming event, after the others already added.</summary>
    public IDisposable OnAny(Action<SocketIoEvent> listener) => _anyListeners.Add(listener);

    /// <summary>Adds a listener called for every incoming event, before the others.</summary>
    public IDisposable PrependAny(Action<SocketIoEvent> listener) => _anyListeners.Add(listener, prepend: true);

    /// <summary>Removes one catch-all listener, or all of them when <paramref name="listener"/> is null.</summary>
    public void OffAny(Action<SocketIoEvent>? listener = null) => _anyListeners.Remove(listener);

    /// <summary>The catch-all listeners.</summary>
    public IReadOnlyList<Action<SocketIoEvent>> ListenersAny() => _anyListeners.Items;

    /// <summary>Adds a listener called for every outgoing event (name and arguments), broadcasts included.</summary>
    public IDisposable OnAnyOutgoing(Action<string, SocketIoArgs> listener) => _anyOutgoingListeners.Add(listener);

    /// <summary>Adds an outgoing listener before the others.</summary>
    public IDisposable PrependAnyOutgoing(Action<string, SocketIoArgs> listener) => _anyOutgoingListeners.Add(listener, prepend: true);

    /// <summary>Removes one outgoing listener, or all of them.</summary>
    public void OffAnyOutgoing(Action<string, SocketIoArgs>? listener = null) => _anyOutgoingListeners.Remove(listener);

    /// <summary>The outgoing catch-all listeners.</summary>
    public IReadOnlyList<Action<string, SocketIoArgs>> ListenersAnyOutgoing() => _anyOutgoingListeners.Items;

    /// <summary>
    /// Adds packet middleware, run for every incoming event before its handlers. Throwing (or not
    /// calling next) stops the event; an exception raises <see cref="Error"/>.
    /// </summary>
    public Socket Use(Func<SocketIoEvent, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        lock (_lock)
        {
            System.Threading.Volatile.Write(ref _middleware, [.. _middleware, middleware]);
        }

        return this;
    }
}
