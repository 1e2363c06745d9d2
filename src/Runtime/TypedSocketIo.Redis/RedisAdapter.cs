using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>Creates Redis cluster adapters without dependency injection (<c>AddRedisAdapter</c> does it for you).</summary>
public static class RedisAdapter
{
    /// <summary>
    /// An adapter factory for <see cref="SocketIoServerOptions.AdapterFactory"/>: each namespace gets a
    /// <see cref="ClusterAdapter"/> over the flavour <paramref name="options"/> names. Each server
    /// needs a connection of its own (the server count is a subscriber count).
    /// </summary>
    public static Func<Namespace, InMemoryAdapter> Factory(RedisConnection connection, RedisAdapterOptions? options = null,
        ILoggerFactory? loggerFactory = null, ClusterMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RedisAdapterOptions o = options ?? new RedisAdapterOptions();
        if (o.RequestsTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), o.RequestsTimeout, "RequestsTimeout must be positive.");
        }

        ArgumentException.ThrowIfNullOrEmpty(o.Key);
        ArgumentException.ThrowIfNullOrEmpty(o.ChannelPrefix);
        var adapterOptions = new ClusterAdapterOptions { RequestsTimeout = o.RequestsTimeout };
        ILogger? logger = loggerFactory?.CreateLogger<ClusterAdapter>();
        ClusterMetrics m = metrics ?? new ClusterMetrics();
        return nsp => new ClusterAdapter(nsp, Transport(connection, o), adapterOptions, logger, m);
    }

    private static RedisTransport Transport(RedisConnection connection, RedisAdapterOptions options) => options.Flavour switch
    {
        RedisAdapterFlavour.Sharded => new ShardedRedisTransport(connection, options),
        _ => new ClassicRedisTransport(connection, options),
    };
}
