using System.Text.Json;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>Two and three TypedSocketIo servers over one redis-server, with the official socket.io-client on each.</summary>
public sealed class DotNetClusterTests
{
    public static TheoryData<RedisAdapterFlavour> Flavours => new() { RedisAdapterFlavour.Classic, RedisAdapterFlavour.Sharded };

    internal static async Task WaitForServersAsync(int expected, params Func<Task<int>>[] counts)
    {
        foreach (Func<Task<int>> count in counts)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (await count() != expected)
            {
                await Task.Delay(20, cts.Token);
            }
        }
    }

    internal static Task WaitForServersAsync(int expected, params DotNetNode[] nodes) =>
        WaitForServersAsync(expected, nodes.Select(n => (Func<Task<int>>)(() => n.Adapter.ServerCount().AsTask())).ToArray());

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Broadcasts_reach_every_node_with_rooms_except_local_and_binary(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("c1", a.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("c2", b.Url, new { auth = new { room = "r1" } });
        await clients.ConnectAsync("c3", b.Url, new { auth = new { room = "r2" } });
        await Wait.UntilAsync(() => b.Adapter.Rooms.ContainsKey("r1") && b.Adapter.Rooms.ContainsKey("r2") && a.Adapter.Rooms.ContainsKey("r1"));

        a.Io.Sockets.To("r1").Emit("hello", "from a", new byte[] { 1, 2, 3 });
        JsonElement remote = await clients.MessageAsync("c2", "hello");
        Assert.Equal("from a", remote.GetProperty("args")[0].GetString());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), remote.GetProperty("args")[1].GetProperty("$binary").GetString());
        await clients.MessageAsync("c1", "hello");

        a.Io.Sockets.Except("r2").Emit("except");
        await clients.MessageAsync("c1", "except");
        await clients.MessageAsync("c2", "except");

        b.Io.Sockets.Local.Emit("local");
        await clients.MessageAsync("c2", "local");
        await clients.MessageAsync("c3", "local");

        // A volatile broadcast crosses too, but may be dropped where a socket's transport is busy (as
        // it is meant to be), so the test does not wait for it; the uncompressed one that follows must
        // arrive everywhere.
        a.Io.Sockets.Volatile.Emit("maybe");
        a.Io.Sockets.Compress(false).Emit("end");
        foreach (string id in new[] { "c1", "c2", "c3" })
        {
            await clients.MessageAsync(id, "end");
        }

        Assert.Equal(0, clients.CountMessages("c3", "hello"));
        Assert.Equal(0, clients.CountMessages("c3", "except"));
        Assert.Equal(0, clients.CountMessages("c1", "local"));
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Broadcast_acks_count_the_clients_of_every_node(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode c = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(3, a, b, c);
        await using SioDriver clients = await SioDriver.StartAsync();
        var answers = new { vote = new object[] { "yes" } };
        await clients.ConnectAsync("c1", a.Url, autoAck: answers);
        await clients.ConnectAsync("c2", b.Url, autoAck: answers);
        await clients.ConnectAsync("c3", c.Url, autoAck: answers);
        await clients.ConnectAsync("c4", c.Url, autoAck: answers);

        IReadOnlyList<SocketIoArgs> votes = await a.Io.Sockets.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("vote").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, votes.Count);
        Assert.All(votes, v => Assert.Equal("yes", v.GetString(0)));
        Assert.Equal(3, await b.Adapter.ServerCount());
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task A_broadcast_ack_times_out_with_the_answers_that_came_when_a_remote_client_does_not_answer(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("c1", a.Url, autoAck: new { vote = new object[] { 1 } });
        await clients.ConnectAsync("c2", b.Url); // never answers

        var error = await Assert.ThrowsAsync<SocketIoTimeoutException>(() => a.Io.Sockets.Timeout(TimeSpan.FromMilliseconds(800)).EmitWithAck("vote").WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Single((SocketIoArgs[])error.PartialResponses!);
        await clients.MessageAsync("c2", "vote");
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Join_leave_disconnect_and_fetch_reach_the_sockets_of_other_nodes(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        string s1 = await clients.ConnectAsync("c1", a.Url, new { auth = new { user = "ada", room = "r1" } });
        string s2 = await clients.ConnectAsync("c2", b.Url, new { auth = new { user = "bob", room = "r1" }, query = new { q = "42" } });

        a.Io.Sockets.In("r1").SocketsJoin("r3");
        await Wait.UntilAsync(() => b.Io.Sockets.Sockets[s2].Rooms.Contains("r3") && a.Io.Sockets.Sockets[s1].Rooms.Contains("r3"));

        IReadOnlyList<RemoteSocket> fetched = await a.Io.Sockets.In("r3").FetchSockets();
        RemoteSocket bob = Assert.Single(fetched, s => s.Id == s2);
        Assert.False(bob.IsLocal);
        Assert.Equal(new[] { "r1", "r3", s2 }.Order(), bob.Rooms.Order());
        Assert.Equal("bob", bob.GetData<SessionData>()!.User);
        Assert.Equal("bob", bob.Handshake.Auth.GetProperty("user").GetString());
        Assert.Equal("42", bob.Handshake.Query["q"].ToString());
        Assert.True(Assert.Single(fetched, s => s.Id == s1).IsLocal);

        bob.Emit("direct", "to bob");
        Assert.Equal("to bob", (await clients.MessageAsync("c2", "direct")).GetProperty("args")[0].GetString());
        await bob.Join("r4");
        await Wait.UntilAsync(() => b.Io.Sockets.Sockets[s2].Rooms.Contains("r4"));
        await bob.Leave("r4");
        await Wait.UntilAsync(() => !b.Io.Sockets.Sockets[s2].Rooms.Contains("r4"));

        b.Io.Sockets.In("r3").Except(s2).SocketsLeave("r3");
        await Wait.UntilAsync(() => !a.Io.Sockets.Sockets[s1].Rooms.Contains("r3"));
        Assert.Contains("r3", b.Io.Sockets.Sockets[s2].Rooms);

        a.Io.Sockets.In(s2).DisconnectSockets(close: true);
        await clients.EventAsync("disconnect", "c2");
        Assert.Empty(await a.Io.Sockets.In("r3").FetchSockets());
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Typed_server_side_events_and_their_acks_cross_nodes(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode c = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(3, a, b, c);
        b.Typed.ServerSide.On.CacheInvalidated((key, version) => b.Host.Record("invalidated", $"{key}@{version}"));
        b.Typed.ServerSide.On.CountClients(room => room.Length);
        c.Typed.ServerSide.On.CountClients(room => room.Length * 10);

        a.Typed.ServerSide.Emit.CacheInvalidated("users", 7);
        IReadOnlyList<int> answers = await a.Typed.ServerSide.EmitWithAck.CountClients("abc").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("users@7", await b.Host.NextAsync("invalidated"));
        Assert.Equal([3, 30], answers.Order().ToArray());
        Assert.Equal(0, a.Host.Count("invalidated"));
    }

    [Theory]
    [MemberData(nameof(Flavours))]
    public async Task Requests_time_out_with_the_reference_errors_when_a_node_does_not_answer(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour, TimeSpan.FromMilliseconds(500));
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await WaitForServersAsync(2, a, b);

        // b has no handler for the event: it never answers.
        var error = await Assert.ThrowsAsync<ClusterRequestTimeoutException>(() =>
            a.Io.Sockets.ServerSideEmitWithAck("nobody-listens", ["x"]).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("timeout reached: only 0 responses received out of 1", error.Message);
        Assert.True(a.Adapter.Metrics.PublishFailures == 0);
    }

    [Fact]
    public async Task All_rooms_gathers_every_nodes_rooms_in_the_classic_flavour()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("c1", a.Url, new { auth = new { room = "ra" } });
        await clients.ConnectAsync("c2", b.Url, new { auth = new { room = "rb" } });
        await Wait.UntilAsync(() => b.Adapter.Rooms.ContainsKey("rb") && a.Adapter.Rooms.ContainsKey("ra"));

        IReadOnlySet<string> rooms = await a.Adapter.AllRooms();

        Assert.Contains("ra", rooms);
        Assert.Contains("rb", rooms);
    }
}
