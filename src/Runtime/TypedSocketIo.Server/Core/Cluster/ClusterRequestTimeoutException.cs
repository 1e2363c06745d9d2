namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// A cluster request (fetch sockets, server-side emit with acknowledgements, all rooms) whose
/// answers did not all arrive in time. The message is the reference's (e.g. <c>timeout reached:
/// only 1 responses received out of 2</c>).
/// </summary>
public sealed class ClusterRequestTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public ClusterRequestTimeoutException(string message, object? partialResponses = null)
        : base(message)
    {
        PartialResponses = partialResponses;
    }

    /// <summary>The answers that did arrive.</summary>
    public object? PartialResponses { get; }
}
