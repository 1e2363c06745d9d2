using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using StackExchange.Redis;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// The Redis Streams flavour (@socket.io/redis-streams-adapter 0.3's wire) with connection state
/// recovery across servers: the official socket.io-client drops its transport on one node and comes
/// back on another, TypedSocketIo or Node's socket.io.
/// </summary>
public sealed class StreamsClusterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>A TypedSocketIo node on Redis Streams with recovery on: fresh sockets join auth.room, take data {user} and get "welcome".</summary>
    private sealed class StreamsNode : IAsyncDisposable
    {
        private StreamsNode(SocketIoTestHost host, ConnectionMultiplexer multiplexer)
        {
            Host = host;
            Multiplexer = multiplexer;
        }

        public SocketIoTestHost Host { get; }

        public ConnectionMultiplexer Multiplexer { get; }

        public Namespace Nsp => Host.Io.Sockets;

        public ClusterAdapter Adapter => (ClusterAdapter)Nsp.Adapter;

        public string Url => Host.Url();

        public static async Task<StreamsNode> StartAsync(RedisServer redis)
        {
            ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            SocketIoTestHost host = await SocketIoTestHost.StartAsync(
                (io, h) => io.Sockets.OnConnection(socket =>
                {
                    if (!socket.Recovered)
                    {
                        JsonElement auth = socket.Handshake.Auth;
                        socket.Data = new Dictionary<string, string> { ["user"] = auth.GetProperty("user").GetString()! };
                        _ = socket.Join(auth.GetProperty("room").GetString()!);
                        socket.Emit("welcome", 0);
                    }

                    h.Record("connection", $"{socket.Id}|{socket.Recovered}|{string.Join(",", socket.Rooms.Where(r => r != socket.Id).Order(StringComparer.Ordinal))}|{DataOf(socket.Data)}");
                    socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
                }),
                o => o.ConnectionStateRecovery = new ConnectionStateRecoveryOptions(),
                configureBuilder: b => b.Services.AddSocketIo().AddRedisStreamsAdapter(multiplexer, o => o.RequestsTimeout = TimeSpan.FromSeconds(3)));
            var node = new StreamsNode(host, multiplexer);
            await node.Adapter.Started.WaitAsync(Limit);
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Multiplexer.DisposeAsync();
        }
    }

    /// <summary>The user of a socket's data, whether this server set it or it came back from Redis as JSON.</summary>
    private static string DataOf(object? data) => data switch
    {
        Dictionary<string, string> d => d["user"],
        JsonElement e when e.ValueKind == JsonValueKind.Object => e.GetProperty("user").GetString()!,
        _ => "?",
    };

    private static async Task<NodeClusterPeer> StartNodePeerAsync(RedisServer redis) =>
        await NodeClusterPeerStreams.StartAsync(redis);

    private static async Task<JsonElement> ConnectEventAsync(SioDriver client, string id) =>
        await client.Node.NextAsync(e => e.GetProperty("event").GetString() is "connect" or "connect_error" && e.GetProperty("id").GetString() == id, Limit);

    private static int First(JsonElement message) => message.GetProperty("args")[0].GetInt32();

    /// <summary>Waits until <paramref name="count"/> servers see each other (PUBSUB NUMSUB on the namespace's channel).</summary>
    private static async Task WaitForServersAsync(int count, ClusterAdapter adapter)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await adapter.ServerCount() != count)
        {
            Assert.True(watch.Elapsed < Limit, "the servers did not see each other");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_client_recovers_on_the_other_node_with_what_both_nodes_broadcast_while_it_was_away()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using StreamsNode a = await StreamsNode.StartAsync(redis);
        await using StreamsNode b = await StreamsNode.StartAsync(redis);
        await WaitForServersAsync(2, a.Adapter);
        await using SioDriver client = await SioDriver.StartAsync();
        await client.ConnectAsync("witness", b.Url, new { auth = new { user = "w", room = "r1" } });
        Assert.EndsWith("|False|r1|w", await b.Host.NextAsync("connection"));
        await client.SendConnectAsync("c", a.Url, new { auth = new { user = "u1", room = "r1" } });
        string sid = (await ConnectEventAsync(client, "c")).GetProperty("sid").GetString()!;
        Assert.Equal($"{sid}|False|r1|u1", await a.Host.NextAsync("connection"));
        JsonElement welcome = await client.MessageAsync("c", "welcome");
        Assert.Matches("^[0-9]+-[0-9]+$", welcome.GetProperty("args")[1].GetString()); // a stream entry id

        // Live across nodes first: from b, in order, each with its entry id.
        b.Nsp.To("r1").Emit("tick", 0);
        Assert.Equal(0, First(await client.MessageAsync("c", "tick")));
        Assert.Equal(0, First(await client.MessageAsync("witness", "tick")));

        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        Assert.Equal("transport close", await a.Host.NextAsync("disconnect"));
        // Each broadcast is waited for at the witness (on b all along) before the next, so the
        // stream holds them in this order whichever node appended them.
        a.Nsp.To("r1").Emit("tick", 1);
        Assert.Equal(1, First(await client.MessageAsync("witness", "tick")));
        b.Nsp.To("r1").Emit("tick", 2);
        Assert.Equal(2, First(await client.MessageAsync("witness", "tick")));
        b.Nsp.To("r2").Emit("other", 0);
        a.Nsp.Except("r1").Emit("other", 1);
        b.Nsp.Volatile.To("r1").Emit("other", 2);
        b.Nsp.Emit("tick", 3);
        Assert.Equal(3, First(await client.MessageAsync("witness", "tick")));
        a.Nsp.To(sid).Emit("tick", 4); // to the socket's own room: from the log or live, once either way

        await client.Node.SendAsync(new { cmd = "connect-again", id = "c", url = b.Url });
        JsonElement again = await ConnectEventAsync(client, "c");
        Assert.True(again.GetProperty("recovered").GetBoolean(), again.GetRawText());
        Assert.Equal(sid, again.GetProperty("sid").GetString());
        Assert.Equal($"{sid}|True|r1|u1", await b.Host.NextAsync("connection"));
        foreach (int n in new[] { 1, 2, 3, 4 })
        {
            Assert.Equal(n, First(await client.MessageAsync("c", "tick")));
        }

        // Live again on b: nothing twice, nothing it should not have had.
        a.Nsp.To("r1").Emit("tick", 5);
        Assert.Equal(5, First(await client.MessageAsync("c", "tick")));
        Assert.Equal(6, client.CountMessages("c", "tick"));
        Assert.Equal(0, client.CountMessages("c", "other"));

        // The session was taken (GETDEL): only the stream is left in Redis.
        Assert.Equal(1, (int)await a.Multiplexer.GetDatabase().ExecuteAsync("DBSIZE"));
    }

    [Theory]
    [InlineData("node-to-dotnet")]
    [InlineData("dotnet-to-node")]
    public async Task A_client_recovers_across_a_TypedSocketIo_node_and_a_Node_node_on_redis_streams_adapter(string direction)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using StreamsNode ours = await StreamsNode.StartAsync(redis);
        await using NodeClusterPeer node = await StartNodePeerAsync(redis);
        await WaitForServersAsync(2, ours.Adapter);
        string nodeUrl = node.Url;
        (string from, string to) = direction == "node-to-dotnet" ? (nodeUrl, ours.Url) : (ours.Url, nodeUrl);
        await using SioDriver client = await SioDriver.StartAsync();
        await client.ConnectAsync("witness", ours.Url, new { auth = new { user = "w", room = "r1" } });
        Assert.EndsWith("|False|r1|w", await ours.Host.NextAsync("connection"));
        await client.SendConnectAsync("c", from, new { auth = new { user = "u1", room = "r1" } });
        string sid = (await ConnectEventAsync(client, "c")).GetProperty("sid").GetString()!;
        await client.MessageAsync("c", "welcome");
        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        if (direction == "node-to-dotnet")
        {
            await node.Driver.NextAsync(e => e.GetProperty("event").GetString() == "disconnect" && e.GetProperty("sid").GetString() == sid, Limit);
        }
        else
        {
            Assert.Equal("transport close", await ours.Host.NextAsync("disconnect"));
        }

        // Each one reaches the witness before the next is sent: the stream holds them in this order.
        ours.Nsp.To("r1").Emit("tick", 1);
        Assert.Equal(1, First(await client.MessageAsync("witness", "tick")));
        var emit = new Dictionary<string, object?> { ["cmd"] = "emit", ["rooms"] = new[] { "r1" }, ["event"] = "tick", ["args"] = new object[] { 2 } };
        await node.RunAsync(emit);
        Assert.Equal(2, First(await client.MessageAsync("witness", "tick")));
        ours.Nsp.To("r2").Emit("other", 0);
        ours.Nsp.Emit("tick", 3);
        Assert.Equal(3, First(await client.MessageAsync("witness", "tick")));

        await client.Node.SendAsync(new { cmd = "connect-again", id = "c", url = to });
        JsonElement again = await ConnectEventAsync(client, "c");
        Assert.True(again.GetProperty("recovered").GetBoolean(), again.GetRawText());
        Assert.Equal(sid, again.GetProperty("sid").GetString());
        foreach (int n in new[] { 1, 2, 3 })
        {
            Assert.Equal(n, First(await client.MessageAsync("c", "tick")));
        }

        Assert.Equal(0, client.CountMessages("c", "other"));
        if (direction == "node-to-dotnet")
        {
            Assert.Equal($"{sid}|True|r1|u1", await ours.Host.NextAsync("connection"));
        }
        else
        {
            JsonElement connection = await node.Driver.NextAsync(e => e.GetProperty("event").GetString() == "connection" && e.GetProperty("sid").GetString() == sid
                && e.GetProperty("recovered").GetBoolean(), Limit);
            Assert.Equal(new[] { "r1", sid }.Order(StringComparer.Ordinal), connection.GetProperty("rooms").EnumerateArray().Select(r => r.GetString()!));
            Assert.Equal("u1", connection.GetProperty("data").GetProperty("user").GetString());
        }
    }
}

/// <summary>tests/node/cluster-node.js on @socket.io/redis-streams-adapter 0.3 with connectionStateRecovery.</summary>
internal static class NodeClusterPeerStreams
{
    public static Task<NodeClusterPeer> StartAsync(RedisServer redis) =>
        NodeClusterPeer.StartAsync(redis, "streams", "--recovery", "120000");
}
