using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using StackExchange.Redis;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>A TypedSocketIo server in a Redis cluster, set up through AddSocketIo().AddRedisAdapter(…).</summary>
public sealed class DotNetNode : IAsyncDisposable
{
    private DotNetNode(SocketIoTestHost host, ConnectionMultiplexer multiplexer)
    {
        Host = host;
        Multiplexer = multiplexer;
    }

    public SocketIoTestHost Host { get; }

    public ConnectionMultiplexer Multiplexer { get; }

    public SocketIoServer Io => Host.Io;

    public ClusterAdapter Adapter => (ClusterAdapter)Io.Sockets.Adapter;

    public Namespace<IClientEvents, IServerEvents, IClusterEvents, SessionData> Typed =>
        Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");

    public string Url => Host.Url();

    /// <summary>Sockets get data {user: auth.user}, join auth.room, and "join" (room) joins a room.</summary>
    public static async Task<DotNetNode> StartAsync(RedisServer redis, RedisAdapterFlavour flavour, TimeSpan? requestsTimeout = null)
    {
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        SocketIoTestHost host = await SocketIoTestHost.StartAsync(
            (io, h) => io.Sockets.OnConnection(socket =>
            {
                JsonElement auth = socket.Handshake.Auth;
                socket.Data = new SessionData(auth.TryGetProperty("user", out JsonElement user) ? user.GetString()! : "", 1);
                if (auth.TryGetProperty("room", out JsonElement room))
                {
                    _ = socket.Join(room.GetString()!);
                }

                socket.On("join", e =>
                {
                    _ = socket.Join(e.Args.GetString(0)!);
                    e.Ack(true);
                });
                h.Record("connection", socket.Id);
            }),
            configureBuilder: b => b.Services.AddSocketIo().AddRedisAdapter(multiplexer, o =>
            {
                o.Flavour = flavour;
                o.RequestsTimeout = requestsTimeout ?? TimeSpan.FromSeconds(3);
            }));
        var node = new DotNetNode(host, multiplexer);
        await node.Adapter.Started.WaitAsync(TimeSpan.FromSeconds(10));
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Multiplexer.DisposeAsync();
    }
}

/// <summary>A Node socket.io 4.8 server with @socket.io/redis-adapter 8.3 (or a @socket.io/redis-emitter 5.1): tests/node/cluster-node.js.</summary>
public sealed class NodeClusterPeer : IAsyncDisposable
{
    private int _seq;

    private NodeClusterPeer(NodeDriver driver) => Driver = driver;

    public NodeDriver Driver { get; }

    public string Url => $"http://127.0.0.1:{Driver.Ready.GetProperty("port").GetInt32()}";

    public static async Task<NodeClusterPeer> StartAsync(RedisServer redis, string flavour, params string[] arguments) =>
        new(await NodeDriver.StartAsync("cluster-node.js", ["--redis-port", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--flavour", flavour, .. arguments]));

    /// <summary>Runs a command; returns its value, or throws with its error.</summary>
    public async Task<JsonElement> RunAsync(Dictionary<string, object?> command, TimeSpan? timeout = null)
    {
        int seq = Interlocked.Increment(ref _seq);
        command["seq"] = seq;
        await Driver.SendAsync(command);
        JsonElement result = await Driver.NextAsync(e => e.GetProperty("event").GetString() == "result" && e.GetProperty("seq").GetInt32() == seq,
            timeout ?? TimeSpan.FromSeconds(15));
        if (result.TryGetProperty("error", out JsonElement error))
        {
            throw new InvalidOperationException(error.GetString());
        }

        return result.GetProperty("value");
    }

    public Task<JsonElement> NextS2SAsync(string name) =>
        Driver.NextAsync(e => e.GetProperty("event").GetString() == "s2s" && e.GetProperty("name").GetString() == name, TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => Driver.DisposeAsync();
}
