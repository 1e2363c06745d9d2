using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>Builds the adapter factory of one Redis flavour from the resolved connection, options, logger factory and metrics.</summary>
internal delegate Func<Namespace, InMemoryAdapter> RedisAdapterFactory<in TOptions>(RedisConnection connection, TOptions options, ILoggerFactory? loggerFactory, ClusterMetrics metrics);

/// <summary>
/// What <c>AddRedisAdapter</c> and <c>AddRedisStreamsAdapter</c> share: the options bound from their
/// configuration section then configured, one <see cref="RedisConnection"/> and one
/// <see cref="ClusterMetrics"/> per service provider, and an adapter for every namespace from a
/// factory built once.
/// </summary>
/// <param name="bind">Binds the options from their configuration section (a call on the concrete type, which the configuration binding generator can see).</param>
/// <param name="factory">The flavour's adapter factory.</param>
internal sealed class RedisAdapterRegistration<TOptions>(Action<OptionsBuilder<TOptions>> bind, RedisAdapterFactory<TOptions> factory)
    where TOptions : class
{
    /// <summary>Registers the adapter over <paramref name="multiplexer"/>, which the application owns (the server does not dispose it).</summary>
    public ISocketIoBuilder AddShared(ISocketIoBuilder builder, IConnectionMultiplexer multiplexer, Action<TOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        return Add(builder, _ => multiplexer, owned: false, configure);
    }

    /// <summary>Registers the adapter over a connection the server makes with <paramref name="configuration"/> and owns; it starts even while Redis is down, and reconnects.</summary>
    public ISocketIoBuilder AddOwned(ISocketIoBuilder builder, ConfigurationOptions configuration, Action<TOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ConfigurationOptions copy = configuration.Clone();
        copy.AbortOnConnectFail = false;
        return Add(builder, _ => ConnectionMultiplexer.Connect(copy), owned: true, configure);
    }

    private ISocketIoBuilder Add(ISocketIoBuilder builder, Func<IServiceProvider, IConnectionMultiplexer> multiplexer, bool owned, Action<TOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<TOptions> options = builder.Services.AddOptions<TOptions>();
        bind(options);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(static sp => new ClusterMetrics(sp.GetService<IMeterFactory>()));
        builder.Services.TryAddSingleton(sp => new RedisConnection(multiplexer(sp), owned,
            sp.GetService<ILoggerFactory>()?.CreateLogger<RedisConnection>(), sp.GetService<IMeterFactory>()));
        builder.Services.TryAddSingleton(_ => new FactoryHolder(factory));
        builder.AddAdapter(static (sp, nsp) => sp.GetRequiredService<FactoryHolder>().Get(sp)(nsp));
        return builder;
    }

    /// <summary>Builds the adapter factory once, from the resolved options and connection.</summary>
    private sealed class FactoryHolder(RedisAdapterFactory<TOptions> factory)
    {
        private Func<Namespace, InMemoryAdapter>? _factory;

        public Func<Namespace, InMemoryAdapter> Get(IServiceProvider sp) =>
            LazyInitializer.EnsureInitialized(ref _factory, () => factory(
                sp.GetRequiredService<RedisConnection>(),
                sp.GetRequiredService<IOptions<TOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<ClusterMetrics>()));
    }
}
