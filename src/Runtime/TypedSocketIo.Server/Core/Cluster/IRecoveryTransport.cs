namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// What a <see cref="ClusterTransport"/> implements when it also keeps a log of broadcasts and the sessions of disconnected
/// sockets where every server can reach them (the Redis Streams flavour), so that connection state
/// recovery works when a client comes back to another server. With recovery on, the
/// <see cref="ClusterAdapter"/> appends broadcasts to the log and delivers every logged broadcast,
/// its own included, as the transport hands them over: in log order, each with its offset.
/// </summary>
public interface IRecoveryTransport
{
    /// <summary>Appends <paramref name="message"/> to the log (every server receives it from there, with its offset); returns the offset.</summary>
    Task<string> AppendAsync(ClusterMessage message);

    /// <summary>Keeps <paramref name="session"/> for <paramref name="maxDisconnectionDuration"/>; its data is JSON (or absent).</summary>
    Task PersistSessionAsync(RecoverySession session, TimeSpan maxDisconnectionDuration);

    /// <summary>
    /// Takes the session of <paramref name="pid"/> out of the store (once) when it is kept and
    /// <paramref name="offset"/> is still in the log; null otherwise.
    /// </summary>
    Task<RecoverySession?> TakeSessionAsync(string pid, string offset);

    /// <summary>
    /// The logged messages after <paramref name="after"/> up to <paramref name="until"/>, both
    /// offsets, oldest first, each with its <see cref="ClusterMessage.Offset"/>.
    /// </summary>
    Task<IReadOnlyList<ClusterMessage>> ReadLogAsync(string after, string until);

    /// <summary>
    /// Runs <paramref name="action"/> while no logged message is handed over; it is given the
    /// offset of the last one handed over (null when none yet), so that what it reads from the log
    /// up to there and what comes next meet without a gap or an overlap.
    /// </summary>
    Task<T> RunBetweenDeliveriesAsync<T>(Func<string?, Task<T>> action);
}
