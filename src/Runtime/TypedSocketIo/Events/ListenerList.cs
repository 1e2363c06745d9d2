namespace TypedSocketIo.Client;

/// <summary>
/// The handlers of one client event: copy-on-write, so handlers are added and removed from any
/// thread while others run. A handler that throws is reported and does not stop the others.
/// </summary>
internal sealed class Handlers<T>
    where T : Delegate
{
    private T[] _items = [];

    public T[] Items => Volatile.Read(ref _items);

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

    private sealed class Removal(Handlers<T> owner, T handler) : IDisposable
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
