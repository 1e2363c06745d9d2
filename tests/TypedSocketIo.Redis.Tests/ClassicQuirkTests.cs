using System.Text.Json;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// The classic flavour's less travelled paths: answers on the requester's own channel
/// (<c>publishOnSpecificResponseChannel</c>), and the legacy requests the reference still answers
/// (single-socket join/leave/disconnect, the SOCKETS query), which no current Node adapter sends,
/// so they are published raw.
/// </summary>
public sealed class ClassicQuirkTests
{
    private const string RequestChannel = "socket.io-request#/#";

    private static Dictionary<string, object?> Cmd(string cmd, object? rooms = null) => new() { ["cmd"] = cmd, ["rooms"] = rooms };

    [Fact]
    public async Task With_PublishOnSpecificResponseChannel_answers_go_to_the_requester_s_channel_between_dotnet_nodes()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic, configure: o => o.PublishOnSpecificResponseChannel = true);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic, configure: o => o.PublishOnSpecificResponseChannel = true);
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await using RedisSpy spy = await RedisSpy.StartAsync(redis, "socket.io-response#*");
        await using SioDriver clients = await SioDriver.StartAsync();
        string sb = await clients.ConnectAsync("c1", b.Url, new { auth = new { room = "r1" } });
        b.Io.Sockets.OnServerSideEmit("ping-servers", e => e.Ack("pong"));

        Assert.Contains(await a.Io.Sockets.In("r1").FetchSockets(), s => s.Id == sb);
        Assert.Contains("r1", await a.Adapter.AllRooms());
        Assert.Equal("pong", Assert.Single(await a.Io.Sockets.ServerSideEmitWithAck("ping-servers")).GetString(0));

        string own = $"socket.io-response#/#{a.Adapter.Uid}#";
        Assert.Equal(own, (await spy.NextAsync(sb)).Channel);
        Assert.Equal(own, (await spy.NextAsync("\"rooms\"")).Channel);
        // The reference answers server-side emits on the shared channel whatever the option says.
        Assert.Equal("socket.io-response#/#", (await spy.NextAsync("pong")).Channel);
    }

    [Fact]
    public async Task With_PublishOnSpecificResponseChannel_dotnet_and_Node_nodes_answer_each_other()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode ours = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic, configure: o => o.PublishOnSpecificResponseChannel = true);
        await using NodeClusterPeer node = await NodeClusterPeer.StartAsync(redis, "classic", "--specific-response");
        await DotNetClusterTests.WaitForServersAsync(2, ours);
        await using RedisSpy spy = await RedisSpy.StartAsync(redis, "socket.io-response#*");
        await using SioDriver clients = await SioDriver.StartAsync();
        string sOurs = await clients.ConnectAsync("on-ours", ours.Url, new { auth = new { user = "ada", room = "room-ours" } });
        string sNode = await clients.ConnectAsync("on-node", node.Url, new { auth = new { user = "bob", room = "room-node" } });
        ours.Io.Sockets.OnServerSideEmit("s2s", e => e.Ack("from ours"));

        // Ours asks, Node answers on ours' channel.
        Assert.Contains(await ours.Io.Sockets.FetchSockets(), s => s.Id == sNode);
        Assert.Contains("room-node", await ours.Adapter.AllRooms());
        Assert.Equal("node", Assert.Single(await ours.Io.Sockets.ServerSideEmitWithAck("s2s", ["x"]))[0].GetProperty("from").GetString());
        Assert.Equal($"socket.io-response#/#{ours.Adapter.Uid}#", (await spy.NextAsync(sNode)).Channel);

        // Node asks, ours answers on Node's channel.
        JsonElement fetched = await node.RunAsync(Cmd("fetch"));
        Assert.Contains(fetched.EnumerateArray(), s => s.GetProperty("id").GetString() == sOurs);
        Assert.Contains("room-ours", (await node.RunAsync(Cmd("allRooms"))).EnumerateArray().Select(r => r.GetString()));
        var s2s = Cmd("s2s");
        s2s["event"] = "s2s";
        s2s["args"] = new object[] { "y" };
        s2s["ack"] = true;
        Assert.Equal("from ours", Assert.Single((await node.RunAsync(s2s)).EnumerateArray()).GetString());
        (string channel, _) = await spy.NextAsync(sOurs);
        Assert.StartsWith("socket.io-response#/#", channel);
        Assert.NotEqual("socket.io-response#/#", channel);
        Assert.NotEqual($"socket.io-response#/#{ours.Adapter.Uid}#", channel);
    }

    [Fact]
    public async Task Legacy_single_socket_join_leave_and_disconnect_requests_are_applied_and_answered_by_the_server_holding_the_socket()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await using RedisSpy spy = await RedisSpy.StartAsync(redis, "socket.io-response#*");
        await using SioDriver clients = await SioDriver.StartAsync();
        string sid = await clients.ConnectAsync("c1", b.Url);

        // An unknown socket: nobody acts, nobody answers (the next answer heard is the one after).
        await spy.PublishAsync(RequestChannel, $$"""{"uid":"oldnode","requestId":"nobody","type":2,"sid":"no-such-socket","room":"x"}""");
        await spy.PublishAsync(RequestChannel, $$"""{"uid":"oldnode","requestId":"join1","type":2,"sid":"{{sid}}","room":"old-room"}""");
        (string channel, string answer) = await spy.NextAsync("join1");
        Assert.Equal("socket.io-response#/#", channel);
        Assert.Equal("""{"requestId":"join1"}""", answer);
        Assert.Contains("old-room", b.Io.Sockets.Sockets[sid].Rooms);
        Assert.Single(spy.Heard);

        await spy.PublishAsync(RequestChannel, $$"""{"uid":"oldnode","requestId":"leave1","type":3,"sid":"{{sid}}","room":"old-room"}""");
        Assert.Equal("""{"requestId":"leave1"}""", (await spy.NextAsync("leave1")).Message);
        Assert.DoesNotContain("old-room", b.Io.Sockets.Sockets[sid].Rooms);

        await spy.PublishAsync(RequestChannel, $$"""{"uid":"oldnode","requestId":"bye1","type":4,"sid":"{{sid}}","close":true}""");
        Assert.Equal("""{"requestId":"bye1"}""", (await spy.NextAsync("bye1")).Message);
        await clients.EventAsync("disconnect", "c1");
        Assert.Equal(3, spy.Heard.Length);
        Assert.DoesNotContain(spy.Heard, h => h.Message.Contains("nobody", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_SOCKETS_query_is_answered_by_every_server_with_its_socket_ids()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic, configure: o => o.PublishOnSpecificResponseChannel = true);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic, configure: o => o.PublishOnSpecificResponseChannel = true);
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await using RedisSpy spy = await RedisSpy.StartAsync(redis, "socket.io-response#*");
        await using SioDriver clients = await SioDriver.StartAsync();
        string s1 = await clients.ConnectAsync("c1", a.Url, new { auth = new { room = "r1" } });
        string s2 = await clients.ConnectAsync("c2", b.Url, new { auth = new { room = "r1" } });
        string s3 = await clients.ConnectAsync("c3", b.Url, new { auth = new { room = "r2" } });

        await spy.PublishAsync(RequestChannel, """{"uid":"oldnode","requestId":"q1","type":0,"rooms":["r1"]}""");
        await Wait.UntilAsync(() => spy.Heard.Count(h => h.Message.Contains("\"q1\"", StringComparison.Ordinal)) == 2);
        string[] inR1 = Ids(spy.Heard.Where(h => h.Message.Contains("\"q1\"", StringComparison.Ordinal)), "socket.io-response#/#oldnode#");
        Assert.Equal(new[] { s1, s2 }.Order(), inR1.Order());

        await spy.PublishAsync(RequestChannel, """{"uid":"oldnode","requestId":"q2","type":0}""");
        await Wait.UntilAsync(() => spy.Heard.Count(h => h.Message.Contains("\"q2\"", StringComparison.Ordinal)) == 2);
        string[] all = Ids(spy.Heard.Where(h => h.Message.Contains("\"q2\"", StringComparison.Ordinal)), "socket.io-response#/#oldnode#");
        Assert.Equal(new[] { s1, s2, s3 }.Order(), all.Order());
    }

    private static string[] Ids(IEnumerable<(string Channel, string Message)> answers, string channel)
    {
        var ids = new List<string>();
        foreach ((string c, string m) in answers)
        {
            Assert.Equal(channel, c);
            using JsonDocument answer = JsonDocument.Parse(m);
            ids.AddRange(answer.RootElement.GetProperty("sockets").EnumerateArray().Select(s => s.GetString()!));
        }

        return ids.ToArray();
    }
}
