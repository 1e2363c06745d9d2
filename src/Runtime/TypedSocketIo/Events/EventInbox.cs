using TypedSocketIo.Threading;

namespace TypedSocketIo.Events;

/// <summary>
/// A socket's incoming events, processed one at a time in arrival order, with a bound on how many
/// may wait. When processing an event returns a task that is not complete (asynchronous middleware
/// or handler), the next event waits for it. One implementation for the server's socket and the
/// client's. Where the events are processed: on the thread pool, off the receive path (a slow
/// handler never holds up the transport); or, for an inbox that runs in the receive turn, on the
/// receive path itself once the read's packets have all been handled (<see cref="ReceiveTurn"/>),
/// with no thread hop per event.
/// </summary>
/// <typeparam name="T">The queued item.</typeparam>
internal sealed class EventInbox<T>
{
    private readonly Queue<T> _queue = new();
    private readonly Func<object, T, Task> _process;
    private readonly object _owner;
    private readonly int _limit;
    private readonly bool _preferLocal;
    private readonly bool _inReceiveTurn;
    private bool _draining;

    /// <param name="process">
    /// Processes one item, given <paramref name="owner"/>; it handles its own errors and must not
    /// throw. A static delegate with the owner passed in: an inbox per socket keeps no closure.
    /// </param>
    /// <param name="owner">What <paramref name="process"/> is given.</param>
    /// <param name="limit">How many items may wait.</param>
    /// <param name="preferLocal">Whether the drain prefers the current thread's local queue.</param>
    /// <param name="inReceiveTurn">
    /// Whether items posted during a <see cref="ReceiveTurn"/> are processed when it ends, on its
    /// thread, rather than on the thread pool.
    /// </param>
    public EventInbox(Func<object, T, Task> process, object owner, int limit, bool preferLocal, bool inReceiveTurn = false)
    {
        _process = process;
        _owner = owner;
        _limit = limit;
        _preferLocal = preferLocal;
        _inReceiveTurn = inReceiveTurn;
    }

    /// <summary>How many items wait.</summary>
    public int Count
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="item"/>; false when <c>limit</c> items wait already (nothing is queued).</summary>
    public bool TryPost(T item)
    {
        lock (_queue)
        {
            if (_queue.Count >= _limit)
            {
                return false;
            }

            _queue.Enqueue(item);
            if (_draining)
            {
                return true;
            }

            _draining = true;
        }

        if (!_inReceiveTurn || !ReceiveTurn.TryDefer(static inbox => ((EventInbox<T>)inbox).Drain(), this))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static inbox => inbox.Drain(), this, _preferLocal);
        }

        return true;
    }

    private void Drain()
    {
        while (true)
        {
            T item;
            lock (_queue)
            {
                if (_queue.Count == 0)
                {
                    _draining = false;
                    return;
                }

                item = _queue.Dequeue();
            }

            Task processed = _process(_owner, item);
            if (!processed.IsCompleted)
            {
                _ = DrainAfterAsync(processed); // still draining: later items wait their turn
                return;
            }
        }
    }

    private async Task DrainAfterAsync(Task processed)
    {
        try
        {
            await processed.ConfigureAwait(false);
        }
        finally
        {
            Drain();
        }
    }
}
