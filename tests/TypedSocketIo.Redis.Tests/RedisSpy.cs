using System.Text;
using StackExchange.Redis;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>A plain Redis client in a test: publishes raw messages and records what is published on the channels it listens to.</summary>
public sealed class RedisSpy : IAsyncDisposable
{
    private readonly List<(string Channel, string Message)> _heard = new();

    private RedisSpy(ConnectionMultiplexer multiplexer) => Multiplexer = multiplexer;

    public ConnectionMultiplexer Multiplexer { get; }

    /// <summary>Connects and listens to <paramref name="pattern"/> (a PSUBSCRIBE pattern).</summary>
    public static async Task<RedisSpy> StartAsync(RedisServer redis, string pattern)
    {
        var spy = new RedisSpy(await ConnectionMultiplexer.ConnectAsync(redis.Configuration));
        await spy.Multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(pattern), (channel, message) =>
        {
            lock (spy._heard)
            {
                spy._heard.Add((channel.ToString(), Encoding.UTF8.GetString((byte[])message!)));
            }
        });
        return spy;
    }

    /// <summary>What was heard so far: (channel, message as UTF-8 text).</summary>
    public (string Channel, string Message)[] Heard
    {
        get
        {
            lock (_heard)
            {
                return _heard.ToArray();
            }
        }
    }

    /// <summary>Waits (bounded) for a message whose text contains <paramref name="fragment"/>.</summary>
    public async Task<(string Channel, string Message)> NextAsync(string fragment)
    {
        (string, string) found = default;
        await Wait.UntilAsync(() =>
        {
            foreach ((string Channel, string Message) m in Heard)
            {
                if (m.Message.Contains(fragment, StringComparison.Ordinal))
                {
                    found = m;
                    return true;
                }
            }

            return false;
        });
        return found;
    }

    public Task PublishAsync(string channel, string message) =>
        Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), Encoding.UTF8.GetBytes(message));

    public ValueTask DisposeAsync() => Multiplexer.DisposeAsync();
}
