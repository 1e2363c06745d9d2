using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>A broadcast: an emit target whose acknowledgements come one per recipient.</summary>
public interface ISocketIoBroadcastTarget : ISocketIoEmitTarget
{
    /// <summary>
    /// Sends an event to every recipient and completes with one answer per recipient; fails with
    /// <see cref="SocketIoTimeoutException"/> (carrying the answers that arrived) when the timeout
    /// passes first. A timeout is required.
    /// </summary>
    Task<IReadOnlyList<SocketIoArgs>> EmitWithAcks(in EventData data, CancellationToken cancellationToken);
}
