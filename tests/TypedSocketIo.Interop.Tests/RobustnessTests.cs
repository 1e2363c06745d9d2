using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// What a misbehaving or unlucky client can do to the server: every queue it fills has a bound, no
/// socket leaks, events keep their order, and our exceptions stay on the server.
/// </summary>
public sealed class RobustnessTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    /// <summary>A raw Engine.IO v4 WebSocket to the Socket.IO endpoint, past the open packet.</summary>
    private static async Task<RawWebSocket> OpenRawAsync(SocketIoTestHost host)
    {
        RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/socket.io/?EIO=4&transport=websocket"));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
        return ws;
    }

    /// <summary>Reads until the server closes the WebSocket (bounded).</summary>
    private static async Task ClosedAsync(RawWebSocket ws)
    {
        try
        {
            while ((await ws.ReceiveAsync(TimeSpan.FromSeconds(10))).Type != System.Net.WebSockets.WebSocketMessageType.Close)
            {
            }
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            // Closed without a close frame: closed all the same.
        }
    }

    [Fact]
    public async Task Events_enter_their_handlers_in_arrival_order_whatever_the_packet_middleware_awaits()
    {
        const int count = 1000;
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            int seen = 0;
            socket.Use(async (e, next) =>
            {
                int n = int.Parse(e.Args[0].GetRawText());
                if (n % 3 == 0)
                {
                    await Task.Delay(n % 2); // some complete later than those behind them would
                }
                else if (n % 3 == 1)
                {
                    await Task.Yield();
                }

                await next();
            });
            socket.On("n", e =>
            {
                int n = int.Parse(e.Args[0].GetRawText());
                int expected = seen++;
                if (n != expected)
                {
                    h.Record("out of order", $"{n} after {expected - 1}");
                }

                if (seen == count)
                {
                    h.Record("all");
                }
            });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        for (int i = 0; i < count; i++)
        {
            await client.EmitAsync("c", "n", [i]);
        }

        await host.NextAsync("all", TimeSpan.FromSeconds(30));
        Assert.Equal(0, host.Count("out of order"));
    }

    [Fact]
    public async Task A_second_CONNECT_while_the_async_middleware_runs_closes_the_connection_and_leaks_no_socket()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/admin").Use(async (socket, next) =>
            {
                h.Record("middleware");
                await release.Task;
                await next();
            });
            io.Of("/admin").OnConnection(socket => h.Record("connection"));
        });

        var clients = new List<RawWebSocket>();
        for (int i = 0; i < 20; i++)
        {
            RawWebSocket ws = await OpenRawAsync(host);
            clients.Add(ws);
            await ws.SendTextAsync("40/admin,");
            await ws.SendTextAsync("40/admin,");
        }

        // Every connection is closed for the protocol error while its first CONNECT waits.
        foreach (RawWebSocket ws in clients)
        {
            await ClosedAsync(ws);
        }

        release.SetResult(); // the first CONNECTs' middleware now completes, after their connections closed
        await Wait.UntilAsync(() => host.Count("middleware") == 20, TimeSpan.FromSeconds(10));
        await Task.Delay(200); // a bounded negative check: no socket appears once the middleware has run
        Assert.Empty(host.Io.Of("/admin").Sockets);
        Assert.Equal(0, host.Count("connection"));
        foreach (RawWebSocket ws in clients)
        {
            await ws.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_flooding_a_socket_whose_middleware_waits_is_dropped_past_MaxPendingEvents_and_others_go_on()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            if (socket.Handshake.Auth.TryGetProperty("slow", out _))
            {
                socket.Use(async (_, next) =>
                {
                    await release.Task;
                    await next();
                });
            }

            socket.On("ping?", e => e.Ack("pong"));
            socket.Disconnected += (s, reason, description) => h.Record("disconnected", $"{reason}|{description}");
        }), options: o => o.MaxPendingEvents = 50);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("flood", host.Url(), new { auth = new { slow = true } });
        await client.ConnectAsync("bystander", host.Url());

        for (int i = 0; i < 60; i++)
        {
            await client.EmitAsync("flood", "ping?", [i]);
        }

        Assert.Equal("forced server close|more than 50 events waiting for their handlers", await host.NextAsync("disconnected"));
        int seq = await client.EmitAsync("bystander", "ping?", [], ack: true, timeout: 5000);
        Assert.Equal("[\"pong\"]", Args(await client.AckAsync("bystander", seq)));
        release.SetResult();
    }

    [Fact]
    public async Task A_client_that_never_acknowledges_is_dropped_past_MaxPendingAcks()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnected += (s, reason, description) => h.Record("disconnected", $"{reason}|{description}");
            socket.On("go", async _ =>
            {
                var pending = new List<Task>();
                for (int i = 0; i < 6; i++)
                {
                    pending.Add(socket.EmitWithAck("question", [i])); // no timeout: only the limit bounds them
                }

                foreach (Task task in pending)
                {
                    try
                    {
                        await task;
                    }
                    catch (SocketIoException ex)
                    {
                        h.Record("failed", ex.Message);
                    }
                }
            });
        }), options: o => o.MaxPendingAcks = 5);
        await using RawWebSocket ws = await OpenRawAsync(host);
        await ws.SendTextAsync("40");
        Assert.StartsWith("40{\"sid\"", await ws.ReceiveTextAsync());

        await ws.SendTextAsync("42[\"go\"]"); // and never answers the questions

        Assert.Equal("forced server close|more than 5 acknowledgements owed by the client", await host.NextAsync("disconnected"));
        var failures = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            failures.Add(await host.NextAsync("failed")); // five for the disconnection, one for the limit
        }

        Assert.Single(failures, f => f.Contains("MaxPendingAcks", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, "Internal server error")]
    [InlineData(true, "Object reference not set to an instance of an object.")]
    public async Task A_middleware_exception_reaches_the_client_as_a_generic_refusal_unless_detailed_errors_are_on(bool detailed, string expected)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            io.Of("/broken").Use((socket, next) => throw new NullReferenceException());
            io.Of("/refusing").Use((socket, next) => throw new ConnectionRejectedException("not authorized", new { code = 401 }));
        }, options: o => o.EnableDetailedErrors = detailed);
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("broken", host.Url("/broken"));
        await client.SendConnectAsync("refusing", host.Url("/refusing"));

        JsonElement broken = await client.EventAsync("connect_error", "broken");
        Assert.Equal(expected, broken.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, broken.GetProperty("data").ValueKind);
        JsonElement refusing = await client.EventAsync("connect_error", "refusing");
        Assert.Equal("not authorized", refusing.GetProperty("message").GetString()); // a refusal always goes through, with its data
        Assert.Equal("{\"code\":401}", refusing.GetProperty("data").GetRawText());
    }
}
