using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// The official socket.io-client 4.8 from npm against a server whose listener takes the WebSockets
/// (<c>UseSocketIoWebSockets</c>): the WebSocket requests never reach ASP.NET Core's pipeline, and
/// everything a client does works as over ASP.NET Core's upgrade.
/// </summary>
public sealed class DirectWebSocketInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    [Theory]
    [InlineData("websocket", false, false)]
    [InlineData(null, false, false)]
    [InlineData("websocket", true, false)]
    [InlineData(null, true, false)]
    [InlineData("websocket", false, true)]
    [InlineData(null, false, true)]
    [InlineData("websocket", true, true)]
    [InlineData(null, true, true)]
    public async Task Events_acks_and_binary_travel_both_ways_when_the_listener_takes_the_websocket(string? transport, bool msgpack, bool bareSockets)
    {
        var seen = new List<string>();
        await using var host = await SocketIoTestHost.StartAsync(
            (io, h) => io.OnConnection(socket =>
            {
                h.Record("handshake", $"{socket.Handshake.Query["q"]}|{socket.Handshake.Address}|{socket.Handshake.Headers.ContainsKey("Host")}");
                socket.On("echo", e => e.Ack(e.Args.ToValues()));
                socket.On("ask me", async e =>
                {
                    SocketIoArgs answer = await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", ["why?", new byte[] { 1, 2 }]);
                    h.Record("answer", answer.ToString());
                });
            }),
            options: o =>
            {
                if (msgpack)
                {
                    o.Parser = MsgPackSocketIoParser.Instance;
                }
            },
            configureBuilder: b =>
            {
                if (bareSockets)
                {
                    b.WebHost.UseSocketIoTransport(); // served on the bare socket, with no Kestrel connection
                }
            },
            configurePipeline: app => app.Use((HttpContext context, RequestDelegate next) =>
            {
                lock (seen)
                {
                    seen.Add(context.Request.QueryString.Value ?? "");
                }

                return next(context);
            }),
            configureListener: listen => listen.UseSocketIoWebSockets());
        await using var client = await SioDriver.StartAsync();
        object options = transport is null ? new { query = new { q = "1" } } : new { transports = new[] { transport }, query = new { q = "1" } };
        await client.ConnectAsync("c", host.Url(), options, msgpack: msgpack);
        Assert.Equal("1|127.0.0.1|True", await host.NextAsync("handshake"));

        int seq = await client.EmitAsync("c", "echo", [1, "two", new { three = new object[] { 3, SioDriver.Bin(3, 3) } }, null, true], ack: true, timeout: 5000);
        Assert.Equal("[1,\"two\",{\"three\":[3,{\"$binary\":\"AwM=\"}]},null,true]", Args(await client.AckAsync("c", seq)));

        await client.EmitAsync("c", "ask me", []);
        JsonElement question = await client.MessageAsync("c", "question");
        Assert.Equal("[\"why?\",{\"$binary\":\"AQI=\"}]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "because", 42);
        Assert.Equal("[\"because\",42]", await host.NextAsync("answer"));

        // The session is on a WebSocket (upgraded from long-polling when the client started there),
        // and no WebSocket request went through the application's pipeline.
        await Wait.UntilAsync(() => host.Io.Engine.Sessions.Single().Transport == "websocket", TimeSpan.FromSeconds(10));
        lock (seen)
        {
            Assert.DoesNotContain(seen, q => q.Contains("transport=websocket", StringComparison.Ordinal));
            Assert.Equal(transport is null, seen.Count > 0);
        }
    }
}
