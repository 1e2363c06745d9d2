using System.Text.Json;
using StackExchange.Redis;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// Publishes into a cluster of servers that use the classic Redis flavour, from a process that is
/// not a server (compatible with @socket.io/redis-emitter 5.1): emits to rooms, makes sockets join
/// or leave rooms, disconnects them, and sends server-side events (without acknowledgements: an
/// emitter is never answered). Typed through the contracts with <see cref="RedisEmitterOperator.Emit{TEmit}"/>
/// and <see cref="ServerSide{TServerSide}"/>.
/// </summary>
public sealed class RedisEmitter
{
    private readonly ISubscriber _subscriber;

    /// <summary>An emitter for namespace <paramref name="nsp"/> over <paramref name="multiplexer"/> (channel prefix <paramref name="key"/>).</summary>
    public RedisEmitter(IConnectionMultiplexer multiplexer, string nsp = "/", string key = "socket.io", JsonSerializerOptions? jsonOptions = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentException.ThrowIfNullOrEmpty(key);
        Multiplexer = multiplexer;
        _subscriber = multiplexer.GetSubscriber();
        Namespace = nsp.StartsWith('/') ? nsp : "/" + nsp;
        Key = key;
        JsonOptions = SocketIoJson.CreateOptions(jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }

    /// <summary>The multiplexer.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>The channel prefix.</summary>
    public string Key { get; }

    /// <summary>How event arguments are serialized.</summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>An emitter for another namespace, over the same connection.</summary>
    public RedisEmitter Of(string nsp) => new(Multiplexer, nsp, Key, JsonOptions);

    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private RedisEmitterOperator All => new(this, None, None, default);

    /// <summary>Targets <paramref name="room"/>.</summary>
    public RedisEmitterOperator To(string room) => All.To(room);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public RedisEmitterOperator In(string room) => All.To(room);

    /// <summary>Excludes <paramref name="room"/>.</summary>
    public RedisEmitterOperator Except(string room) => All.Except(room);

    /// <summary>Dropped for clients whose transport is not ready.</summary>
    public RedisEmitterOperator Volatile => All.Volatile;

    /// <summary>With compression set explicitly.</summary>
    public RedisEmitterOperator Compress(bool compress) => All.Compress(compress);

    /// <summary>Emits to every socket of the namespace.</summary>
    public Task Emit(string eventName, params object?[] args) => All.Emit(eventName, args);

    /// <summary>The typed emitter of <typeparamref name="TEmit"/> for every socket of the namespace.</summary>
    public TEmit Emit<TEmit>() where TEmit : class => All.Emit<TEmit>();

    /// <summary>Makes every socket join <paramref name="rooms"/>.</summary>
    public Task SocketsJoin(params string[] rooms) => All.SocketsJoin(rooms);

    /// <summary>Makes every socket leave <paramref name="rooms"/>.</summary>
    public Task SocketsLeave(params string[] rooms) => All.SocketsLeave(rooms);

    /// <summary>Disconnects every socket.</summary>
    public Task DisconnectSockets(bool close = false) => All.DisconnectSockets(close);

    /// <summary>Sends a server-side event to every server (no answers: an emitter is never answered).</summary>
    public Task ServerSideEmit(string eventName, params object?[] args)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
        return PublishServerSide(SocketIoJson.Encode(eventName, args, JsonOptions));
    }

    /// <summary>Typed server-side events (<typeparamref name="TServerSide"/>), without acknowledgements.</summary>
    public TServerSide ServerSide<TServerSide>() where TServerSide : class =>
        SocketIoContract<TServerSide>.CreateEmitter(new ServerSideTarget(this));

    internal Task PublishServerSide(in EventData data) =>
        PublishRequest(new ClusterMessage(ClusterMessageType.ServerSideEmit, ClassicRedisCodec.EmitterUid, Namespace) { Payload = new JsonPayload(data.Json, data.Attachments) });

    internal Task PublishBroadcast(ClusterMessage message)
    {
        string channel = $"{Key}#{Namespace}#";
        if (message.Options is { Rooms.Count: 1 } options)
        {
            channel += options.Rooms.First() + "#";
        }

        return _subscriber.PublishAsync(RedisChannel.Literal(channel), ClassicRedisCodec.EncodeBroadcast(message));
    }

    internal Task PublishRequest(ClusterMessage message) =>
        _subscriber.PublishAsync(RedisChannel.Literal($"{Key}-request#{Namespace}#"), ClassicRedisCodec.EncodeRequest(message));

    private sealed class ServerSideTarget(RedisEmitter emitter) : ISocketIoEmitTarget
    {
        public JsonSerializerOptions JsonOptions => emitter.JsonOptions;

        public bool Emit(in EventData data)
        {
            JsonSocketIoParser.ThrowIfReserved(data.Name);
            _ = emitter.PublishServerSide(data);
            return true;
        }

        public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
            throw new NotSupportedException($"\"{data.Name}\" expects an acknowledgement, and an emitter is never answered.");
    }
}
