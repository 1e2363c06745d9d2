namespace TypedSocketIo.Events;

/// <summary>
/// A list of listeners (the handlers of one event, catch-all listeners, life-cycle listeners),
/// copy-on-write, so listeners are added and removed from any thread while others run without a
/// lock. A listener that throws is reported and does not stop the others. Used by the server's
/// socket and the client's alike.
/// </summary>
internal sealed class ListenerList<T>
    where T : Delegate
{
    private T[] _items = [];

    public T[] Items => Volatile.Read(ref _items);

    /// <summary>Adds <paramref name="handler"/> (first when <paramref name="prepend"/>); dispose the result to remove it.</summary>
    public IDisposable Add(T handler, bool prepend = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        while (true)
        {
            T[] current = Volatile.Read(ref _items);
            T[] next = prepend ? [handler, .. current] : [.. current, handler];
            if (Interlocked.CompareExchange(ref _items, next, current) == current)
            {
                return new Removal(this, handler);
            }
        }
    }

    /// <summary>Removes <paramref name="handler"/>, or every listener when it is null.</summary>
    public void Remove(T? handler)
    {
        while (true)
        {
            T[] current = Volatile.Read(ref _items);
            T[] next;
            if (handler is null)
            {
                next = [];
            }
            else
            {
                int index = Array.IndexOf(current, handler);
                if (index < 0)
                {
                    return;
                }

                next = [.. current.AsSpan(0, index), .. current.AsSpan(index + 1)];
            }

            if (Interlocked.CompareExchange(ref _items, next, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Calls every handler; <paramref name="failed"/> hears of those that throw.</summary>
    public void Invoke<TState>(Action<T, TState> call, TState state, Action<Exception> failed)
    {
        foreach (T handler in Volatile.Read(ref _items))
        {
            try
            {
                call(handler, state);
            }
            catch (Exception ex)
            {
                failed(ex);
            }
        }
    }

    private sealed class Removal(ListenerList<T> owner, T handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(handler);
            }
        }
    }
}
