using StackExchange.Redis;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// The sharded flavour (@socket.io/redis-adapter's <c>createShardedAdapter</c>, Redis 7 or later):
/// the cluster protocol over SPUBLISH/SSUBSCRIBE on <c>prefix#nsp#</c>, answers on
/// <c>prefix#nsp#uid#</c>, and in the dynamic modes a channel per room <c>prefix#nsp#room#</c>.
/// </summary>
public sealed class ShardedRedisTransport : RedisTransport
{
    private readonly Dictionary<string, Task<ChannelMessageQueue?>> _roomChannels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedRooms = new(StringComparer.Ordinal);
    private string _channel = "";
    private string _responseChannel = "";

    /// <summary>Creates the transport.</summary>
    public ShardedRedisTransport(RedisConnection connection, RedisAdapterOptions options)
        : base(connection, options)
    {
    }

    /// <inheritdoc />
    protected override async Task SubscribeAsync()
    {
        _channel = $"{Options.ChannelPrefix}#{Namespace}#";
        _responseChannel = $"{_channel}{Uid}#";
        await SubscribeAsync(RedisChannel.Sharded(_channel), OnRaw).ConfigureAwait(false);
        await SubscribeAsync(RedisChannel.Sharded(_responseChannel), OnRaw).ConfigureAwait(false);
        Connection.SubscriptionsRestored += RetryFailedRooms;
    }

    /// <summary>Rooms with local members whose channel subscription failed (Redis was down); they are subscribed again when the connection comes back.</summary>
    public int RoomsAwaitingSubscription
    {
        get
        {
            lock (_roomChannels)
            {
                return _failedRooms.Count;
            }
        }
    }

    private void OnRaw(string channel, ReadOnlyMemory<byte> raw) => OnClusterProtocolMessage(channel, raw, _responseChannel);

    /// <inheritdoc />
    public override Task PublishAsync(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PublishRawAsync(RedisChannel.Sharded(ChannelOf(message)), ClusterProtocolCodec.Encode(message));
    }

    private string ChannelOf(ClusterMessage message)
    {
        // An acknowledged broadcast stays on the main channel: its answers are counted against every server.
        if (message.Type == ClusterMessageType.Broadcast && message.RequestId is null && message.Options is { Rooms.Count: 1 } options)
        {
            string room = options.Rooms.First();
            bool dynamic = Options.SubscriptionMode == RedisSubscriptionMode.DynamicPrivate
                || (Options.SubscriptionMode == RedisSubscriptionMode.Dynamic && room.Length != 20);
            if (dynamic)
            {
                return _channel + room + "#";
            }
        }

        return _channel;
    }

    /// <inheritdoc />
    public override Task PublishResponseAsync(string requesterUid, ClusterMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return PublishRawAsync(RedisChannel.Sharded($"{_channel}{requesterUid}#"), ClusterProtocolCodec.Encode(response));
    }

    /// <inheritdoc />
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("SHARDNUMSUB", _channel);

    private bool HasOwnChannel(bool isSocketId) =>
        Options.SubscriptionMode == RedisSubscriptionMode.DynamicPrivate || (Options.SubscriptionMode == RedisSubscriptionMode.Dynamic && !isSocketId);

    /// <inheritdoc />
    public override void OnRoomCreated(string room, bool isSocketId)
    {
        if (!HasOwnChannel(isSocketId))
        {
            return;
        }

        lock (_roomChannels)
        {
            if (!_roomChannels.ContainsKey(room))
            {
                _roomChannels[room] = SubscribeRoomAsync(room);
            }
        }
    }

    private async Task<ChannelMessageQueue?> SubscribeRoomAsync(string room)
    {
        try
        {
            return await SubscribeAsync(RedisChannel.Sharded($"{Options.ChannelPrefix}#{Namespace}#{room}#"), OnRaw).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            lock (_roomChannels)
            {
                if (_roomChannels.ContainsKey(room))
                {
                    _failedRooms.Add(room);
                }
            }

            return null;
        }
    }

    private void RetryFailedRooms()
    {
        lock (_roomChannels)
        {
            foreach (string room in _failedRooms)
            {
                if (_roomChannels.ContainsKey(room))
                {
                    _roomChannels[room] = SubscribeRoomAsync(room);
                }
            }

            _failedRooms.Clear();
        }
    }

    /// <inheritdoc />
    public override void OnRoomDeleted(string room, bool isSocketId)
    {
        Task<ChannelMessageQueue?>? subscription;
        lock (_roomChannels)
        {
            if (!_roomChannels.Remove(room, out subscription))
            {
                return;
            }

            _failedRooms.Remove(room);
        }

        _ = DropAsync(subscription);
    }

    private async Task DropAsync(Task<ChannelMessageQueue?> subscription)
    {
        // A subscription that never came to be (null) has nothing to drop.
        if (await subscription.ConfigureAwait(false) is ChannelMessageQueue queue)
        {
            await UnsubscribeAsync(queue).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        Connection.SubscriptionsRestored -= RetryFailedRooms;
        return base.DisposeAsync();
    }
}
