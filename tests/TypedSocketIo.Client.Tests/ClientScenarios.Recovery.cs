using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>Connection state recovery: the server keeps the session of a client whose connection dropped, the client comes back to it.</summary>
public abstract partial class ClientScenarios
{
    private static readonly TimeSpan RecoveryWindow = TimeSpan.FromMinutes(2);

    private static void Keep(List<string> list, ClientEvent e)
    {
        lock (list)
        {
            list.Add($"{e.Name}:{e.Args}");
        }
    }

    [Fact]
    public async Task Recovers_its_id_rooms_data_and_the_events_it_missed_when_the_connection_drops()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Recovery = RecoveryWindow });
        SocketIoClient socket = Client(server: server);
        var handled = new List<string>();
        var any = new List<string>();
        foreach (string name in new[] { "echo", "missed", "direct", "other" })
        {
            socket.On(name, e => Keep(handled, e));
        }

        socket.OnAny(e => Keep(any, e));
        int connects = 0;
        socket.OnConnect(() => Interlocked.Increment(ref connects));
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.False(socket.Recovered);
        string id = socket.Id!;
        await socket.Timeout(Limit).EmitWithAck("join", ["r1"]);
        socket.Emit("echo", "hi"); // an event to hold an offset of
        await Wait.UntilAsync(() => Snapshot(handled).Length == 1, Limit);

        socket.Emit("drop-and-send", "r1", 3);
        await Wait.UntilAsync(() => Volatile.Read(ref connects) == 2, Limit);
        Assert.True(socket.Recovered);
        Assert.Equal(id, socket.Id);

        // In order, once each, and without the offset the server appended (handlers and catch-alls alike).
        string[] expected = ["echo:[\"hi\"]", "missed:[1]", "missed:[2]", "missed:[3]", "direct:[3]"];
        await Wait.UntilAsync(() => Snapshot(handled).Length >= expected.Length, Limit);
        Assert.Equal(expected, Snapshot(handled));
        Assert.Equal(expected, Snapshot(any));

        JsonElement state = (await socket.Timeout(Limit).EmitWithAck("state"))[0];
        Assert.Equal(id, state.GetProperty("id").GetString());
        Assert.True(state.GetProperty("recovered").GetBoolean());
        Assert.Equal("[\"r1\"]", state.GetProperty("rooms").GetRawText());
        Assert.Equal("r1", state.GetProperty("data").GetProperty("room").GetString());
        Assert.Equal("false", await server.NextAsync("middleware"));
        Assert.Equal(1, server.Count("middleware")); // skipped for the recovered socket (skipMiddlewares)
        Assert.Equal(expected, Snapshot(handled)); // and nothing came twice meanwhile
    }

    [Fact]
    public async Task A_recovered_socket_runs_the_middleware_when_the_server_says_so()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Recovery = RecoveryWindow, RecoveryRunsMiddleware = true });
        SocketIoClient socket = Client(server: server);
        int connects = 0;
        socket.OnConnect(() => Interlocked.Increment(ref connects));
        int echoes = 0;
        socket.On("echo", _ => Interlocked.Increment(ref echoes));
        await socket.ConnectAsync().WaitAsync(Limit);
        socket.Emit("echo", "hi");
        await Wait.UntilAsync(() => Volatile.Read(ref echoes) == 1, Limit);

        socket.Emit("close-engine");
        await Wait.UntilAsync(() => Volatile.Read(ref connects) == 2, Limit);

        Assert.True(socket.Recovered);
        Assert.Equal("false", await server.NextAsync("middleware"));
        Assert.Equal("true", await server.NextAsync("middleware"));
    }

    [Fact]
    public async Task A_session_past_the_servers_maxDisconnectionDuration_is_not_recovered()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Recovery = TimeSpan.FromMilliseconds(200) });
        SocketIoClient socket = Client(server: server, configure: o =>
        {
            o.ReconnectionDelay = TimeSpan.FromMilliseconds(1000); // comes back well after the session expired
            o.RandomizationFactor = 0;
        });
        int connects = 0;
        socket.OnConnect(() => Interlocked.Increment(ref connects));
        int echoes = 0;
        socket.On("echo", _ => Interlocked.Increment(ref echoes));
        await socket.ConnectAsync().WaitAsync(Limit);
        string id = socket.Id!;
        socket.Emit("echo", "hi");
        await Wait.UntilAsync(() => Volatile.Read(ref echoes) == 1, Limit);

        socket.Emit("close-engine");
        await Wait.UntilAsync(() => Volatile.Read(ref connects) == 2, Limit);

        Assert.False(socket.Recovered);
        Assert.NotEqual(id, socket.Id);
    }

    [Fact]
    public async Task Disconnecting_on_purpose_ends_the_session()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Recovery = RecoveryWindow });
        SocketIoClient socket = Client(server: server);
        int echoes = 0;
        socket.On("echo", _ => Interlocked.Increment(ref echoes));
        await socket.ConnectAsync().WaitAsync(Limit);
        string id = socket.Id!;
        socket.Emit("echo", "hi");
        await Wait.UntilAsync(() => Volatile.Read(ref echoes) == 1, Limit);

        socket.Disconnect();
        Assert.Equal("/:client namespace disconnect", await server.NextAsync("disconnect"));
        await socket.ConnectAsync().WaitAsync(Limit);

        Assert.False(socket.Recovered);
        Assert.NotEqual(id, socket.Id);
    }

    [Fact]
    public async Task A_typed_client_recovers_and_its_handlers_never_see_the_offset()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Recovery = RecoveryWindow });
        var options = new SocketIoClientOptions { ForceNew = true, ReconnectionDelay = TimeSpan.FromMilliseconds(100), AutoConnect = false };
        WithParser(options);
        var client = Track(SocketIoClient.Create<IScenarioServerEvents, IScenarioClientEvents>(server.Url("/"), options));
        var echoes = new List<(string, int, byte[])>();
        client.On.Echo((text, number, data) =>
        {
            lock (echoes)
            {
                echoes.Add((text, number, data));
            }
        });
        int connects = 0;
        client.Untyped.OnConnect(() => Interlocked.Increment(ref connects));
        await client.ConnectAsync().WaitAsync(Limit);
        client.Emit.Echo("before", 1, [1]);
        await Wait.UntilAsync(() => Snapshot(echoes).Length == 1, Limit);

        client.Untyped.Emit("close-engine");
        await Wait.UntilAsync(() => Volatile.Read(ref connects) == 2, Limit);
        Assert.True(client.Recovered);
        client.Emit.Echo("after", 2, [2]);
        await Wait.UntilAsync(() => Snapshot(echoes).Length == 2, Limit);

        Assert.Equal(["before:1:1", "after:2:2"], Snapshot(echoes).Select(e => $"{e.Item1}:{e.Item2}:{string.Join(",", e.Item3)}"));
    }

    private static T[] Snapshot<T>(List<T> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}
