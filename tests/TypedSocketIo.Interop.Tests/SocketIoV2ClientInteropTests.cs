using System.Text.Json;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>socket.io-client 2.5 (Socket.IO protocol 4 over Engine.IO 3) against our server with AllowEIO3.</summary>
public sealed class SocketIoV2ClientInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    [InlineData(null)]
    public async Task V2_client_is_connected_to_the_main_namespace_and_exchanges_events_acks_and_binary(string? transport)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            h.Record("connection", $"{socket.Id}|{socket.Conn.Id}|{socket.Conn.Protocol}");
            socket.On("echo", e => e.Ack(e.Args.ToValues()));
            socket.On("bin", e => socket.Emit("bin", e.Args.GetBytes(0), new { nested = e.Args.GetBytes(0) }));
            socket.On("ask", async _ => h.Record("answer", (await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", [1])).ToString()));
        }));
        await using var client = await SioDriver.StartAsync();
        object options = transport is null ? new { } : new { transports = new[] { transport } };

        await client.ConnectAsync("c", host.Url(), options, version: 2);
        string[] connection = (await host.NextAsync("connection")).Split('|');
        int seq = await client.EmitAsync("c", "echo", ["hi", 2, new { x = true }], ack: true);
        await client.EmitAsync("c", "bin", [SioDriver.Bin(7, 8, 9)]);
        await client.EmitAsync("c", "ask", []);
        JsonElement question = await client.MessageAsync("c", "question");
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "answer");

        Assert.Equal(connection[1], connection[0]); // protocol 4: the main namespace socket id is the engine id
        Assert.Equal("V3", connection[2]);
        Assert.Equal("[\"hi\",2,{\"x\":true}]", Args(await client.AckAsync("c", seq)));
        Assert.Equal("[{\"$binary\":\"BwgJ\"},{\"nested\":{\"$binary\":\"BwgJ\"}}]", Args(await client.MessageAsync("c", "bin")));
        Assert.Equal("[\"answer\"]", await host.NextAsync("answer"));
    }

    [Fact]
    public async Task V2_custom_namespace_passes_its_query_as_auth_and_gets_a_prefixed_id()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of("/admin").OnConnection(socket =>
            h.Record("connection", $"{socket.Id}|{socket.Conn.Id}|{socket.Handshake.Auth.GetProperty("token").GetString()}")));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url("/admin"), new { query = new { token = "abc" } }, version: 2);

        string[] connection = (await host.NextAsync("connection")).Split('|');
        Assert.Equal("/admin#" + connection[1], connection[0]);
        Assert.Equal("abc", connection[2]);
    }

    [Fact]
    public async Task V2_middleware_refusal_is_sent_as_a_string()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/admin").Use((socket, next) =>
            throw new ConnectionRejectedException("not authorized")));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url("/admin"), version: 2);

        JsonElement error = await client.EventAsync("connect_error", "c");
        Assert.Equal("not authorized", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task V2_client_of_an_unknown_namespace_gets_the_reference_error_object_not_a_string()
    {
        // Node 4.8 sends {"message":"Invalid namespace"} whatever the protocol; only middleware
        // refusals are bare strings for v2 clients.
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(_ => { }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url("/nowhere"), version: 2);

        JsonElement error = await client.EventAsync("connect_error", "c");
        Assert.Equal("Invalid namespace", error.GetProperty("message").GetString());
        Assert.Equal("{\"message\":\"Invalid namespace\"}", error.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task V2_server_disconnect_and_client_disconnect_give_the_reference_reasons()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
            socket.On("kick", _ => socket.Disconnect());
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("kicked", host.Url(), new { forceNew = true }, version: 2);
        await client.EmitAsync("kicked", "kick", []);
        Assert.Equal("io server disconnect", (await client.EventAsync("disconnect", "kicked")).GetProperty("reason").GetString());
        Assert.Equal("server namespace disconnect", await host.NextAsync("disconnect"));

        await client.ConnectAsync("leaver", host.Url(), new { forceNew = true }, version: 2);
        await client.DisconnectAsync("leaver");
        Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));
    }
}
