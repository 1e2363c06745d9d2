using System.Text.Json;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// TypedSocketIo servers and Node socket.io 4.8 servers with @socket.io/redis-adapter 8.3 in one
/// cluster (classic and sharded), socket.io-client on each, every operation in both directions.
/// </summary>
public sealed class MixedClusterTests
{
    public static TheoryData<string> Flavours => new() { "classic", "sharded" };

    private static RedisAdapterFlavour Flavour(string name) => name == "sharded" ? RedisAdapterFlavour.Sharded : RedisAdapterFlavour.Classic;

    private static Dictionary<string, object?> Cmd(string cmd, object? rooms = null, object? except = null) => new()
    {
        ["cmd"] = cmd,
        ["rooms"] = rooms,
        ["except"] = except,
    };

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Broadcasts_acks_and_binary_cross_between_Node_and_dotnet_nodes(string flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, Flavour(flavour));
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, flavour);
        await DotNetClusterTests.WaitForServersAsync(2, ours);
        Assert.Equal(2, (await node.RunAsync(Cmd("count"))).GetInt32());
        await using SioDriver clients = await SioDriver.StartAsync();
        var acks = new { poll = new object[] { "ok" } };
        await clients.ConnectAsync("on-ours", ours.Url, new { auth = new { room = "r1" } }, autoAck: acks);
        await clients.ConnectAsync("on-node", node.Url, new { auth = new { room = "r1" } }, autoAck: acks);
        await clients.ConnectAsync("other", node.Url, new { auth = new { room = "r2" } }, autoAck: acks);
        await Wait.UntilAsync(() => ours.Adapter.Rooms.ContainsKey("r1"));

        // .NET -> Node: room broadcast with binary.
        ours.Io.Sockets.To("r1").Emit("from-ours", new byte[] { 9, 8 }, new { n = 1 });
        JsonElement got = await clients.MessageAsync("on-node", "from-ours");
        Assert.Equal(Convert.ToBase64String([9, 8]), got.GetProperty("args")[0].GetProperty("$binary").GetString());
        Assert.Equal(1, got.GetProperty("args")[1].GetProperty("n").GetInt32());

        // Node -> .NET: room broadcast with binary, and except.
        var emit = Cmd("emit", new[] { "r1" });
        emit["event"] = "from-node";
        emit["args"] = new object[] { SioDriver.Bin(7), "x" };
        await node.RunAsync(emit);
        got = await clients.MessageAsync("on-ours", "from-node");
        Assert.Equal(Convert.ToBase64String([7]), got.GetProperty("args")[0].GetProperty("$binary").GetString());
        var except = Cmd("emit", null, new[] { "r1" });
        except["event"] = "not-r1";
        await node.RunAsync(except);
        await clients.MessageAsync("other", "not-r1");

        // Acks both ways, counted across the two kinds of nodes.
        IReadOnlyList<SocketIoArgs> fromOurs = await ours.Io.Sockets.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("poll").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, fromOurs.Count);
        var poll = Cmd("emit");
        poll["event"] = "poll";
        poll["timeout"] = 5000;
        JsonElement fromNode = await node.RunAsync(poll);
        Assert.Equal(3, fromNode.GetArrayLength());

        ours.Io.Sockets.Emit("end");
        await clients.MessageAsync("other", "end");
        Assert.Equal(0, clients.CountMessages("other", "from-ours"));
        Assert.Equal(0, clients.CountMessages("on-ours", "not-r1"));
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Fetch_join_leave_disconnect_and_server_side_acks_cross_between_Node_and_dotnet_nodes(string flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, Flavour(flavour));
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, flavour);
        await DotNetClusterTests.WaitForServersAsync(2, ours);
        await using SioDriver clients = await SioDriver.StartAsync();
        string sOurs = await clients.ConnectAsync("on-ours", ours.Url, new { auth = new { user = "ada", room = "r1" } });
        string sNode = await clients.ConnectAsync("on-node", node.Url, new { auth = new { user = "bob", room = "r1" } });

        // .NET fetches Node's socket, with its handshake and data, and acts on it.
        IReadOnlyList<RemoteSocket> fetched = await ours.Io.Sockets.In("r1").FetchSockets();
        RemoteSocket bob = Assert.Single(fetched, s => s.Id == sNode);
        Assert.Equal("bob", ((JsonElement)bob.Data!).GetProperty("user").GetString());
        Assert.Equal("bob", bob.Handshake.Auth.GetProperty("user").GetString());
        bob.Emit("direct", "hi bob");
        await clients.MessageAsync("on-node", "direct");

        // Node fetches ours.
        JsonElement nodeView = await node.RunAsync(Cmd("fetch", new[] { "r1" }));
        JsonElement ada = nodeView.EnumerateArray().Single(s => s.GetProperty("id").GetString() == sOurs);
        Assert.Equal("ada", ada.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("ada", ada.GetProperty("auth").GetProperty("user").GetString());
        Assert.Contains("r1", ada.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()));

        // Joins both ways.
        ours.Io.Sockets.In("r1").SocketsJoin("joined-by-ours");
        var join = Cmd("join", new[] { "r1" });
        join["target"] = new[] { "joined-by-node" };
        await node.RunAsync(join);
        await Wait.UntilAsync(() => ours.Io.Sockets.Sockets[sOurs].Rooms.Contains("joined-by-node"));
        JsonElement again = await node.RunAsync(Cmd("fetch", new[] { "joined-by-ours" }));
        Assert.Equal(2, again.GetArrayLength());

        // Server-side events with acks, both ways.
        ours.Typed.ServerSide.On.CountClients(room => room.Length);
        var s2s = Cmd("s2s");
        s2s["event"] = "countClients";
        s2s["args"] = new object[] { "abcd" };
        s2s["ack"] = true;
        JsonElement answers = await node.RunAsync(s2s);
        Assert.Equal(4, Assert.Single(answers.EnumerateArray()).GetInt32());
        IReadOnlyList<SocketIoArgs> fromNode = await ours.Io.Sockets.ServerSideEmitWithAck("s2s", ["hello"]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("node", Assert.Single(fromNode)[0].GetProperty("from").GetString());
        ours.Typed.ServerSide.Emit.CacheInvalidated("k", 3);
        await node.Driver.NextAsync(e => e.GetProperty("event").GetString() == "s2s" && e.GetProperty("name").GetString() == "s2s");

        // Leave and disconnect both ways.
        var leave = Cmd("leave", new[] { sOurs });
        leave["target"] = new[] { "joined-by-node" };
        await node.RunAsync(leave);
        await Wait.UntilAsync(() => !ours.Io.Sockets.Sockets[sOurs].Rooms.Contains("joined-by-node"));
        ours.Io.Sockets.In(sNode).DisconnectSockets(true);
        await clients.EventAsync("disconnect", "on-node");
        await node.RunAsync(Cmd("disconnect", new[] { sOurs }));
        await clients.EventAsync("disconnect", "on-ours");
    }

    [Fact]
    public async Task All_rooms_of_a_Node_node_reach_ours_and_ours_reach_Node_in_the_classic_flavour()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, "classic");
        await DotNetClusterTests.WaitForServersAsync(2, ours);
        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("a", ours.Url, new { auth = new { room = "room-ours" } });
        await clients.ConnectAsync("b", node.Url, new { auth = new { room = "room-node" } });

        Assert.Contains("room-node", await ours.Adapter.AllRooms());
        Assert.Contains("room-ours", (await node.RunAsync(Cmd("allRooms"))).EnumerateArray().Select(r => r.GetString()));
    }
}
