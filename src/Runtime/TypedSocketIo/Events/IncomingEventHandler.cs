namespace TypedSocketIo;

/// <summary>
/// A handler of one event as one object: what generated typed handlers register through
/// <see cref="ISocketIoListenTarget.On(string, IncomingEventHandler)"/>, so that a registration
/// keeps one object (the user's handler and what its arguments are read with) rather than a
/// closure and a delegate on each socket.
/// </summary>
public abstract class IncomingEventHandler
{
    /// <summary>
    /// Handles <paramref name="e"/>. The dispatcher does not await the task: a handler that throws,
    /// or whose task fails, is logged and the connection stays up.
    /// </summary>
    public abstract Task HandleAsync(IncomingEvent e);
}
