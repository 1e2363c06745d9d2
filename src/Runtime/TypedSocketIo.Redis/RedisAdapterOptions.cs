namespace TypedSocketIo.Redis;

/// <summary>Which of @socket.io/redis-adapter's wire protocols the cluster speaks (every node of a cluster uses the same).</summary>
public enum RedisAdapterFlavour
{
    /// <summary><c>createAdapter</c>: PUBLISH/SUBSCRIBE with its own protocol; works with @socket.io/redis-emitter.</summary>
    Classic,

    /// <summary><c>createShardedAdapter</c> (Redis 7 or later): the cluster protocol over SPUBLISH/SSUBSCRIBE.</summary>
    Sharded,
}

/// <summary>How the sharded flavour subscribes (its <c>subscriptionMode</c>).</summary>
public enum RedisSubscriptionMode
{
    /// <summary>Every broadcast goes through the namespace's main channel.</summary>
    Static,

    /// <summary>A channel per public room (rooms that are not socket ids), subscribed while the room has local members.</summary>
    Dynamic,

    /// <summary>A channel per room, socket ids' rooms included.</summary>
    DynamicPrivate,
}

/// <summary>Options of the Redis cluster adapter (configuration section <c>SocketIo:Redis</c>).</summary>
public sealed class RedisAdapterOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "SocketIo:Redis";

    /// <summary>The wire protocol. Default: <see cref="RedisAdapterFlavour.Classic"/>.</summary>
    public RedisAdapterFlavour Flavour { get; set; } = RedisAdapterFlavour.Classic;

    /// <summary>Classic flavour: the channel prefix (the reference's <c>key</c>). Default <c>socket.io</c>.</summary>
    public string Key { get; set; } = "socket.io";

    /// <summary>Sharded flavour: the channel prefix (the reference's <c>channelPrefix</c>). Default <c>socket.io</c>.</summary>
    public string ChannelPrefix { get; set; } = "socket.io";

    /// <summary>Sharded flavour: how rooms map to channels. Default <see cref="RedisSubscriptionMode.Dynamic"/>.</summary>
    public RedisSubscriptionMode SubscriptionMode { get; set; } = RedisSubscriptionMode.Dynamic;

    /// <summary>How long requests (fetch sockets, server-side acks, all rooms) wait for the other servers. Default 5 s.</summary>
    public TimeSpan RequestsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Classic flavour: answers go to the requester's own channel (<c>…-response#nsp#uid#</c>). Default false.</summary>
    public bool PublishOnSpecificResponseChannel { get; set; }
}
