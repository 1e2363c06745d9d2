using TypedSocketIo.Protocol;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Events;

/// <summary>
/// The acknowledgements a socket waits for, by packet id: each completes once, with the answer,
/// a timeout, a cancellation or an error, whichever comes first. Timeouts run on the shared
/// <see cref="TimerScheduler"/>; an answer that arrives after its deadline counts as a timeout.
/// One implementation for the server's socket and the client's.
/// </summary>
internal sealed class AckRegistry
{
    // Locks on itself: internal, never handed out, and one object less per socket.
    private Dictionary<long, PendingAck>? _pending; // created by the first acknowledgement awaited: most sockets never await one
    private readonly int _limit;
    private readonly Action<long>? _abandoned;

    /// <param name="limit">How many acknowledgements may be awaited at once.</param>
    /// <param name="abandoned">Told of an id given up by timeout or cancellation (the client drops the packet if it was not sent).</param>
    public AckRegistry(int limit = int.MaxValue, Action<long>? abandoned = null)
    {
        _limit = limit;
        _abandoned = abandoned;
    }

    /// <summary>How many acknowledgements are awaited.</summary>
    public int Count
    {
        get
        {
            lock (this)
            {
                return _pending?.Count ?? 0;
            }
        }
    }

    /// <summary>The ids awaited (a snapshot).</summary>
    public long[] Ids
    {
        get
        {
            lock (this)
            {
                return _pending is null ? [] : [.. _pending.Keys];
            }
        }
    }

    /// <summary>
    /// Awaits the acknowledgement <paramref name="id"/> of <paramref name="eventName"/>, and calls
    /// <paramref name="callback"/> once with the answer or the error. False when <c>limit</c>
    /// acknowledgements are awaited already (nothing is registered).
    /// </summary>
    /// <remarks>
    /// A <paramref name="timeout"/> of null waits for ever; zero or less is never in time (as the
    /// reference's <c>timeout(0)</c>). <paramref name="cancellationToken"/> gives up waiting.
    /// </remarks>
    public bool TryAdd(long id, string eventName, Action<SocketIoArgs?, Exception?> callback, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var pending = new PendingAck(this, id, eventName, callback);
        lock (this)
        {
            _pending ??= new Dictionary<long, PendingAck>();
            if (_pending.Count >= _limit)
            {
                return false;
            }

            _pending[id] = pending;
        }

        if (timeout is { } due)
        {
            pending.DeadlineMs = due <= TimeSpan.Zero ? long.MinValue : TimerScheduler.NowMs() + (long)due.TotalMilliseconds;
            pending.Timer = TimerScheduler.Shared.CreateTimer(static s => ((PendingAck)s).Expire(), pending);
            pending.Timer.Schedule(due <= TimeSpan.Zero ? TimeSpan.Zero : due);
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.Register(static (s, token) => ((PendingAck)s!).Cancel(token), pending);
        }

        return true;
    }

    /// <summary>As <see cref="TryAdd"/>, as a task; null when <c>limit</c> acknowledgements are awaited already.</summary>
    public Task<SocketIoArgs>? TryExpect(long id, string eventName, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool added = TryAdd(id, eventName, (args, error) =>
        {
            if (error is null)
            {
                result.TrySetResult(args!);
            }
            else
            {
                result.TrySetException(error);
            }
        }, timeout, cancellationToken);
        return added ? result.Task : null;
    }

    /// <summary>Completes <paramref name="id"/> with the client's answer; false when it is not awaited.</summary>
    public bool Complete(long id, SocketIoArgs args)
    {
        if (!TryTake(id, null, out PendingAck? pending))
        {
            return false;
        }

        if (TimerScheduler.NowMs() > pending.DeadlineMs)
        {
            pending.Callback(null, pending.TimeoutError()); // answered, but after the deadline
        }
        else
        {
            pending.Callback(args, null);
        }

        return true;
    }

    /// <summary>Fails <paramref name="id"/> with <paramref name="error"/>; false when it is not awaited.</summary>
    public bool Fail(long id, Exception error)
    {
        if (!TryTake(id, null, out PendingAck? pending))
        {
            return false;
        }

        pending.Callback(null, error);
        return true;
    }

    private bool TryTake(long id, PendingAck? expected, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PendingAck? pending)
    {
        lock (this)
        {
            if (_pending is null || !_pending.TryGetValue(id, out pending) || (expected is not null && pending != expected))
            {
                pending = null;
                return false;
            }

            _pending.Remove(id);
        }

        pending.Timer?.Cancel();
        pending.Registration.Dispose();
        return true;
    }

    private void GiveUp(PendingAck pending, Exception error)
    {
        if (!TryTake(pending.Id, pending, out _))
        {
            return;
        }

        _abandoned?.Invoke(pending.Id);
        pending.Callback(null, error);
    }

    private sealed class PendingAck(AckRegistry owner, long id, string eventName, Action<SocketIoArgs?, Exception?> callback)
    {
        public long Id { get; } = id;

        public Action<SocketIoArgs?, Exception?> Callback { get; } = callback;

        public long DeadlineMs { get; set; } = long.MaxValue;

        public ScheduledTimer? Timer { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public Exception TimeoutError() => new SocketIoTimeoutException(eventName, null);

        public void Expire() => owner.GiveUp(this, TimeoutError());

        public void Cancel(CancellationToken token) => owner.GiveUp(this, new OperationCanceledException(token));
    }
}
