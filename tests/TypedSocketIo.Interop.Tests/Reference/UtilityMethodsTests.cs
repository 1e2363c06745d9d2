using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/utility-methods.ts: three WebSocket clients on the main namespace.</summary>
public sealed class UtilityMethodsTests
{
    private sealed class Fixture : IAsyncDisposable
    {
        public required SocketIoTestHost Host { get; init; }

        public required SioDriver Client { get; init; }

        /// <summary>The server sockets, in the order of the clients "c0", "c1", "c2".</summary>
        public required Socket[] Sockets { get; init; }

        public SocketIoServer Io => Host.Io;

        public static async Task<Fixture> StartAsync()
        {
            SocketIoTestHost host = await SocketIoTestHost.StartAsync();
            SioDriver client = await SioDriver.StartAsync();
            var sockets = new Socket[3];
            for (int i = 0; i < 3; i++)
            {
                string sid = await client.ConnectAsync("c" + i, host.Url(), new { transports = new[] { "websocket" } });
                sockets[i] = host.Io.Sockets.Sockets[sid];
            }

            return new Fixture { Host = host, Client = client, Sockets = sockets };
        }

        /// <summary>The reference's rooms: socket 0 in room1 and room2, socket 1 in room1, socket 2 in room2.</summary>
        public async Task JoinRoomsAsync()
        {
            await Sockets[0].Join(["room1", "room2"]);
            await Sockets[1].Join("room1");
            await Sockets[2].Join("room2");
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fetch_sockets_returns_every_socket()
    {
        await using Fixture f = await Fixture.StartAsync();

        IReadOnlyList<RemoteSocket> sockets = await f.Io.FetchSockets();

        Assert.Equal(f.Sockets.Select(s => s.Id).Order(), sockets.Select(s => s.Id).Order());
    }

    [Fact]
    public async Task Sockets_join_in_a_room_makes_its_members_join()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.JoinRoomsAsync();

        f.Io.In("room1").SocketsJoin("room3");

        Assert.Contains("room3", f.Sockets[0].Rooms);
        Assert.Contains("room3", f.Sockets[1].Rooms);
        Assert.DoesNotContain("room3", f.Sockets[2].Rooms);
    }

    [Fact]
    public async Task Sockets_leave_makes_every_socket_leave()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.JoinRoomsAsync();

        f.Io.SocketsLeave("room1");

        Assert.Contains("room2", f.Sockets[0].Rooms);
        Assert.DoesNotContain("room1", f.Sockets[0].Rooms);
        Assert.DoesNotContain("room1", f.Sockets[1].Rooms);
    }

    [Fact]
    public async Task Sockets_leave_in_a_room_makes_only_its_members_leave()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.JoinRoomsAsync();

        f.Io.In("room2").SocketsLeave("room1");

        Assert.Contains("room2", f.Sockets[0].Rooms);
        Assert.DoesNotContain("room1", f.Sockets[0].Rooms);
        Assert.Contains("room1", f.Sockets[1].Rooms);
    }

    [Fact]
    public async Task Disconnect_sockets_with_close_disconnects_every_client()
    {
        await using Fixture f = await Fixture.StartAsync();

        f.Io.DisconnectSockets(close: true);

        for (int i = 0; i < 3; i++)
        {
            await f.Client.EventAsync("disconnect", "c" + i);
        }

        Assert.Empty(f.Io.Sockets.Sockets);
    }

    [Fact]
    public async Task Disconnect_sockets_with_close_in_a_room_disconnects_only_its_members()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.JoinRoomsAsync();

        f.Io.In("room2").DisconnectSockets(close: true);

        await f.Client.EventAsync("disconnect", "c0");
        await f.Client.EventAsync("disconnect", "c2");
        await Ref.FlushAsync(f.Client, "c1", name => f.Io.Emit(name));
        Assert.Equal(0, f.Client.Node.Count("disconnect", "c1"));
        Assert.Equal([f.Sockets[1].Id], f.Io.Sockets.Sockets.Keys);
    }
}
