using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TypedSocketIo.Redis;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scaling the Socket.IO server out over Redis Streams, with connection state recovery across servers.</summary>
public static class RedisStreamsAdapterExtensions
{
    private static readonly RedisAdapterRegistration<RedisStreamsAdapterOptions> Registration =
        new(static options => options.BindConfiguration(RedisStreamsAdapterOptions.SectionName), RedisStreamsAdapter.Factory);

    /// <summary>
    /// Makes every namespace a member of a Redis Streams cluster (@socket.io/redis-streams-adapter
    /// 0.3's wire) over <paramref name="multiplexer"/> (not disposed by the server). Options come from
    /// the <c>SocketIo:RedisStreams</c> configuration section, then <paramref name="configure"/>.
    /// With <c>ConnectionStateRecovery</c> on, a client recovers its session on any server.
    /// </summary>
    public static ISocketIoBuilder AddRedisStreamsAdapter(this ISocketIoBuilder builder, IConnectionMultiplexer multiplexer, Action<RedisStreamsAdapterOptions>? configure = null) =>
        Registration.AddShared(builder, multiplexer, configure);

    /// <summary>As <see cref="AddRedisStreamsAdapter(ISocketIoBuilder, IConnectionMultiplexer, Action{RedisStreamsAdapterOptions}?)"/>, connecting with <paramref name="connectionString"/> (the server owns the connection).</summary>
    public static ISocketIoBuilder AddRedisStreamsAdapter(this ISocketIoBuilder builder, string connectionString, Action<RedisStreamsAdapterOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return Registration.AddOwned(builder, ConfigurationOptions.Parse(connectionString), configure);
    }
}
