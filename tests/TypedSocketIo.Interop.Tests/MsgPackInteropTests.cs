using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// Our server with <see cref="MsgPackSocketIoParser"/>, driven by the official socket.io-client 4.8
/// with socket.io-msgpack-parser 3.0, by raw Engine.IO messages, and by the served
/// <c>socket.io.msgpack.min.js</c> bundle in headless Chromium.
/// </summary>
public sealed class MsgPackInteropTests
{
    private static string Args(JsonElement e) => e.TryGetProperty("args", out JsonElement args) ? args.GetRawText() : e.GetRawText();

    /// <summary>Asserts two JSON texts hold the same value (escapes aside).</summary>
    private static void SameJson(string expected, string actual) =>
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected), System.Text.Json.Nodes.JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    private static Task<SocketIoTestHost> StartAsync(Action<SocketIoServer, SocketIoTestHost> configure, Action<SocketIoServerOptions>? options = null,
        Action<WebApplication>? pipeline = null) =>
        SocketIoTestHost.StartAsync(configure, o =>
        {
            o.Parser = MsgPackSocketIoParser.Instance;
            options?.Invoke(o);
        }, configurePipeline: pipeline);

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    [InlineData(null)]
    public async Task Events_acks_and_binary_travel_both_ways_on_every_transport(string? transport)
    {
        await using var host = await StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.On("echo", e => e.Ack(e.Args.ToValues()));
            socket.On("ask me", async e =>
            {
                SocketIoArgs answer = await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", ["why?", new byte[] { 1, 2 }]);
                h.Record("answer", $"{answer.GetString(0)} {answer.GetBytes(1).Length} {Convert.ToBase64String(answer.Get<FileBlob>(2).Content)}");
            });
            socket.On("numbers", e => h.Record("numbers", e.Args.ToString()));
        }));
        await using var client = await SioDriver.StartAsync();
        object options = transport is null ? new { } : new { transports = new[] { transport } };
        await client.ConnectAsync("c", host.Url(), options, msgpack: true);

        object?[] args = [1, -129, 4294967296L, 0.5, "twó 😀", new { three = new object[] { 3, SioDriver.Bin(3, 3, 3) } }, null, true, SioDriver.Bin(), SioDriver.Bin(new byte[70_000])];
        int seq = await client.EmitAsync("c", "echo", args, ack: true, timeout: 5000);
        SameJson(JsonSerializer.Serialize(args), Args(await client.AckAsync("c", seq)));

        await client.EmitAsync("c", "ask me", []);
        JsonElement question = await client.MessageAsync("c", "question");
        Assert.Equal("[\"why?\",{\"$binary\":\"AQI=\"}]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "because", SioDriver.Bin(7, 7), new { name = "f", content = SioDriver.Bin(9) });
        Assert.Equal("because 2 CQ==", await host.NextAsync("answer"));

        await client.EmitAsync("c", "numbers", [0, 127, 128, -32, -33, 65536, 9007199254740991L, -9007199254740991L, 1.5, -0.25, 1e-7]);
        Assert.Equal("[0,127,128,-32,-33,65536,9007199254740991,-9007199254740991,1.5,-0.25,1E-07]", await host.NextAsync("numbers"));
    }

    [Fact]
    public async Task Namespaces_and_a_middleware_refusal_with_data_reach_the_client()
    {
        await using var host = await StartAsync((io, h) =>
        {
            io.Of("/admin").Use(async (socket, next) =>
            {
                if (socket.Handshake.Auth.TryGetProperty("token", out JsonElement token) && token.GetString() == "ok")
                {
                    await next();
                    return;
                }

                throw new ConnectionRejectedException("not authorized", new { code = 42, content = "Please retry later", nested = new[] { 1.5 } });
            }).OnConnection(socket => socket.On("where", e => e.Ack(socket.Namespace.Name, socket.Handshake.Auth)));
            io.OnConnection(socket => socket.On("where", e => e.Ack(socket.Namespace.Name)));
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("bad", host.Url("/admin"), new { auth = new { token = "nope" } }, msgpack: true);
        JsonElement error = await client.EventAsync("connect_error", "bad");
        Assert.Equal("not authorized", error.GetProperty("message").GetString());
        Assert.Equal("{\"code\":42,\"content\":\"Please retry later\",\"nested\":[1.5]}", error.GetProperty("data").GetRawText());

        await client.ConnectAsync("main", host.Url(), new { forceNew = true }, manager: "m", msgpack: true);
        await client.ConnectAsync("admin", host.Url("/admin"), new { auth = new { token = "ok" } }, manager: "m", msgpack: true);
        int seq = await client.EmitAsync("admin", "where", [], ack: true, timeout: 5000);
        Assert.Equal("[\"/admin\",{\"token\":\"ok\"}]", Args(await client.AckAsync("admin", seq)));
        seq = await client.EmitAsync("main", "where", [], ack: true, timeout: 5000);
        Assert.Equal("[\"/\"]", Args(await client.AckAsync("main", seq)));

        await client.SendConnectAsync("random", host.Url("/random"), manager: "m", msgpack: true);
        Assert.Equal("Invalid namespace", (await client.EventAsync("connect_error", "random")).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Typed_contracts_work_unchanged()
    {
        var at = new DateTimeOffset(2026, 11, 22, 10, 0, 0, 123, TimeSpan.Zero);
        await using var host = await StartAsync((io, h) => io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
        {
            socket.On.Join(room => new JoinResult(true, room.Length));
            socket.On.Upload((name, content, checksum) => content.Length + checksum.Length);
            socket.On.Echo(data => data);
            socket.On.Message(m => h.Record("message", $"{m.Author}: {m.Text} {m.At:O}"));
            socket.On.Typing(isTyping =>
            {
                socket.Emit.NewMessage(new ChatMessage("lobby", "server", "hello", at));
                socket.Emit.FileReady(new FileBlob("a.bin", [1, 2, 3]), [4, 5]);
            });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), msgpack: true);

        int seq = await client.EmitAsync("c", "join", ["lobby"], ack: true, timeout: 5000);
        Assert.Equal("[{\"ok\":true,\"members\":5,\"error\":null}]", Args(await client.AckAsync("c", seq)));
        seq = await client.EmitAsync("c", "upload file", ["f", SioDriver.Bin(1, 2, 3), SioDriver.Bin(4)], ack: true, timeout: 5000);
        Assert.Equal("[4]", Args(await client.AckAsync("c", seq)));
        seq = await client.EmitAsync("c", "echo", [SioDriver.Bin(8, 9)], ack: true, timeout: 5000);
        Assert.Equal("[{\"$binary\":\"CAk=\"}]", Args(await client.AckAsync("c", seq)));
        await client.EmitAsync("c", "message", [new { room = "lobby", author = "ann", text = "hi", at = "2026-11-22T10:00:00+02:00" }]);
        Assert.Equal("ann: hi 2026-11-22T10:00:00.0000000+02:00", await host.NextAsync("message"));

        await client.EmitAsync("c", "typing", [true]);
        // The date is a msgpack date on the wire, a Date in JavaScript (the driver prints it with toJSON).
        Assert.Equal("[{\"room\":\"lobby\",\"author\":\"server\",\"text\":\"hello\",\"at\":\"2026-11-22T10:00:00.123Z\"}]", Args(await client.MessageAsync("c", "new-message")));
        Assert.Equal("[{\"name\":\"a.bin\",\"content\":{\"$binary\":\"AQID\"}},{\"$binary\":\"BAU=\"}]", Args(await client.MessageAsync("c", "file-ready")));
    }

    [Fact]
    public async Task A_malformed_message_closes_only_that_connection_with_parse_error()
    {
        await using var host = await StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
            socket.On("ping", e => e.Ack("pong"));
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("good", host.Url(), new { transports = new[] { "websocket" } }, msgpack: true);
        await using NodeDriver engine = await NodeDriver.StartAsync();
        await engine.SendAsync(new { cmd = "open", id = "raw", url = host.Url(), options = new { path = "/socket.io/", transports = new[] { "websocket" } } });
        await engine.NextAsync("open", "raw");
        // CONNECT {type:0, nsp:"/"} as msgpack, then an event whose data is not an array.
        await engine.SendAsync(new { cmd = "send", id = "raw", binary = Convert.ToBase64String([0x82, 0xa4, .. "type"u8, 0x00, 0xa3, .. "nsp"u8, 0xa1, (byte)'/']) });
        JsonElement reply = await engine.NextAsync(e => e.GetProperty("event").GetString() == "message" && e.GetProperty("id").GetString() == "raw");
        Assert.StartsWith("g6R0eXBlAKRkYXRhgaNzaWS", reply.GetProperty("binary").GetString()); // {type:0, data:{sid:…}, …}
        await engine.SendAsync(new { cmd = "send", id = "raw", binary = Convert.ToBase64String([0x83, 0xa4, .. "type"u8, 0x02, 0xa4, .. "data"u8, 0x80, 0xa3, .. "nsp"u8, 0xa1, (byte)'/']) });

        Assert.Equal("parse error", await host.NextAsync("disconnect"));
        await engine.NextAsync("close", "raw");
        int seq = await client.EmitAsync("good", "ping", [], ack: true, timeout: 5000);
        Assert.Equal("[\"pong\"]", Args(await client.AckAsync("good", seq)));
        Assert.Equal(1, host.Count("disconnect")); // the raw connection's only

        // A text message is not msgpack either.
        await engine.SendAsync(new { cmd = "open", id = "text", url = host.Url(), options = new { path = "/socket.io/", transports = new[] { "websocket" } } });
        await engine.NextAsync("open", "text");
        await engine.SendAsync(new { cmd = "send", id = "text", text = "0" });
        await engine.NextAsync("close", "text");
    }

    [Fact]
    public async Task A_message_over_max_http_buffer_size_closes_the_connection_before_it_is_decoded()
    {
        await using var host = await StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
            socket.On("upload", e => h.Record("upload", e.Args.GetBytes(0).Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }), o => o.MaxHttpBufferSize = 10_000);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), new { transports = new[] { "websocket" } }, msgpack: true);

        await client.EmitAsync("c", "upload", [SioDriver.Bin(new byte[9_000])]);
        Assert.Equal("9000", await host.NextAsync("upload"));
        await client.EmitAsync("c", "upload", [SioDriver.Bin(new byte[10_001])]);
        Assert.Equal("transport error", await host.NextAsync("disconnect")); // as a WebSocket message over the limit in the reference
        Assert.Equal(1, host.Count("upload"));
    }

    [Fact]
    public async Task A_broadcast_is_encoded_once_whatever_the_number_of_recipients()
    {
        var parser = new CountingParser();
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.Parser = parser);
        await using var client = await SioDriver.StartAsync();
        for (int i = 0; i < 5; i++)
        {
            await client.ConnectAsync("c" + i, host.Url(), new { forceNew = true }, msgpack: true);
        }

        host.Io.Emit("news", "to everyone", new byte[] { 1, 2 });
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("[\"to everyone\",{\"$binary\":\"AQI=\"}]", Args(await client.MessageAsync("c" + i, "news")));
        }

        Assert.Equal(1, parser.Encoded);
    }

    private sealed class CountingParser : ISocketIoParser
    {
        private int _encoded;

        public int Encoded => Volatile.Read(ref _encoded);

        public TypedSocketIo.EngineIO.EnginePacket[] Encode(SocketIoPacket packet)
        {
            if (packet.Type == SocketIoPacketType.Event)
            {
                Interlocked.Increment(ref _encoded);
            }

            return MsgPackSocketIoParser.Instance.Encode(packet);
        }

        public ISocketIoDecoder CreateDecoder() => MsgPackSocketIoParser.Instance.CreateDecoder();
    }

    private const string Page = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>msgpack</title>
        <script src="/socket.io/socket.io.msgpack.min.js"></script>
        <script>
          window.bin = (v) => v instanceof ArrayBuffer ? { bin: Array.from(new Uint8Array(v)) }
            : ArrayBuffer.isView(v) ? { bin: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) } : v;
          window.show = (v) => JSON.stringify(v, (k, x) => x instanceof Date ? { date: x.getTime() } : bin(x));
          window.withAck = (...args) => new Promise((resolve, reject) =>
            socket.timeout(5000).emit(...args, (err, ...answer) => err ? reject(err.message) : resolve(show(answer))));
          window.connectTo = (transports) => new Promise((resolve, reject) => {
            const socket = window.socket = io({ transports, forceNew: true, reconnection: false });
            socket.on('question', (q, cb) => cb(q + '!', new Uint8Array([9, 8]).buffer));
            window.when = new Promise((r) => socket.on('when', (d) => r(d instanceof Date ? 'Date ' + d.getTime() : typeof d)));
            socket.on('connect', () => resolve(socket.io.engine.transport.name));
            socket.on('connect_error', (e) => reject(e.message));
          });
        </script></head><body>msgpack</body></html>
        """;

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task The_served_msgpack_bundle_talks_to_the_server_from_Chromium(string transport)
    {
        var when = new DateTime(2026, 11, 22, 10, 0, 0, 123, DateTimeKind.Utc);
        await using var host = await StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.On("echo", e => e.Ack(e.Args.ToValues()));
            socket.On("ask", async e =>
            {
                SocketIoArgs answer = await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", ["why"]);
                e.Ack(answer.GetString(0), answer.GetBytes(1).ToArray());
            });
            socket.On("date", e =>
            {
                h.Record("date", e.Args.Get<DateTime>(0).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                socket.Emit("when", when);
            });
        }), pipeline: app => app.MapGet("/msgpack.html", () => Results.Content(Page, "text/html; charset=utf-8")));
        await using BrowserPage page = await BrowserPage.OpenAsync(new Uri(host.BaseUri, "/msgpack.html"));

        Assert.Equal(transport, (await page.EvalAsync($"connectTo(['{transport}'])")).GetString());
        Assert.Equal("[\"héllo\",42,1.5,{\"bin\":[1,2,3]},{\"nested\":{\"bin\":[4]}},null]",
            (await page.EvalAsync("withAck('echo', 'héllo', 42, 1.5, new Uint8Array([1, 2, 3]).buffer, { nested: new Uint8Array([4]).buffer }, null)")).GetString());
        Assert.Equal("[\"why!\",{\"bin\":[9,8]}]", (await page.EvalAsync("withAck('ask')")).GetString());

        await page.EvalAsync("socket.emit('date', new Date(Date.UTC(2026, 10, 22, 10, 0, 0, 123))), true");
        Assert.Equal("2026-11-22T10:00:00.1230000Z", await host.NextAsync("date"));
        Assert.Equal("Date " + new DateTimeOffset(when).ToUnixTimeMilliseconds(),
            (await page.EvalAsync("Promise.race([window.when, new Promise((_, reject) => setTimeout(() => reject('no when event'), 5000))])")).GetString());
    }

    /// <summary>One page in headless Chromium through tests/node/browser-driver.js.</summary>
    private sealed class BrowserPage : IAsyncDisposable
    {
        private readonly NodeDriver _driver;
        private int _seq;

        private BrowserPage(NodeDriver driver) => _driver = driver;

        public static async Task<BrowserPage> OpenAsync(Uri url)
        {
            var page = new BrowserPage(await NodeDriver.StartAsync("browser-driver.js"));
            try
            {
                await page.RequestAsync(new() { ["cmd"] = "launch" }, TimeSpan.FromSeconds(40));
                await page.RequestAsync(new() { ["cmd"] = "open", ["id"] = "p", ["url"] = url.ToString(), ["timeout"] = 15_000 }, TimeSpan.FromSeconds(20));
            }
            catch
            {
                await page.DisposeAsync();
                throw;
            }

            return page;
        }

        public async Task<JsonElement> EvalAsync(string expression) =>
            (await RequestAsync(new() { ["cmd"] = "eval", ["id"] = "p", ["expression"] = expression }, TimeSpan.FromSeconds(15))).GetProperty("value");

        private async Task<JsonElement> RequestAsync(Dictionary<string, object?> command, TimeSpan timeout)
        {
            int seq = Interlocked.Increment(ref _seq);
            command["seq"] = seq;
            await _driver.SendAsync(command);
            JsonElement answer = await _driver.NextAsync(
                e => e.GetProperty("event").GetString() is "done" or "error" && e.TryGetProperty("seq", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == seq,
                timeout + TimeSpan.FromSeconds(5));
            Assert.True(answer.GetProperty("event").GetString() == "done", $"browser {command["cmd"]}: {answer.GetRawText()}\n{_driver.Describe()}");
            return answer;
        }

        public ValueTask DisposeAsync() => _driver.DisposeAsync();
    }
}
