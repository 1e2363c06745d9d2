using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TypedSocketIo.Redis;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scaling the Socket.IO server out over Redis.</summary>
public static class RedisAdapterExtensions
{
    private static readonly RedisAdapterRegistration<RedisAdapterOptions> Registration =
        new(static options => options.BindConfiguration(RedisAdapterOptions.SectionName), RedisAdapter.Factory);

    /// <summary>
    /// Makes every namespace a member of a Redis cluster, over <paramref name="multiplexer"/> (not
    /// disposed by the server). Options come from the <c>SocketIo:Redis</c> configuration section,
    /// then <paramref name="configure"/>.
    /// </summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, IConnectionMultiplexer multiplexer, Action<RedisAdapterOptions>? configure = null) =>
        Registration.AddShared(builder, multiplexer, configure);

    /// <summary>As <see cref="AddRedisAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisAdapterOptions}?)"/>, connecting with <paramref name="connectionString"/> (the server owns the connection).</summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, string connectionString, Action<RedisAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return AddRedisAdapter(builder, ConfigurationOptions.Parse(connectionString), configure);
    }

    /// <summary>As <see cref="AddRedisAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisAdapterOptions}?)"/>, connecting with <paramref name="configuration"/> (the server owns the connection; it starts even while Redis is down, and reconnects).</summary>
    public static ISocketIoBuilder AddRedisAdapter(this ISocketIoBuilder builder, ConfigurationOptions configuration, Action<RedisAdapterOptions>? configure = null) =>
        Registration.AddOwned(builder, configuration, configure);
}
