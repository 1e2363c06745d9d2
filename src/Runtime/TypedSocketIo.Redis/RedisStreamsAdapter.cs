using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// Creates Redis Streams cluster adapters without dependency injection (<c>AddRedisStreamsAdapter</c>
/// does it for you): @socket.io/redis-streams-adapter 0.3's wire, with connection state recovery
/// across servers when the server turns it on.
/// </summary>
public static class RedisStreamsAdapter
{
    /// <summary>
    /// An adapter factory for <see cref="SocketIoServerOptions.AdapterFactory"/>: each namespace gets a
    /// <see cref="ClusterAdapter"/> over a <see cref="RedisStreamsTransport"/>; the namespaces that
    /// share a stream share its reader. Each server needs a connection of its own.
    /// </summary>
    public static Func<Namespace, InMemoryAdapter> Factory(RedisConnection connection, RedisStreamsAdapterOptions? options = null,
        ILoggerFactory? loggerFactory = null, ClusterMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RedisStreamsAdapterOptions o = options ?? new RedisStreamsAdapterOptions();
        o.Validate();
        var adapterOptions = new ClusterAdapterOptions { RequestsTimeout = o.RequestsTimeout };
        ILogger? logger = loggerFactory?.CreateLogger<ClusterAdapter>();
        ILogger? readerLogger = loggerFactory?.CreateLogger<RedisStreamsTransport>();
        ClusterMetrics m = metrics ?? new ClusterMetrics();
        var readers = new Dictionary<string, RedisStreamReader>(StringComparer.Ordinal);
        void Released(RedisStreamReader reader)
        {
            lock (readers)
            {
                foreach (KeyValuePair<string, RedisStreamReader> pair in readers)
                {
                    if (ReferenceEquals(pair.Value, reader))
                    {
                        readers.Remove(pair.Key);
                        break;
                    }
                }
            }
        }

        return nsp =>
        {
            string stream = o.StreamOf(nsp.Name);
            RedisStreamReader reader;
            lock (readers)
            {
                if (!readers.TryGetValue(stream, out reader!))
                {
                    readers[stream] = reader = new RedisStreamReader(connection, o, stream, readerLogger);
                }
            }

            return new ClusterAdapter(nsp, new RedisStreamsTransport(connection, o, reader, Released), adapterOptions, logger, m);
        };
    }
}
