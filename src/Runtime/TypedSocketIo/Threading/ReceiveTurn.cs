namespace TypedSocketIo.Threading;

/// <summary>
/// The handling of one read on a receive path (a WebSocket message, a long-polling POST's
/// payload), the closest .NET has to a turn of Node's event loop. Work deferred to the turn
/// (<see cref="TryDefer"/>) runs on the same thread when the read's packets have all been handled,
/// in the order it was deferred, instead of a thread-pool work item each: the handlers of the
/// events the read carried, then what their writes left to do once the turn is over. Work deferred
/// while the turn ends joins the end. A turn is per thread and never spans an await.
/// </summary>
internal sealed class ReceiveTurn
{
    [ThreadStatic]
    private static ReceiveTurn? t_current;

    [ThreadStatic]
    private static ReceiveTurn? t_spare;

    private readonly List<(Action<object> Run, object State)> _deferred = new();

    private ReceiveTurn()
    {
    }

    /// <summary>Whether a turn is under way on this thread.</summary>
    public static bool Active => t_current is not null;

    /// <summary>
    /// Starts a turn on this thread; null when one is under way already (work then goes to that
    /// one, which its owner ends).
    /// </summary>
    public static ReceiveTurn? Begin()
    {
        if (t_current is not null)
        {
            return null;
        }

        ReceiveTurn turn = t_spare ?? new ReceiveTurn();
        t_spare = null;
        t_current = turn;
        return turn;
    }

    /// <summary>
    /// Runs <paramref name="run"/> with <paramref name="state"/> when the turn under way on this
    /// thread ends; false, and nothing deferred, when there is none.
    /// </summary>
    /// <remarks><paramref name="run"/> must not throw.</remarks>
    public static bool TryDefer(Action<object> run, object state)
    {
        ReceiveTurn? turn = t_current;
        if (turn is null)
        {
            return false;
        }

        turn._deferred.Add((run, state));
        return true;
    }

    /// <summary>
    /// Runs the deferred work, including what it defers in turn, then ends the turn. Work that
    /// throws (it must not) does not stop the rest: the first exception is rethrown at the end.
    /// </summary>
    public void End()
    {
        List<(Action<object> Run, object State)> deferred = _deferred;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        for (int i = 0; i < deferred.Count; i++)
        {
            (Action<object> run, object state) = deferred[i];
            deferred[i] = default; // let the state go as soon as it ran
            try
            {
                run(state);
            }
            catch (Exception ex)
            {
                failure ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
        }

        deferred.Clear();
        t_current = null;
        if (deferred.Capacity <= 1024)
        {
            t_spare = this; // a turn that held a large burst is not kept by the thread
        }

        failure?.Throw();
    }
}
