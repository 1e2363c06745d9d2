namespace TypedSocketIo;

/// <summary>A Socket.IO operation failed.</summary>
public class SocketIoException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SocketIoException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public SocketIoException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}

/// <summary>An acknowledgement did not arrive in time (the reference's "operation has timed out").</summary>
public sealed class SocketIoTimeoutException : SocketIoException
{
    /// <summary>Creates the exception, with the answers that did arrive (broadcasts).</summary>
    public SocketIoTimeoutException(object? partialResponses = null) : base("operation has timed out")
    {
        PartialResponses = partialResponses;
    }

    /// <summary>Creates the exception for the event <paramref name="eventName"/>.</summary>
    public SocketIoTimeoutException(string eventName, object? partialResponses)
        : base($"operation has timed out: no acknowledgement of \"{eventName}\" arrived in time")
    {
        EventName = eventName;
        PartialResponses = partialResponses;
    }

    /// <summary>The event whose acknowledgement did not arrive, when known.</summary>
    public string? EventName { get; }

    /// <summary>For a broadcast with acknowledgements: the answers that arrived before the timeout.</summary>
    public object? PartialResponses { get; }
}
