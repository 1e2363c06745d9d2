using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TypedSocketIo.Redis;
using TypedSocketIo.Server.Cluster;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scaling the Socket.IO server out over Redis Streams, with connection state recovery across servers.</summary>
public static class RedisStreamsAdapterExtensions
{
    /// <summary>
    /// Makes every namespace a member of a Redis Streams cluster (@socket.io/redis-streams-adapter
    /// 0.3's wire) over <paramref name="multiplexer"/> (not disposed by the server). Options come from
    /// the <c>SocketIo:RedisStreams</c> configuration section, then <paramref name="configure"/>.
    /// With <c>ConnectionStateRecovery</c> on, a client recovers its session on any server.
    /// </summary>
    public static ISocketIoBuilder AddRedisStreamsAdapter(this ISocketIoBuilder builder, IConnectionMultiplexer multiplexer, Action<RedisStreamsAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        return Add(builder, _ => multiplexer, owned: false, configure);
    }

    /// <summary>As <see cref="AddRedisStreamsAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisStreamsAdapterOptions}?)"/>, connecting with <paramref name="connectionString"/> (the server owns the connection).</summary>
    public static ISocketIoBuilder AddRedisStreamsAdapter(this ISocketIoBuilder builder, string connectionString, Action<RedisStreamsAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ConfigurationOptions configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        return Add(builder, _ => ConnectionMultiplexer.Connect(configuration), owned: true, configure);
    }

    private static ISocketIoBuilder Add(ISocketIoBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer, bool owned, Action<RedisStreamsAdapterOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<RedisStreamsAdapterOptions> options = builder.Services.AddOptions<RedisStreamsAdapterOptions>().BindConfiguration(RedisStreamsAdapterOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(static sp => new ClusterMetrics(sp.GetService<IMeterFactory>()));
        builder.Services.TryAddSingleton(sp => new RedisConnection(multiplexer(sp), owned,
            sp.GetService<ILoggerFactory>()?.CreateLogger<RedisConnection>(), sp.GetService<IMeterFactory>()));
        builder.Services.TryAddSingleton<StreamsFactoryHolder>();
        builder.AddAdapter(static (sp, nsp) => sp.GetRequiredService<StreamsFactoryHolder>().Get(sp)(nsp));
        return builder;
    }

    /// <summary>Builds the adapter factory once, from the resolved options and connection.</summary>
    private sealed class StreamsFactoryHolder
    {
        private Func<TypedSocketIo.Server.Namespace, TypedSocketIo.Server.InMemoryAdapter>? _factory;

        public Func<TypedSocketIo.Server.Namespace, TypedSocketIo.Server.InMemoryAdapter> Get(IServiceProvider sp) =>
            LazyInitializer.EnsureInitialized(ref _factory, () => RedisStreamsAdapter.Factory(
                sp.GetRequiredService<RedisConnection>(),
                sp.GetRequiredService<IOptions<RedisStreamsAdapterOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<ClusterMetrics>()));
    }
}
