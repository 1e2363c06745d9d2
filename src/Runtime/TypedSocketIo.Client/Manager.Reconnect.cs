namespace TypedSocketIo.Client;

/// <summary>The manager's reconnection: attempts with exponential back-off and jitter, bounded by ReconnectionAttempts.</summary>
public sealed partial class Manager
{
    private void Reconnect()
    {
        (TimeSpan Delay, CancellationTokenSource? Cancel)? plan;
        lock (_gate)
        {
            plan = BeginReconnectLocked();
        }

        RunReconnect(plan);
    }

    /// <summary>
    /// Under the lock: the next reconnection attempt (its delay), or a zero-delay plan with no
    /// cancellation when no attempt is left; null when none should start (one is under way, or the
    /// manager was closed).
    /// </summary>
    private (TimeSpan Delay, CancellationTokenSource? Cancel)? BeginReconnectLocked()
    {
        if (_reconnecting || _skipReconnect)
        {
            return null;
        }

        if (_backoff.Attempts >= Options.ReconnectionAttempts)
        {
            _backoff.Reset();
            return (TimeSpan.Zero, null);
        }

        _reconnecting = true;
        return (_backoff.Duration(), _reconnectDelay = new CancellationTokenSource());
    }

    private void RunReconnect((TimeSpan Delay, CancellationTokenSource? Cancel)? plan)
    {
        if (plan is not { } next)
        {
            return;
        }

        if (next.Cancel is null)
        {
            Log.ReconnectFailed(Logger, Uri);
            _reconnectFailed.Invoke(static (h, _) => h(), 0, HandlerFailed);
            return;
        }

        _ = ReconnectAfterAsync(next.Delay, next.Cancel.Token);
    }

    private async Task ReconnectAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        int attempt;
        lock (_gate)
        {
            if (_skipReconnect)
            {
                return;
            }

            attempt = _backoff.Attempts;
        }

        Log.ReconnectAttempt(Logger, Uri, attempt);
        _reconnectAttempt.Invoke(static (h, a) => h(a), attempt, HandlerFailed);
        lock (_gate)
        {
            if (_skipReconnect)
            {
                return;
            }
        }

        Exception? error = await StartOpen().ConfigureAwait(false);
        if (error is not null)
        {
            lock (_gate)
            {
                _reconnecting = false;
            }

            Reconnect();
            _reconnectError.Invoke(static (h, e) => h(e), error, HandlerFailed);
            return;
        }

        lock (_gate)
        {
            attempt = _backoff.Attempts;
            _reconnecting = false;
            _backoff.Reset();
        }

        _reconnect.Invoke(static (h, a) => h(a), attempt, HandlerFailed);
    }
}
