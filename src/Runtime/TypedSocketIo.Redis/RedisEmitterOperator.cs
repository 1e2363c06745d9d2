using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>An immutable target of a <see cref="RedisEmitter"/>: rooms, rooms excluded, flags.</summary>
public sealed class RedisEmitterOperator : ISocketIoEmitTarget
{
    private readonly RedisEmitter _emitter;
    private readonly IReadOnlySet<string> _rooms;
    private readonly IReadOnlySet<string> _except;
    private readonly EmitFlags _flags;

    internal RedisEmitterOperator(RedisEmitter emitter, IReadOnlySet<string> rooms, IReadOnlySet<string> except, EmitFlags flags)
    {
        _emitter = emitter;
        _rooms = rooms;
        _except = except;
        _flags = flags;
    }

    private static HashSet<string> With(IReadOnlySet<string> set, string room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return new HashSet<string>(set, StringComparer.Ordinal) { room };
    }

    /// <summary>Also targets <paramref name="room"/>.</summary>
    public RedisEmitterOperator To(string room) => new(_emitter, With(_rooms, room), _except, _flags);

    /// <summary>Same as <see cref="To"/>.</summary>
    public RedisEmitterOperator In(string room) => To(room);

    /// <summary>Excludes the sockets in <paramref name="room"/>.</summary>
    public RedisEmitterOperator Except(string room) => new(_emitter, _rooms, With(_except, room), _flags);

    /// <summary>Dropped for clients whose transport is not ready.</summary>
    public RedisEmitterOperator Volatile => new(_emitter, _rooms, _except, _flags with { Volatile = true });

    /// <summary>With compression set explicitly.</summary>
    public RedisEmitterOperator Compress(bool compress) => new(_emitter, _rooms, _except, _flags with { Compress = compress });

    private BroadcastOptions Options => new(_rooms, _except, _flags);

    /// <summary>Emits to the targeted sockets of every server; completes once Redis took the message.</summary>
    public Task Emit(string eventName, params object?[] args)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
        return Publish(SocketIoJson.Encode(eventName, args, _emitter.JsonOptions));
    }

    /// <summary>The typed emitter of <typeparamref name="TEmit"/> for the targeted sockets (events expecting acknowledgements are refused).</summary>
    public TEmit Emit<TEmit>() where TEmit : class => SocketIoContract<TEmit>.CreateEmitter(this);

    private Task Publish(in EventData data) =>
        _emitter.PublishBroadcast(new ClusterMessage(ClusterMessageType.Broadcast, ClassicRedisCodec.EmitterUid, _emitter.Namespace)
        {
            Options = Options,
            Payload = new JsonPayload(data.Json, data.Attachments),
        });

    /// <summary>Makes the targeted sockets join <paramref name="rooms"/>.</summary>
    public Task SocketsJoin(params string[] rooms) =>
        _emitter.PublishRequest(new ClusterMessage(ClusterMessageType.SocketsJoin, null, _emitter.Namespace) { Options = Options, Rooms = rooms });

    /// <summary>Makes the targeted sockets leave <paramref name="rooms"/>.</summary>
    public Task SocketsLeave(params string[] rooms) =>
        _emitter.PublishRequest(new ClusterMessage(ClusterMessageType.SocketsLeave, null, _emitter.Namespace) { Options = Options, Rooms = rooms });

    /// <summary>Disconnects the targeted sockets; with <paramref name="close"/>, their whole connections.</summary>
    public Task DisconnectSockets(bool close = false) =>
        _emitter.PublishRequest(new ClusterMessage(ClusterMessageType.DisconnectSockets, null, _emitter.Namespace) { Options = Options, Close = close });

    JsonSerializerOptions ISocketIoEmitTarget.JsonOptions => _emitter.JsonOptions;

    bool ISocketIoEmitTarget.Emit(in EventData data)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        _ = Publish(data);
        return true;
    }

    Task<SocketIoArgs> ISocketIoEmitTarget.EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"\"{data.Name}\" expects an acknowledgement, and an emitter is never answered.");
}
