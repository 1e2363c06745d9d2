using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/messaging-many.ts.</summary>
public sealed class MessagingManyTests
{
    /// <summary>
    /// The reference's room helpers: "join" (room, optional ack) joins and acks, "emit" (room)
    /// broadcasts "a" to it from the server, "broadcast" emits to the room "test" from the socket.
    /// </summary>
    private static void RoomHandlers(SocketIoServer io, SocketIoTestHost h) => io.OnConnection(socket =>
    {
        socket.On("join", async e =>
        {
            await socket.Join(e.Args.GetString(0)!);
            e.Ack();
        });
        socket.On("emit", e => io.In(e.Args.GetString(0)!).Emit("a"));
        h.Record("connection", socket.Id);
    });

    private static async Task JoinAsync(SioDriver client, string id, string room)
    {
        int seq = await client.EmitAsync(id, "join", [room], ack: true, timeout: 5000);
        Assert.Equal("ack", (await client.AckAsync(id, seq)).GetProperty("event").GetString());
    }

    [Fact]
    public async Task Emits_to_a_namespace()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/test"));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url("/test"));

        host.Io.Emit("a", "b");

        Assert.Equal("[\"b\"]", Ref.Args(await client.MessageAsync("s1", "a")));
        Assert.Equal("[\"b\"]", Ref.Args(await client.MessageAsync("s2", "a")));
        await Ref.FlushAsync(client, "s3", name => host.Io.Of("/test").Emit(name));
        Assert.Equal(0, client.CountMessages("s3", "a"));
    }

    [Fact]
    public async Task Emits_binary_data_to_a_namespace()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/test"));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url("/test"));

        host.Io.Emit("bin", new byte[10]);

        string expected = $"[{{\"$binary\":\"{Convert.ToBase64String(new byte[10])}\"}}]";
        Assert.Equal(expected, Ref.Args(await client.MessageAsync("s1", "bin")));
        Assert.Equal(expected, Ref.Args(await client.MessageAsync("s2", "bin")));
        await Ref.FlushAsync(client, "s3", name => host.Io.Of("/test").Emit(name));
        Assert.Equal(0, client.CountMessages("s3", "bin"));
    }

    [Fact]
    public async Task Emits_to_the_rest()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            io.Of("/test");
            io.OnConnection(socket => socket.On("broadcast", _ => socket.Broadcast.Emit("a", "b")));
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url("/test"));

        await client.EmitAsync("s2", "broadcast", []);

        Assert.Equal("[\"b\"]", Ref.Args(await client.MessageAsync("s1", "a")));
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        await Ref.FlushAsync(client, "s3", name => host.Io.Of("/test").Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
        Assert.Equal(0, client.CountMessages("s3", "a"));
    }

    [Fact]
    public async Task Emits_to_rooms()
    {
        await using var host = await SocketIoTestHost.StartAsync(RoomHandlers);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());

        await JoinAsync(client, "s1", "woot");
        await client.EmitAsync("s1", "emit", ["woot"]);

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
    }

    [Fact]
    public async Task Emits_to_several_rooms_without_duplicates()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            RoomHandlers(io, h);
            io.OnConnection(socket => socket.On("emit-many", _ =>
            {
                io.In("woot").In("test").Emit("a");
                io.In("third").Emit("b");
            }));
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());

        await JoinAsync(client, "s1", "woot");
        await JoinAsync(client, "s1", "test");
        await JoinAsync(client, "s2", "third");
        await client.EmitAsync("s2", "emit-many", []);

        await client.MessageAsync("s1", "a");
        await client.MessageAsync("s2", "b");
        await Ref.FlushAsync(client, "s1", name => host.Io.Emit(name));
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        Assert.Equal(1, client.CountMessages("s1", "a"));
        Assert.Equal(0, client.CountMessages("s2", "a"));
        Assert.Equal(0, client.CountMessages("s1", "b"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Broadcasts_to_rooms_from_a_socket(bool binary)
    {
        object?[] payload = binary ? [new byte[5]] : [];
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            RoomHandlers(io, h);
            io.OnConnection(socket => socket.On("broadcast", _ =>
            {
                socket.Broadcast.To("test").Emit("a", payload);
                socket.Emit("b", payload);
            }));
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url());

        await JoinAsync(client, "s1", "woot");
        await JoinAsync(client, "s2", "test");
        await JoinAsync(client, "s3", "test");
        await client.EmitAsync("s3", "broadcast", []);

        string expected = binary ? "[{\"$binary\":\"AAAAAAA=\"}]" : "[]";
        Assert.Equal(expected, Ref.Args(await client.MessageAsync("s2", "a")));
        Assert.Equal(expected, Ref.Args(await client.MessageAsync("s3", "b")));
        foreach (string id in new[] { "s1", "s2", "s3" })
        {
            await Ref.FlushAsync(client, id, name => host.Io.Emit(name));
        }

        Assert.Equal(0, client.CountMessages("s1", "a"));
        Assert.Equal(0, client.CountMessages("s3", "a"));
        Assert.Equal(0, client.CountMessages("s2", "b"));
    }

    [Fact]
    public async Task Keeps_track_of_rooms()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async s =>
        {
            string Rooms() => string.Join(",", s.Rooms.Where(r => r != s.Id).Order(StringComparer.Ordinal)) + (s.Rooms.Contains(s.Id) ? "+id" : "");
            await s.Join("a");
            h.Record("rooms", Rooms());
            await s.Join("b");
            h.Record("rooms", Rooms());
            await s.Join("c");
            h.Record("rooms", Rooms());
            await s.Leave("b");
            h.Record("rooms", Rooms());
            s.Disconnected += (_, _, _) => h.Record("rooms", Rooms());
            s.Disconnect();
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        foreach (string expected in new[] { "a+id", "a,b+id", "a,b,c+id", "a,c+id", "" })
        {
            Assert.Equal(expected, await host.NextAsync("rooms"));
        }
    }

    [Fact]
    public async Task Deletes_empty_rooms()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async s =>
        {
            await s.Join("a");
            h.Record("has a", s.Namespace.Adapter.Rooms.ContainsKey("a").ToString());
            await s.Leave("a");
            h.Record("has a", s.Namespace.Adapter.Rooms.ContainsKey("a").ToString());
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("True", await host.NextAsync("has a"));
        Assert.Equal("False", await host.NextAsync("has a"));
    }

    [Fact]
    public async Task Leaving_an_unknown_room_keeps_the_others()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async s =>
        {
            await s.Join("a");
            await s.Join("b");
            await s.Leave("unknown");
            h.Record("rooms", string.Join(",", s.Rooms.Order(StringComparer.Ordinal)));
            s.Disconnected += (_, _, _) => h.Record("rooms", s.Rooms.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            s.Disconnect();
        }));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        Assert.Equal(string.Join(",", new[] { "a", "b", sid }.Order(StringComparer.Ordinal)), await host.NextAsync("rooms"));
        Assert.Equal("0", await host.NextAsync("rooms"));
    }

    [Fact]
    public async Task Joins_several_rooms_at_once()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async s =>
        {
            await s.Join(["a", "b", "c"]);
            h.Record("rooms", string.Join(",", s.Rooms.Order(StringComparer.Ordinal)));
        }));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        Assert.Equal(string.Join(",", new[] { "a", "b", "c", sid }.Order(StringComparer.Ordinal)), await host.NextAsync("rooms"));
    }

    [Fact]
    public async Task Broadcast_except_a_socket_id_skips_that_socket()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(socket =>
            socket.On("exclude", e => socket.Broadcast.Except(e.Args.GetString(0)!).Emit("a"))));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        string s2 = await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url());

        await client.EmitAsync("s3", "exclude", [s2]);

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        await Ref.FlushAsync(client, "s3", name => host.Io.Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
        Assert.Equal(0, client.CountMessages("s3", "a"));
    }

    [Fact]
    public async Task Broadcast_except_a_room_skips_its_members()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            RoomHandlers(io, h);
            io.OnConnection(socket => socket.On("broadcast", _ => socket.Broadcast.Except("room1").Emit("a")));
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        await client.ConnectAsync("s2", host.Url());
        await client.ConnectAsync("s3", host.Url());

        await JoinAsync(client, "s2", "room1");
        await client.EmitAsync("s3", "broadcast", []);

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        await Ref.FlushAsync(client, "s3", name => host.Io.Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
        Assert.Equal(0, client.CountMessages("s3", "a"));
    }

    [Fact]
    public async Task Socket_broadcast_operator_is_immutable()
    {
        var operators = new TaskCompletionSource<(BroadcastOperator Op, string Id)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(socket =>
        {
            BroadcastOperator op = socket.Local.Compress(false).To(["room1", "room2"]).Except("room3");
            op.Compress(true).Emit("hello");
            op.Volatile.Emit("hello");
            op.To("room4").Emit("hello");
            op.Except("room5").Emit("hello");
            socket.Emit("hello");
            socket.To("room6").Emit("hello");
            operators.TrySetResult((op, socket.Id));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        (BroadcastOperator op, string id) = await operators.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { "room1", "room2" }, op.Rooms.Order());
        Assert.Contains("room3", op.ExceptRooms);
        Assert.DoesNotContain("room5", op.ExceptRooms);
        Assert.Equal(new[] { "room3", id }.Order(StringComparer.Ordinal), op.ExceptRooms.Order(StringComparer.Ordinal));
        Assert.Equal(new EmitFlags { Local = true, Compress = false }, op.Flags);
    }

    [Fact]
    public async Task Broadcast_with_acks_to_no_client_completes_at_once_with_no_answers()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        await using var client = await SioDriver.StartAsync();
        for (int i = 1; i <= 3; i++)
        {
            await client.ConnectAsync("s" + i, host.Url(), autoAck: new Dictionary<string, object> { ["some event"] = new object[] { i } });
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<SocketIoArgs> answers = await host.Io.To("room123").Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("some event");

        Assert.Empty(answers);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), "waited for the timeout although no client was targeted");
        for (int i = 1; i <= 3; i++)
        {
            await Ref.FlushAsync(client, "s" + i, name => host.Io.Emit(name));
            Assert.Equal(0, client.CountMessages("s" + i, "some event"));
        }
    }
}
