namespace TypedSocketIo.Server;

/// <summary>
/// Connection state recovery (the reference's <c>connectionStateRecovery</c>, socket.io 4.6+): a
/// client whose connection dropped (transport close or error, ping timeout, forced close, server
/// shutdown) gets its socket back when it reconnects within <see cref="MaxDisconnectionDuration"/>:
/// the same id, rooms and data, and the events it missed. Configuration:
/// <c>SocketIo:ConnectionStateRecovery</c>.
/// </summary>
public sealed class ConnectionStateRecoveryOptions
{
    /// <summary>How long a disconnected socket's session is kept. Default 2 minutes (the reference's 120,000 ms).</summary>
    public TimeSpan MaxDisconnectionDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether a recovered socket skips the namespace middleware. Default true (the reference's <c>skipMiddlewares</c>).</summary>
    public bool SkipMiddlewares { get; set; } = true;

    /// <summary>
    /// In-memory adapter: the most events its packet log keeps per namespace, the oldest dropped
    /// first (events also leave the log once older than <see cref="MaxDisconnectionDuration"/>).
    /// A client that missed more than the log holds gets a fresh session. Default 10,000.
    /// </summary>
    public int MaxLoggedPackets { get; set; } = 10_000;

    /// <summary>
    /// In-memory adapter: the most disconnected sessions kept per namespace, the oldest dropped
    /// first (sessions also expire after <see cref="MaxDisconnectionDuration"/>). Default 100,000.
    /// </summary>
    public int MaxSessions { get; set; } = 100_000;

    internal void CollectErrors(List<string> errors)
    {
        if (MaxDisconnectionDuration <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(SocketIoServerOptions.ConnectionStateRecovery)}.{nameof(MaxDisconnectionDuration)} must be positive (it is {MaxDisconnectionDuration}).");
        }

        if (MaxLoggedPackets <= 0)
        {
            errors.Add($"{nameof(SocketIoServerOptions.ConnectionStateRecovery)}.{nameof(MaxLoggedPackets)} must be positive (it is {MaxLoggedPackets}).");
        }

        if (MaxSessions <= 0)
        {
            errors.Add($"{nameof(SocketIoServerOptions.ConnectionStateRecovery)}.{nameof(MaxSessions)} must be positive (it is {MaxSessions}).");
        }
    }
}
