using System.Diagnostics;
using System.Text.Json;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// Connection state recovery on our server, driven by the official socket.io-client 4.8: the
/// client's transport is dropped, the server keeps emitting, the client reconnects (the reference's
/// connection-state-recovery tests).
/// </summary>
public sealed class ConnectionStateRecoveryTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>A server whose sockets join room1 and take data "d1" on a fresh connection; counts the middleware runs.</summary>
    private static Task<SocketIoTestHost> StartAsync(Action<ConnectionStateRecoveryOptions>? recovery = null, bool enabled = true) =>
        SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/").Use((socket, next) =>
            {
                h.Record("middleware", socket.Recovered.ToString());
                return next();
            });
            io.Of("/").OnConnection(socket =>
            {
                if (!socket.Recovered)
                {
                    socket.Join("room1");
                    socket.Data = "d1";
                    socket.Emit("welcome", 0);
                }

                h.Record("connected", $"{socket.Id}|{socket.Recovered}|{string.Join(",", socket.Rooms.Where(r => r != socket.Id).Order())}|{socket.Data}");
                socket.On("live", e => socket.Namespace.To("room1").Emit("tick", e.Args.Get<int>(0)));
                socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
            });
        }, o =>
        {
            if (enabled)
            {
                o.ConnectionStateRecovery = new ConnectionStateRecoveryOptions();
                recovery?.Invoke(o.ConnectionStateRecovery);
            }
        });

    private static async Task<JsonElement> ConnectEventAsync(SioDriver client, string id) =>
        await client.Node.NextAsync(e => e.GetProperty("event").GetString() is "connect" or "connect_error" && e.GetProperty("id").GetString() == id, Limit);

    private static JsonElement[] Args(JsonElement message) => message.GetProperty("args").EnumerateArray().ToArray();

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task A_dropped_client_gets_its_id_rooms_data_and_the_events_it_missed_back_once(string transport)
    {
        await using SocketIoTestHost host = await StartAsync();
        Namespace nsp = host.Io.Of("/");
        await using SioDriver client = await SioDriver.StartAsync();
        await client.SendConnectAsync("c", host.Url(), new { transports = new[] { transport } });
        JsonElement first = await ConnectEventAsync(client, "c");
        Assert.False(first.GetProperty("recovered").GetBoolean());
        string sid = first.GetProperty("sid").GetString()!;
        Assert.Equal($"{sid}|False|room1|d1", await host.NextAsync("connected"));

        // Every event without ack carries an offset, last; socket.io-client hands it to the application as is.
        JsonElement[] welcome = Args(await client.MessageAsync("c", "welcome"));
        Assert.Equal(2, welcome.Length);
        Assert.Equal(JsonValueKind.String, welcome[1].ValueKind);

        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        Assert.Equal("transport close", await host.NextAsync("disconnect"));

        nsp.To("room1").Emit("tick", 1);
        nsp.To("room2").Emit("other", 1);      // not one of its rooms
        nsp.Emit("all", 2);                     // everyone
        nsp.Except("room1").Emit("other", 2);   // excluded
        nsp.Volatile.To("room1").Emit("other", 3); // volatile events are not kept
        nsp.To("room1").Emit("tick", 3);

        await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
        JsonElement again = await ConnectEventAsync(client, "c");
        Assert.True(again.GetProperty("recovered").GetBoolean(), again.GetRawText());
        Assert.Equal(sid, again.GetProperty("sid").GetString());
        Assert.Equal($"{sid}|True|room1|d1", await host.NextAsync("connected"));

        JsonElement[] tick1 = Args(await client.MessageAsync("c", "tick"));
        JsonElement[] all = Args(await client.MessageAsync("c", "all"));
        JsonElement[] tick3 = Args(await client.MessageAsync("c", "tick"));
        Assert.Equal([1, 2, 3], new[] { tick1[0].GetInt32(), all[0].GetInt32(), tick3[0].GetInt32() });
        Assert.NotEqual(tick1[1].GetString(), tick3[1].GetString());

        // Live again, in the same rooms; nothing came twice and nothing it should not have.
        await client.EmitAsync("c", "live", [4]);
        Assert.Equal(4, Args(await client.MessageAsync("c", "tick"))[0].GetInt32());
        Assert.Equal(3, client.CountMessages("c", "tick"));
        Assert.Equal(1, client.CountMessages("c", "all"));
        Assert.Equal(0, client.CountMessages("c", "other"));
        Assert.Equal("False", await host.NextAsync("middleware"));
        Assert.Equal(1, host.Count("middleware")); // skipped on recovery (SkipMiddlewares, the default)
    }

    [Fact]
    public async Task The_middleware_runs_on_recovery_when_SkipMiddlewares_is_off_and_sees_the_recovered_socket()
    {
        await using SocketIoTestHost host = await StartAsync(r => r.SkipMiddlewares = false);
        await using SioDriver client = await SioDriver.StartAsync();
        string sid = await client.ConnectAsync("c", host.Url());
        await client.MessageAsync("c", "welcome");
        Assert.Equal("False", await host.NextAsync("middleware"));

        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        await host.NextAsync("disconnect");
        await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
        JsonElement again = await ConnectEventAsync(client, "c");

        Assert.True(again.GetProperty("recovered").GetBoolean());
        Assert.Equal(sid, again.GetProperty("sid").GetString());
        Assert.Equal("True", await host.NextAsync("middleware"));
    }

    [Fact]
    public async Task A_session_older_than_MaxDisconnectionDuration_gives_a_fresh_socket()
    {
        TimeSpan duration = TimeSpan.FromMilliseconds(300);
        await using SocketIoTestHost host = await StartAsync(r => r.MaxDisconnectionDuration = duration);
        await using SioDriver client = await SioDriver.StartAsync();
        string sid = await client.ConnectAsync("c", host.Url());
        await client.MessageAsync("c", "welcome");

        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        await host.NextAsync("disconnect");
        var away = Stopwatch.StartNew();
        await Wait.UntilAsync(() => away.Elapsed > duration + TimeSpan.FromMilliseconds(100)); // the condition is the age itself
        await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
        JsonElement again = await ConnectEventAsync(client, "c");

        Assert.False(again.GetProperty("recovered").GetBoolean());
        Assert.NotEqual(sid, again.GetProperty("sid").GetString());
        Assert.EndsWith("|False|room1|d1", await host.NextAsync("connected"));
    }

    [Theory]
    [InlineData("client")]
    [InlineData("server")]
    public async Task A_deliberate_disconnect_is_not_recovered(string side)
    {
        await using SocketIoTestHost host = await StartAsync();
        await using SioDriver client = await SioDriver.StartAsync();
        string sid = await client.ConnectAsync("c", host.Url());
        await client.MessageAsync("c", "welcome");

        if (side == "client")
        {
            await client.DisconnectAsync("c");
            Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));
        }
        else
        {
            host.Io.Of("/").Sockets[sid].Disconnect();
            Assert.Equal("server namespace disconnect", await host.NextAsync("disconnect"));
            await client.EventAsync("disconnect", "c");
        }

        await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
        JsonElement again = await ConnectEventAsync(client, "c");
        Assert.False(again.GetProperty("recovered").GetBoolean());
        Assert.NotEqual(sid, again.GetProperty("sid").GetString());
    }

    [Fact]
    public async Task Recovery_is_off_by_default_events_carry_no_offset_and_a_dropped_client_starts_afresh()
    {
        await using SocketIoTestHost host = await StartAsync(enabled: false);
        await using SioDriver client = await SioDriver.StartAsync();
        string sid = await client.ConnectAsync("c", host.Url());
        Assert.Single(Args(await client.MessageAsync("c", "welcome")));

        await client.Node.SendAsync(new { cmd = "drop-transport", id = "c" });
        await host.NextAsync("disconnect");
        await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
        JsonElement again = await ConnectEventAsync(client, "c");

        Assert.False(again.GetProperty("recovered").GetBoolean());
        Assert.NotEqual(sid, again.GetProperty("sid").GetString());
    }
}
