using StackExchange.Redis;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>What the Redis flavours share: the connection, subscriptions released on dispose, fast failure while Redis is down.</summary>
public abstract class RedisTransport : ClusterTransport
{
    private readonly List<ChannelMessageQueue> _subscriptions = new();

    /// <summary>Creates the transport over <paramref name="connection"/>.</summary>
    protected RedisTransport(RedisConnection connection, RedisAdapterOptions options)
    {
        Connection = connection ?? throw new ArgumentNullException(nameof(connection));
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The connection.</summary>
    public RedisConnection Connection { get; }

    /// <summary>The options.</summary>
    public RedisAdapterOptions Options { get; }

    /// <inheritdoc />
    public override bool IsConnected => Connection.IsConnected;

    /// <summary>Subscribes <paramref name="channel"/>; its messages are handed to <paramref name="onMessage"/> in order.</summary>
    protected async Task<ChannelMessageQueue> SubscribeAsync(RedisChannel channel, Action<string, ReadOnlyMemory<byte>> onMessage)
    {
        ChannelMessageQueue queue = await Connection.SubscribeAsync(channel, m =>
        {
            byte[]? bytes = m.Message;
            string name = m.Channel.ToString();
            try
            {
                onMessage(name, bytes ?? []);
            }
            catch (Exception ex) when (ex is FormatException or Protocol.SocketIoParseException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
            {
                Handler.OnInvalidMessage(name, ex);
            }
        }).ConfigureAwait(false);
        lock (_subscriptions)
        {
            _subscriptions.Add(queue);
        }

        return queue;
    }

    /// <summary>
    /// A message in the cluster protocol's encoding (the sharded and the streams flavours), heard on
    /// <paramref name="channel"/>: an answer to this server's request when it came on
    /// <paramref name="responseChannel"/>, else a message for every server.
    /// </summary>
    private protected void OnClusterProtocolMessage(string channel, ReadOnlyMemory<byte> raw, string responseChannel)
    {
        ClusterMessage message = ClusterProtocolCodec.Decode(raw, Namespace);
        if (channel == responseChannel)
        {
            Handler.OnResponse(message);
        }
        else
        {
            Handler.OnMessage(message);
        }
    }

    /// <summary>Drops one subscription.</summary>
    protected Task UnsubscribeAsync(ChannelMessageQueue queue)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(queue);
        }

        return Connection.UnsubscribeAsync(queue);
    }

    /// <summary>PUBLISH (or SPUBLISH for a sharded channel); fails at once while Redis is down.</summary>
    protected Task PublishRawAsync(RedisChannel channel, byte[] payload)
    {
        Connection.ThrowIfDisconnected();
        return Connection.Subscriber.PublishAsync(channel, payload);
    }

    /// <summary>The subscriber count of <paramref name="channel"/> (<c>PUBSUB NUMSUB</c> or <c>SHARDNUMSUB</c>).</summary>
    protected async Task<int> CountSubscribersAsync(string subcommand, string channel)
    {
        Connection.ThrowIfDisconnected();
        RedisResult result = await Connection.Multiplexer.GetDatabase().ExecuteAsync("PUBSUB", subcommand, channel).ConfigureAwait(false);
        RedisResult[] pair = (RedisResult[])result!;
        return pair.Length >= 2 ? (int)pair[1] : 0;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        ChannelMessageQueue[] queues;
        lock (_subscriptions)
        {
            queues = _subscriptions.ToArray();
            _subscriptions.Clear();
        }

        foreach (ChannelMessageQueue queue in queues)
        {
            await Connection.UnsubscribeAsync(queue).ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }
}
