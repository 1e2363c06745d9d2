using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TypedSocketIo.Redis;
using TypedSocketIo.Server.Cluster;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scaling the Socket.IO server out over Redis.</summary>
public static class RedisAdapterExtensions
{
    /// <summary>
    /// Makes every namespace a member of a Redis cluster, over <paramref name="multiplexer"/> (not
    /// disposed by the server). Options come from the <c>SocketIo:Redis</c> configuration section,
    /// then <paramref name="configure"/>.
    /// </summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, IConnectionMultiplexer multiplexer, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        return Add(builder, _ => multiplexer, owned: false, configure);
    }

    /// <summary>As <see cref="AddRedisAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisAdapterOptions}?)"/>, connecting with <paramref name="connectionString"/> (the server owns the connection).</summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, string connectionString, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return AddRedisAdapter(builder, ConfigurationOptions.Parse(connectionString), configure);
    }

    /// <summary>As <see cref="AddRedisAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisAdapterOptions}?)"/>, connecting with <paramref name="configuration"/> (the server owns the connection; it starts even while Redis is down, and reconnects).</summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, ConfigurationOptions configuration, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ConfigurationOptions copy = configuration.Clone();
        copy.AbortOnConnectFail = false;
        return Add(builder, _ => ConnectionMultiplexer.Connect(copy), owned: true, configure);
    }

    private static ISocketIoBuilder Add(ISocketIoBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer, bool owned, Action<RedisAdapterOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<RedisAdapterOptions> options = builder.Services.AddOptions<RedisAdapterOptions>().BindConfiguration(RedisAdapterOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(static sp => new ClusterMetrics(sp.GetService<IMeterFactory>()));
        builder.Services.TryAddSingleton(sp => new RedisConnection(multiplexer(sp), owned,
            sp.GetService<ILoggerFactory>()?.CreateLogger<RedisConnection>(), sp.GetService<IMeterFactory>()));
        builder.AddAdapter(static (sp, nsp) =>
        {
            Func<TypedSocketIo.Server.Namespace, TypedSocketIo.Server.InMemoryAdapter> factory = sp.GetRequiredService<RedisFactoryHolder>().Get(sp);
            return factory(nsp);
        });
        builder.Services.TryAddSingleton<RedisFactoryHolder>();
        return builder;
    }

    /// <summary>Builds the adapter factory once, from the resolved options and connection.</summary>
    private sealed class RedisFactoryHolder
    {
        private Func<TypedSocketIo.Server.Namespace, TypedSocketIo.Server.InMemoryAdapter>? _factory;

        public Func<TypedSocketIo.Server.Namespace, TypedSocketIo.Server.InMemoryAdapter> Get(IServiceProvider sp) =>
            LazyInitializer.EnsureInitialized(ref _factory, () => RedisAdapter.Factory(
                sp.GetRequiredService<RedisConnection>(),
                sp.GetRequiredService<IOptions<RedisAdapterOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<ClusterMetrics>()));
    }
}
