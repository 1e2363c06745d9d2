using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>
/// Where a generated emitter sends its events: a server socket, a broadcast, a client socket —
/// each with its flags (timeout, volatile, compression) already applied.
/// </summary>
public interface ISocketIoEmitTarget
{
    /// <summary>The serializer options of the server or client, for contracts that name no serializer context.</summary>
    JsonSerializerOptions JsonOptions { get; }

    /// <summary>Sends an event that expects no acknowledgement. Returns what the untyped emit returns.</summary>
    bool Emit(in EventData data);

    /// <summary>
    /// Sends an event and completes with its acknowledgement's arguments; fails with
    /// <see cref="SocketIoTimeoutException"/> when the target's timeout passes first, or with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken);
}
