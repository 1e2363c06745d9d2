using System.Text.Json;
using StackExchange.Redis;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>The sharded flavour's subscription modes, with a Node node in the same mode, and its room channels across a Redis outage.</summary>
public sealed class ShardedModeTests
{
    public static TheoryData<RedisSubscriptionMode, string> Modes => new()
    {
        { RedisSubscriptionMode.Static, "static" },
        { RedisSubscriptionMode.DynamicPrivate, "dynamic-private" },
    };

    internal static async Task<string[]> ShardChannelsAsync(RedisServer redis)
    {
        await using ConnectionMultiplexer spy = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        RedisResult result = await spy.GetDatabase().ExecuteAsync("PUBSUB", "SHARDCHANNELS");
        return ((RedisResult[])result!).Select(r => r.ToString()!).ToArray();
    }

    private static async Task WaitForChannelAsync(RedisServer redis, string channel)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!(await ShardChannelsAsync(redis)).Contains(channel))
        {
            await Task.Delay(50, cts.Token);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Rooms_and_single_sockets_are_reached_across_dotnet_and_Node_nodes_in_the_mode_s_channels(RedisSubscriptionMode mode, string nodeMode)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Sharded, configure: o => o.SubscriptionMode = mode);
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, "sharded", "--subscription-mode", nodeMode);
        await DotNetClusterTests.WaitForServersAsync(2, ours);
        await using SioDriver clients = await SioDriver.StartAsync();
        string sOurs = await clients.ConnectAsync("on-ours", ours.Url, new { auth = new { room = "r1" } });
        string sNode = await clients.ConnectAsync("on-node", node.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("other", node.Url, new { auth = new { room = "r2" } });

        string[] channels = await ShardChannelsAsync(redis);
        string ourUid = ours.Adapter.Uid;
        Assert.Contains("socket.io#/#", channels);
        Assert.Contains($"socket.io#/#{ourUid}#", channels);
        if (mode == RedisSubscriptionMode.Static)
        {
            // Static: the namespace's channel and each node's answer channel, nothing per room.
            Assert.DoesNotContain("socket.io#/#r1#", channels);
            Assert.DoesNotContain($"socket.io#/#{sOurs}#", channels);
        }
        else
        {
            // DynamicPrivate: a channel per room, socket ids' rooms included, subscribed while it has local members.
            await WaitForChannelAsync(redis, $"socket.io#/#{sOurs}#");
            channels = await ShardChannelsAsync(redis);
            Assert.Contains("socket.io#/#r1#", channels);
            Assert.Contains($"socket.io#/#{sNode}#", channels);
        }

        ours.Io.Sockets.To("r1").Emit("room", "from ours");
        Assert.Equal("from ours", (await clients.MessageAsync("on-node", "room")).GetProperty("args")[0].GetString());
        Assert.Equal("from ours", (await clients.MessageAsync("on-ours", "room")).GetProperty("args")[0].GetString());
        ours.Io.Sockets.To(sNode).Emit("direct", "to node's socket");
        Assert.Equal("to node's socket", (await clients.MessageAsync("on-node", "direct")).GetProperty("args")[0].GetString());
        await node.RunAsync(new() { ["cmd"] = "emit", ["rooms"] = new[] { "r1" }, ["event"] = "room", ["args"] = new object[] { "from node" } });
        Assert.Equal("from node", (await clients.MessageAsync("on-ours", "room")).GetProperty("args")[0].GetString());
        Assert.Equal("from node", (await clients.MessageAsync("on-node", "room")).GetProperty("args")[0].GetString());
        await node.RunAsync(new() { ["cmd"] = "emit", ["rooms"] = new[] { sOurs }, ["event"] = "direct", ["args"] = new object[] { "to our socket" } });
        Assert.Equal("to our socket", (await clients.MessageAsync("on-ours", "direct")).GetProperty("args")[0].GetString());

        ours.Io.Sockets.Emit("end");
        await clients.MessageAsync("other", "end");
        Assert.Equal(0, clients.CountMessages("other", "room"));
        Assert.Equal(0, clients.CountMessages("other", "direct"));
        Assert.Equal(2, clients.CountMessages("on-node", "room"));
        Assert.Equal(1, clients.CountMessages("on-node", "direct"));
    }

    [Fact]
    public async Task A_room_channel_whose_subscription_failed_during_an_outage_is_subscribed_when_Redis_returns()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Sharded);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Sharded);
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        string sid = await clients.ConnectAsync("c1", b.Url);

        await redis.StopAsync();
        await Wait.UntilAsync(() => !b.Adapter.Transport.IsConnected);
        // The room gets its first member on b while Redis is down: its SSUBSCRIBE cannot succeed now.
        await b.Io.Sockets.Sockets[sid].Join("joined-in-outage");
        var transport = (ShardedRedisTransport)b.Adapter.Transport;
        await Wait.UntilAsync(() => transport.RoomsAwaitingSubscription == 1, TimeSpan.FromSeconds(15));

        await redis.RestartAsync();
        await Wait.UntilAsync(() => a.Adapter.Transport.IsConnected && b.Adapter.Transport.IsConnected, TimeSpan.FromSeconds(30));
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await WaitForChannelAsync(redis, "socket.io#/#joined-in-outage#");
        await Wait.UntilAsync(() => transport.RoomsAwaitingSubscription == 0);

        a.Io.Sockets.To("joined-in-outage").Emit("after", 1);
        JsonElement after = await clients.MessageAsync("c1", "after");
        Assert.Equal(1, after.GetProperty("args")[0].GetInt32());
    }
}
