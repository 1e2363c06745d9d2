using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>A socket with flags, as the emit target of a generated emitter.</summary>
internal sealed class SocketTarget(Socket socket, EmitFlags flags) : ISocketIoEmitTarget
{
    public JsonSerializerOptions JsonOptions => socket.Server.JsonOptions;

    public bool Emit(in EventData data) => socket.Send(data, flags, ackId: null);

    public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) => socket.SendWithAck(data, flags, cancellationToken);
}
