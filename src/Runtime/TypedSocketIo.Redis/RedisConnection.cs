using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace TypedSocketIo.Redis;

/// <summary>
/// The Redis connection the adapters of one server share: one multiplexer (its subscriber
/// connection carries every channel), its state, and what happened to it (logged, and counted on
/// the <see cref="MeterName"/> meter). StackExchange.Redis reconnects on its own and renews every
/// subscription when it does.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "TypedSocketIo.Redis";

    private readonly ILogger _logger;
    private readonly bool _owned;
    private readonly Counter<long> _reconnections;
    private readonly Counter<long> _disconnections;
    private int _subscriptions;
    private long _reconnectionCount;

    /// <summary>Wraps <paramref name="multiplexer"/>; <paramref name="owned"/>: dispose it with this object.</summary>
    public RedisConnection(IConnectionMultiplexer multiplexer, bool owned = false, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Multiplexer = multiplexer;
        _owned = owned;
        _logger = logger ?? NullLogger.Instance;
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _reconnections = meter.CreateCounter<long>("socketio.redis.reconnections", "{reconnection}", "Times the Redis connection came back (subscriptions renewed).");
        _disconnections = meter.CreateCounter<long>("socketio.redis.disconnections", "{disconnection}", "Times the Redis connection was lost.");
        meter.CreateObservableGauge("socketio.redis.connected", () => IsConnected ? 1 : 0, description: "1 while Redis is reachable.");
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The multiplexer.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>Whether Redis is reachable now.</summary>
    public bool IsConnected => Multiplexer.IsConnected;

    /// <summary>How many times the connection came back since this object was created.</summary>
    public long Reconnections => Interlocked.Read(ref _reconnectionCount);

    internal ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>Throws when Redis is unreachable, so that a publish fails at once rather than waiting in a queue.</summary>
    internal void ThrowIfDisconnected()
    {
        if (!Multiplexer.IsConnected)
        {
            throw new InvalidOperationException("Redis is not connected: the message was not published.");
        }
    }

    /// <summary>Raised when the subscriber connection comes back (StackExchange.Redis has renewed the subscriptions it holds).</summary>
    internal event Action? SubscriptionsRestored;

    internal async Task<ChannelMessageQueue> SubscribeAsync(RedisChannel channel, Action<ChannelMessage> handler)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await Subscriber.SubscribeAsync(channel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The multiplexer keeps the channel and its queue (which nobody reads) and would renew
            // them on reconnection: drop them, so that a later subscription is the only reader.
            await Subscriber.UnsubscribeAsync(channel, null, CommandFlags.FireAndForget).ConfigureAwait(false);
            throw;
        }

        queue.OnMessage(handler); // one message at a time, in order
        Interlocked.Increment(ref _subscriptions);
        return queue;
    }

    internal async Task UnsubscribeAsync(ChannelMessageQueue queue)
    {
        Interlocked.Decrement(ref _subscriptions);
        try
        {
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisLog.SubscribeFailed(_logger, queue.Channel.ToString(), ex);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        _disconnections.Add(1);
        RedisLog.ConnectionFailed(_logger, e.FailureType.ToString(), e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?", e.Exception);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            Interlocked.Increment(ref _reconnectionCount);
            _reconnections.Add(1);
        }

        RedisLog.ConnectionRestored(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?", Volatile.Read(ref _subscriptions));
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            SubscriptionsRestored?.Invoke();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Multiplexer.ConnectionFailed -= OnConnectionFailed;
        Multiplexer.ConnectionRestored -= OnConnectionRestored;
        if (_owned)
        {
            await Multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
