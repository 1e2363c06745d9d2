using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>
/// A session an adapter gave back, with the events the socket missed: each an event array
/// (<c>["name", args…, offset]</c>, its offset already appended) with its binary values, in the
/// order they were sent.
/// </summary>
/// <param name="Session">The session as it was kept.</param>
/// <param name="MissedPackets">The missed events, oldest first.</param>
public sealed record RestoredSession(RecoverySession Session, IReadOnlyList<JsonPayload> MissedPackets)
{
    /// <summary>The in-memory log's newest offset when the missed events were read (what came after is sent on attach).</summary>
    internal string? LogPosition { get; init; }

    /// <summary>A cluster log's offset after which the missed events are read when the socket attaches (they are not in <see cref="MissedPackets"/>).</summary>
    internal string? ReadLogAfter { get; init; }
}
