using System.Text.Json;
using StackExchange.Redis;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>@socket.io/redis-emitter 5.1 driving our nodes, and our RedisEmitter driving Node's.</summary>
public sealed class EmitterTests
{
    [Fact]
    public async Task The_Node_redis_emitter_drives_dotnet_nodes()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using NodeClusterPeer emitter = await NodeClusterPeer.StartAsync(redis, "emitter");
        await using SioDriver clients = await SioDriver.StartAsync();
        string s1 = await clients.ConnectAsync("c1", ours.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("c2", ours.Url, new { auth = new { room = "r2" } });
        ours.Io.Sockets.OnServerSideEmit("s2s", e => ours.Host.Record("s2s", e.Args.GetString(0)!));

        await emitter.RunAsync(new() { ["cmd"] = "emit", ["rooms"] = new[] { "r1" }, ["event"] = "news", ["args"] = new object[] { "hi", SioDriver.Bin(5) } });
        JsonElement news = await clients.MessageAsync("c1", "news");
        Assert.Equal(Convert.ToBase64String([5]), news.GetProperty("args")[1].GetProperty("$binary").GetString());
        await emitter.RunAsync(new() { ["cmd"] = "join", ["rooms"] = new[] { "r1" }, ["target"] = new[] { "joined" } });
        await Wait.UntilAsync(() => ours.Io.Sockets.Sockets[s1].Rooms.Contains("joined"));
        await emitter.RunAsync(new() { ["cmd"] = "s2s", ["event"] = "s2s", ["args"] = new object[] { "from emitter" } });
        Assert.Equal("from emitter", await ours.Host.NextAsync("s2s"));
        await emitter.RunAsync(new() { ["cmd"] = "disconnect", ["rooms"] = new[] { "joined" } });
        await clients.EventAsync("disconnect", "c1");

        await emitter.RunAsync(new() { ["cmd"] = "emit", ["event"] = "end" });
        await clients.MessageAsync("c2", "end");
        Assert.Equal(0, clients.CountMessages("c2", "news"));
    }

    [Fact]
    public async Task Our_RedisEmitter_drives_Node_nodes_and_ours_typed()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, "classic");
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var emitter = new RedisEmitter(multiplexer);
        await using SioDriver clients = await SioDriver.StartAsync();
        string sNode = await clients.ConnectAsync("on-node", node.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("on-ours", ours.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("elsewhere", node.Url, new { auth = new { room = "r2" } });
        ours.Typed.ServerSide.On.CacheInvalidated((key, version) => ours.Host.Record("invalidated", $"{key}@{version}"));

        await emitter.To("r1").Except("r2").Emit("news", "typed?", new byte[] { 4, 2 });
        JsonElement onNode = await clients.MessageAsync("on-node", "news");
        Assert.Equal(Convert.ToBase64String([4, 2]), onNode.GetProperty("args")[1].GetProperty("$binary").GetString());
        await clients.MessageAsync("on-ours", "news");

        emitter.To("r1").Emit<IServerEvents>().UserJoined("zoe", 3);
        JsonElement typed = await clients.MessageAsync("on-node", "user joined");
        Assert.Equal("zoe", typed.GetProperty("args")[0].GetString());

        await emitter.In("r1").SocketsJoin("vip");
        JsonElement vip = await node.RunAsync(new() { ["cmd"] = "fetch", ["rooms"] = new[] { "vip" } });
        await Wait.UntilAsync(() => ours.Io.Sockets.Sockets.Values.All(s => s.Rooms.Contains("vip")));
        Assert.Equal(2, (await node.RunAsync(new() { ["cmd"] = "fetch", ["rooms"] = new[] { "vip" } })).GetArrayLength());
        _ = vip;
        await emitter.In("vip").SocketsLeave("vip");
        await Wait.UntilAsync(() => ours.Io.Sockets.Sockets.Values.All(s => !s.Rooms.Contains("vip")));

        await emitter.ServerSideEmit("s2s", "from our emitter");
        Assert.Equal("from our emitter", (await node.NextS2SAsync("s2s")).GetProperty("args")[0].GetString());
        emitter.ServerSide<IClusterEvents>().CacheInvalidated("users", 9);
        Assert.Equal("users@9", await ours.Host.NextAsync("invalidated"));

        await emitter.In(sNode).DisconnectSockets(true);
        await clients.EventAsync("disconnect", "on-node");
        await emitter.Emit("end");
        await clients.MessageAsync("elsewhere", "end");
        Assert.Equal(0, clients.CountMessages("elsewhere", "news"));
    }
}
