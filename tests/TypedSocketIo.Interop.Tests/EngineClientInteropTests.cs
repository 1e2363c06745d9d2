using System.Text.Json;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;
using TypedSocketIo.Interop.Tests.Typed;
using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// Our Engine.IO server driven by the official npm clients: engine.io-client 6.6 (protocol 4) and
/// the engine.io-client 3.5 inside socket.io-client 2.5 (protocol 3, with AllowEIO3).
/// </summary>
public sealed class EngineClientInteropTests
{
    public static TheoryData<int, string> Transports() => new()
    {
        { 4, "polling" },
        { 4, "websocket" },
        { 3, "polling" },
        { 3, "websocket" },
    };

    private static object Open(EngineTestHost host, string id, int version, object options) =>
        new { cmd = "open", id, url = host.BaseUri.ToString().TrimEnd('/'), version, options };

    private static async Task<string> OpenAsync(NodeDriver node, EngineTestHost host, string id, int version, object options)
    {
        await node.SendAsync(Open(host, id, version, options));
        JsonElement open = await node.NextAsync("open", id);
        Assert.Equal(version, open.GetProperty("protocol").GetInt32());
        return open.GetProperty("sid").GetString()!;
    }

    private static Task<EngineTestHost> StartAsync(Action<EngineIOOptions>? configure = null) =>
        EngineTestHost.StartAsync(o =>
        {
            o.AllowEIO3 = true;
            configure?.Invoke(o);
        });

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Text_and_binary_messages_echo_over_a_single_transport(int version, string transport)
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", version, new { transports = new[] { transport } });
        Assert.Equal(transport, host.Socket(sid).Transport);

        await node.SendAsync(new { cmd = "send", id = "c", text = "hello 中文 😀" });
        await node.SendAsync(new { cmd = "send", id = "c", binary = Convert.ToBase64String([0, 1, 2, 255]) });
        await node.SendAsync(new { cmd = "send", id = "c", text = "" });

        Assert.Equal("hello 中文 😀", (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        Assert.Equal("AAEC/w==", (await node.NextAsync("message", "c")).GetProperty("binary").GetString());
        Assert.Equal("", (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        EnginePacket binary = (await host.NextAsync("message", sid)).Message;
        Assert.Equal("hello 中文 😀", binary.Text);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, (await host.NextAsync("message", sid)).Message.Data.ToArray());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public async Task Polling_client_upgrades_to_websocket_and_keeps_talking(int version)
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", version, new { });

        Assert.Equal("websocket", (await node.NextAsync("upgrade", "c")).GetProperty("transport").GetString());
        await Wait.UntilAsync(() => host.Socket(sid).Upgraded);
        await node.SendAsync(new { cmd = "send", id = "c", text = "after upgrade" });
        await node.SendAsync(new { cmd = "send", id = "c", binary = Convert.ToBase64String([9, 8, 7]) });

        Assert.Equal("after upgrade", (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        Assert.Equal("CQgH", (await node.NextAsync("message", "c")).GetProperty("binary").GetString());
        Assert.Equal("websocket", host.Socket(sid).Transport);
    }

    [Fact]
    public async Task Messages_sent_by_the_server_during_the_upgrade_all_arrive_in_order()
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", 4, new { });
        EngineSocket socket = host.Socket(sid);

        for (int i = 0; i < 200; i++)
        {
            socket.Send("m" + i);
            if (i % 20 == 0)
            {
                await Task.Delay(5); // the scenario: bursts spread over the upgrade, not a wait for a condition
            }
        }

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal("m" + i, (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        }

        await node.NextAsync("upgrade", "c");
    }

    [Fact]
    public async Task Binary_travels_as_base64_for_a_v3_client_that_forces_it()
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        await OpenAsync(node, host, "c", 3, new { transports = new[] { "polling" }, forceBase64 = true });

        await node.SendAsync(new { cmd = "send", id = "c", binary = Convert.ToBase64String([1, 2, 3]) });

        Assert.Equal("AQID", (await node.NextAsync("message", "c")).GetProperty("binary").GetString());
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Message_under_maxHttpBufferSize_passes_and_one_over_it_closes_only_that_session(string transport)
    {
        await using EngineTestHost host = await StartAsync(o => o.MaxHttpBufferSize = 1000);
        await using NodeDriver node = await NodeDriver.StartAsync();
        string victim = await OpenAsync(node, host, "victim", 4, new { transports = new[] { transport } });
        string bystander = await OpenAsync(node, host, "bystander", 4, new { transports = new[] { transport } });
        Assert.Contains("\"maxPayload\":1000", (await node.NextAsync(e => e.GetProperty("event").GetString() == "packet"
            && e.GetProperty("type").GetString() == "open")).GetProperty("data").GetString());

        string near = new('n', 990);
        await node.SendAsync(new { cmd = "send", id = "victim", text = near });
        Assert.Equal(near, (await node.NextAsync("message", "victim")).GetProperty("text").GetString());
        await node.SendAsync(new { cmd = "send", id = "victim", text = new string('o', 2000) });

        // As against Node's engine.io: polling gets the 413 before the session's close reaches its
        // waiting GET ("transport error"); a WebSocket closes with 1009 and an empty reason.
        JsonElement close = await node.NextAsync("close", "victim");
        if (transport == "polling")
        {
            Assert.Equal("transport error", close.GetProperty("reason").GetString());
        }
        else
        {
            Assert.Equal("transport close", close.GetProperty("reason").GetString());
            Assert.Equal(1009, close.GetProperty("closeCode").GetInt32());
            Assert.Equal("code=1009", close.GetProperty("detail").GetString());
        }

        ServerEvent serverClose = await host.NextAsync("close", victim);
        Assert.Equal(("transport error", "payload too large"), (serverClose.Reason, serverClose.Description));
        await node.SendAsync(new { cmd = "send", id = "bystander", text = "still here" });
        Assert.Equal("still here", (await node.NextAsync("message", "bystander")).GetProperty("text").GetString());
        Assert.Equal(EngineReadyState.Open, host.Socket(bystander).ReadyState);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Idle_connection_stays_open_through_several_heartbeats(int version, string transport)
    {
        await using EngineTestHost host = await StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(150);
            o.PingTimeout = TimeSpan.FromMilliseconds(300);
        });
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", version, new { transports = new[] { transport } });
        // v4: the server pings; v3: the client pings and the server answers with pongs.
        string heartbeat = version == 4 ? "ping" : "pong";

        for (int i = 0; i < 5; i++)
        {
            await node.NextAsync(e => e.GetProperty("event").GetString() == "packet" && e.GetProperty("id").GetString() == "c"
                && e.GetProperty("type").GetString() == heartbeat, TimeSpan.FromSeconds(5));
        }

        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
        await node.SendAsync(new { cmd = "send", id = "c", text = "alive" });
        Assert.Equal("alive", (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        Assert.Equal(0, node.Count("close", "c"));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Client_close_is_seen_by_the_server_as_transport_close(int version, string transport)
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", version, new { transports = new[] { transport } });

        await node.SendAsync(new { cmd = "close", id = "c" });

        Assert.Equal("forced close", (await node.NextAsync("close", "c")).GetProperty("reason").GetString());
        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Server_close_delivers_pending_messages_then_the_client_sees_transport_close(int version, string transport)
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", version, new { transports = new[] { transport } });
        EngineSocket socket = host.Socket(sid);

        socket.Send("goodbye");
        socket.Close();

        Assert.Equal("goodbye", (await node.NextAsync("message", "c")).GetProperty("text").GetString());
        Assert.Equal("transport close", (await node.NextAsync("close", "c")).GetProperty("reason").GetString());
        Assert.Equal("forced close", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task Server_shutdown_closes_every_client()
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        await OpenAsync(node, host, "a", 4, new { transports = new[] { "polling" } });
        await OpenAsync(node, host, "b", 4, new { transports = new[] { "websocket" } });
        await OpenAsync(node, host, "c", 3, new { });

        host.Server.Close();

        // A WebSocket client sees the close frame. A polling client sees the close packet when a
        // poll was waiting, else its next request fails (as with the reference, whose shutdown
        // discards polling transports too).
        Assert.Equal("transport close", (await node.NextAsync("close", "b")).GetProperty("reason").GetString());
        foreach (string id in new[] { "a", "c" })
        {
            Assert.Contains((await node.NextAsync("close", id)).GetProperty("reason").GetString(), new[] { "transport close", "transport error" });
        }

        Assert.Equal("server shutting down", (await host.NextAsync("close")).Reason);
    }

    [Fact]
    public async Task Many_clients_on_mixed_transports_each_get_only_their_own_echoes()
    {
        await using EngineTestHost host = await StartAsync();
        await using NodeDriver node = await NodeDriver.StartAsync();
        var transports = new object[] { new[] { "polling" }, new[] { "websocket" }, new[] { "polling", "websocket" } };
        for (int i = 0; i < 12; i++)
        {
            await OpenAsync(node, host, "c" + i, i % 4 == 3 ? 3 : 4, new { transports = transports[i % 3] });
        }

        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 12; i++)
            {
                await node.SendAsync(new { cmd = "send", id = "c" + i, text = $"{i}:{round}" });
            }
        }

        for (int i = 0; i < 12; i++)
        {
            for (int round = 0; round < 5; round++)
            {
                Assert.Equal($"{i}:{round}", (await node.NextAsync("message", "c" + i)).GetProperty("text").GetString());
            }
        }
    }

    [Fact]
    public async Task Logs_give_closes_without_a_null_description_and_refusals_with_the_protocol_code()
    {
        var logs = new LogCapture(LogLevel.Debug);
        await using EngineTestHost host = await EngineTestHost.StartAsync(configureBuilder: b =>
        {
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        await using NodeDriver node = await NodeDriver.StartAsync();
        string sid = await OpenAsync(node, host, "c", 4, new { transports = new[] { "websocket" } });
        await node.SendAsync(new { cmd = "close", id = "c" });
        await host.NextAsync("close", sid);
        using var http = new RawPolling(q => host.Url(q));
        await http.GetAsync("EIO=4&transport=carrier-pigeon");

        LogEntry closed = await logs.WaitForAsync(e => e.Message.Contains(sid, StringComparison.Ordinal) && e.Message.Contains("closed", StringComparison.Ordinal));
        Assert.Equal($"Engine.IO session {sid} closed: transport close.", closed.Message);
        LogEntry refused = await logs.WaitForAsync(e => e.Message.Contains("refused", StringComparison.Ordinal));
        Assert.Equal("Engine.IO request refused with code 0 (UnknownTransport): Transport unknown.", refused.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("(null)", StringComparison.Ordinal));
    }
}
