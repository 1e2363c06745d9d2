namespace TypedSocketIo;

/// <summary>
/// How an event is emitted: the flags set by <c>Timeout(t)</c>, <c>Volatile</c>, <c>Compress(c)</c>
/// and, on a server's broadcast, <c>Local</c>. The same flags for the server's sockets and
/// broadcasts and for the client's socket.
/// </summary>
public readonly record struct EmitFlags
{
    /// <summary>Drop the packet when the transport is not ready to send.</summary>
    public bool Volatile { get; init; }

    /// <summary>Compress the packet (null: the default, on).</summary>
    public bool? Compress { get; init; }

    /// <summary>How long to wait for acknowledgements.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Broadcast to this node only (a server's broadcast in a cluster).</summary>
    public bool Local { get; init; }

    /// <summary>Sent by the client's retry queue (not queued again).</summary>
    internal bool FromQueue { get; init; }
}
