using System.Text.Json;
using System.Text.RegularExpressions;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>Our Socket.IO server driven by the official socket.io-client 4.8 from npm.</summary>
public sealed class SocketIoClientInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    [InlineData(null)]
    public async Task Events_and_acks_travel_both_ways_on_every_transport(string? transport)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.On("echo", e => e.Ack(e.Args.ToValues()));
            socket.On("ask me", async e =>
            {
                SocketIoArgs answer = await socket.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("question", ["why?"]);
                h.Record("answer", answer.ToString());
            });
        }));
        await using var client = await SioDriver.StartAsync();
        object options = transport is null ? new { } : new { transports = new[] { transport } };
        await client.ConnectAsync("c", host.Url(), options);

        int seq = await client.EmitAsync("c", "echo", [1, "two", new { three = new[] { 3 } }, null, true], ack: true, timeout: 5000);
        Assert.Equal("[1,\"two\",{\"three\":[3]},null,true]", Args(await client.AckAsync("c", seq)));

        await client.EmitAsync("c", "ask me", []);
        JsonElement question = await client.MessageAsync("c", "question");
        Assert.Equal("[\"why?\"]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "because", 42);
        Assert.Equal("[\"because\",42]", await host.NextAsync("answer"));
    }

    [Fact]
    public async Task Auth_and_query_are_kept_apart_in_the_handshake()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
            h.Record("handshake", $"{socket.Handshake.Auth.GetRawText()}|{socket.Handshake.Query["q"]}|{socket.Handshake.Query.ContainsKey("token")}|{socket.Handshake.Address}")));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url(), new { auth = new { token = "abc" }, query = new { q = "1" } });

        Assert.Equal("{\"token\":\"abc\"}|1|False|127.0.0.1", await host.NextAsync("handshake"));
    }

    [Fact]
    public async Task The_handshake_is_sendable_as_an_event_argument_and_an_ack_in_the_reference_shape()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(socket =>
        {
            socket.Emit("handshake", socket.Handshake);
            socket.On("handshake?", e => e.Ack(socket.Handshake));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url(), new { auth = new { token = "abc" }, query = new { q = "1" }, transports = new[] { "polling" }, extraHeaders = new Dictionary<string, string> { ["x-custom"] = "yes" } });

        JsonElement sent = (await client.MessageAsync("c", "handshake")).GetProperty("args")[0];
        int seq = await client.EmitAsync("c", "handshake?", [], ack: true, timeout: 5000);
        JsonElement acked = (await client.AckAsync("c", seq)).GetProperty("args")[0];
        foreach (JsonElement handshake in new[] { sent, acked })
        {
            Assert.Equal(
                ["headers", "time", "address", "xdomain", "secure", "issued", "url", "query", "auth"],
                handshake.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("yes", handshake.GetProperty("headers").GetProperty("x-custom").GetString());
            Assert.True(handshake.GetProperty("headers").TryGetProperty("host", out _)); // lower-case names, as Node's
            Assert.Equal("127.0.0.1", handshake.GetProperty("address").GetString());
            Assert.False(handshake.GetProperty("secure").GetBoolean());
            Assert.InRange(handshake.GetProperty("issued").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Assert.StartsWith("/socket.io/?", handshake.GetProperty("url").GetString());
            Assert.Equal("1", handshake.GetProperty("query").GetProperty("q").GetString());
            Assert.Equal("polling", handshake.GetProperty("query").GetProperty("transport").GetString());
            Assert.Equal("{\"token\":\"abc\"}", handshake.GetProperty("auth").GetRawText());
            Assert.Matches(@"^\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT", handshake.GetProperty("time").GetString());
        }
    }

    [Fact]
    public async Task The_request_that_carried_a_polling_message_is_available_beside_the_handshake()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
            socket.On("hello", _ =>
            {
                var data = socket.Conn.DataRequest!;
                h.Record("data request", $"{data.Method}|{data.Headers["x-custom"]}|{data.Headers.Cookie}|{socket.Conn.Request.Method}");
            })));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url(), new { transports = new[] { "polling" }, extraHeaders = new Dictionary<string, string> { ["x-custom"] = "yes", ["cookie"] = "session=42" } });
        await client.EmitAsync("c", "hello", []);

        Assert.Equal("POST|yes|session=42|GET", await host.NextAsync("data request"));
    }

    private static object Nested(int depth)
    {
        object value = "core";
        for (int i = 0; i < depth; i++)
        {
            value = new object[] { value };
        }

        return value;
    }

    private static int DepthOf(string json)
    {
        int depth = 0, deepest = 0;
        foreach (char c in json)
        {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            deepest = Math.Max(deepest, depth);
        }

        return deepest;
    }

    [Fact]
    public async Task A_deeply_nested_payload_that_Node_accepts_is_accepted_and_one_past_the_configured_depth_closes_only_its_connection()
    {
        // Node accepts any depth (and overflows its stack near 10,000); we keep a limit, 1,000 by
        // default, configurable on the parser.
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.On("deep", e => e.Ack(DepthOf(e.Args.ToString())));
            socket.Disconnected += (_, reason, _) => h.Record("disconnected", reason);
        }), options: o => o.Parser = new JsonSocketIoParser(maxDepth: 300));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("deep", host.Url());
        await client.ConnectAsync("bystander", host.Url());

        int seq = await client.EmitAsync("deep", "deep", [Nested(200)], ack: true, timeout: 5000);
        Assert.Equal("[201]", Args(await client.AckAsync("deep", seq))); // the args array is one more level

        await client.EmitAsync("deep", "deep", [Nested(400)]);
        Assert.Equal("parse error", await host.NextAsync("disconnected"));
        seq = await client.EmitAsync("bystander", "deep", [Nested(3)], ack: true, timeout: 5000);
        Assert.Equal("[4]", Args(await client.AckAsync("bystander", seq)));
    }

    [Fact]
    public async Task Socket_id_is_sent_in_the_connect_packet_and_differs_from_the_engine_id()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket => h.Record("ids", socket.Id + " " + socket.Conn.Id)));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        string[] ids = (await host.NextAsync("ids")).Split(' ');
        Assert.Equal(sid, ids[0]);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task A_client_of_a_custom_namespace_never_touches_the_main_one()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use(async (socket, next) =>
            {
                h.Record("main middleware");
                await next();
            });
            io.OnConnection(_ => h.Record("main connection"));
            io.Of("/admin").OnConnection(socket => h.Record("admin connection", socket.Namespace.Name));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url("/admin"));

        Assert.Equal("/admin", await host.NextAsync("admin connection"));
        Assert.Empty(host.Io.Sockets.Sockets);
        Assert.Equal(0, host.Count("main middleware") + host.Count("main connection"));
        Assert.Single(host.Io.Of("/admin").Sockets);
    }

    [Fact]
    public async Task Middleware_error_reaches_the_client_as_connect_error_with_message_and_data()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/admin").Use(async (socket, next) =>
        {
            if (socket.Handshake.Auth.TryGetProperty("token", out JsonElement token) && token.GetString() == "ok")
            {
                await next();
                return;
            }

            throw new ConnectionRejectedException("not authorized", new { code = 42, content = "Please retry later" });
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("bad", host.Url("/admin"), new { auth = new { token = "nope" } });
        JsonElement error = await client.EventAsync("connect_error", "bad");
        await client.ConnectAsync("good", host.Url("/admin"), new { auth = new { token = "ok" }, forceNew = true });

        Assert.Equal("not authorized", error.GetProperty("message").GetString());
        Assert.Equal("{\"code\":42,\"content\":\"Please retry later\"}", error.GetProperty("data").GetRawText());
        Assert.Single(host.Io.Of("/admin").Sockets);
    }

    [Fact]
    public async Task Unknown_namespace_is_refused_and_the_connection_stays_open_for_others()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(s => s.On("ping", e => e.Ack("pong"))));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("main", host.Url(), manager: "m");
        await client.SendConnectAsync("random", host.Url("/random"), manager: "m");
        JsonElement error = await client.EventAsync("connect_error", "random");
        int seq = await client.EmitAsync("main", "ping", [], ack: true, timeout: 5000);

        Assert.Equal("Invalid namespace", error.GetProperty("message").GetString());
        Assert.Equal("[\"pong\"]", Args(await client.AckAsync("main", seq)));
    }

    [Fact]
    public async Task Dynamic_namespaces_by_regex_and_predicate_share_the_parent_middleware_and_handlers()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.NewNamespace += nsp => h.Record("new namespace", nsp.Name);
            ParentNamespace rooms = io.Of(new Regex("^/room-\\d+$"));
            rooms.Use(async (socket, next) =>
            {
                h.Record("parent middleware", socket.Namespace.Name);
                await next();
            });
            rooms.OnConnection(socket => socket.Emit("welcome", socket.Namespace.Name));
            io.Of((name, auth) => ValueTask.FromResult(name.StartsWith("/team-", StringComparison.Ordinal)
                && auth.TryGetProperty("member", out JsonElement m) && m.GetBoolean()))
              .OnConnection(socket => socket.Emit("welcome", "team " + socket.Namespace.Name));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("a", host.Url("/room-1"));
        await client.ConnectAsync("b", host.Url("/team-x"), new { auth = new { member = true }, forceNew = true });
        await client.SendConnectAsync("c", host.Url("/team-y"), new { auth = new { member = false }, forceNew = true });

        Assert.Equal("[\"/room-1\"]", Args(await client.MessageAsync("a", "welcome")));
        Assert.Equal("[\"team /team-x\"]", Args(await client.MessageAsync("b", "welcome")));
        Assert.Equal("/room-1", await host.NextAsync("parent middleware"));
        Assert.Equal("Invalid namespace", (await client.EventAsync("connect_error", "c")).GetProperty("message").GetString());
        Assert.Contains("/room-1", new[] { await host.NextAsync("new namespace"), await host.NextAsync("new namespace") });
        Assert.True(host.Io.Namespaces.ContainsKey("/team-x"));
    }

    [Fact]
    public async Task Binary_arguments_anywhere_travel_as_attachments_both_ways()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket => socket.On("upload", e =>
        {
            ReadOnlyMemory<byte> first = e.Args.GetBytes(0);
            var nested = e.Args.Get<Payload>(1);
            h.Record("upload", $"{Convert.ToHexString(first.Span)} {nested.Name} {Convert.ToHexString(nested.Content)} {Convert.ToHexString(nested.Parts[1])}");
            e.Ack(new Payload("back", [9, 9], [[1], [2, 2]]), first);
        })));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        int seq = await client.EmitAsync("c", "upload",
            [SioDriver.Bin(1, 2, 3), new { name = "file", content = SioDriver.Bin(4, 5), parts = new[] { SioDriver.Bin(6), SioDriver.Bin(7, 8) } }], ack: true, timeout: 5000);

        Assert.Equal("010203 file 0405 0708", await host.NextAsync("upload"));
        JsonElement ack = await client.AckAsync("c", seq);
        Assert.Equal("{\"name\":\"back\",\"content\":{\"$binary\":\"CQk=\"},\"parts\":[{\"$binary\":\"AQ==\"},{\"$binary\":\"AgI=\"}]}", ack.GetProperty("args")[0].GetRawText());
        Assert.Equal("AQID", ack.GetProperty("args")[1].GetProperty("$binary").GetString());
    }

    public sealed record Payload(string Name, byte[] Content, byte[][] Parts);

    [Fact]
    public async Task Server_ack_timeout_fails_with_a_timeout_error_and_client_ack_timeout_is_reported()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.On("start", async _ =>
            {
                try
                {
                    await socket.Timeout(TimeSpan.FromMilliseconds(200)).EmitWithAck("never answered");
                    h.Record("result", "answered");
                }
                catch (SocketIoTimeoutException ex)
                {
                    h.Record("result", $"{ex.EventName}: {ex.Message}");
                }
            });
            socket.On("ignored", _ => { });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "start", []);
        int seq = await client.EmitAsync("c", "ignored", [], ack: true, timeout: 200);

        // The reference's message, naming the event whose acknowledgement did not come.
        Assert.Equal("never answered: operation has timed out: no acknowledgement of \"never answered\" arrived in time", await host.NextAsync("result"));
        JsonElement error = await client.AckAsync("c", seq);
        Assert.Equal("ack-error", error.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Rooms_and_every_broadcast_operator_reach_exactly_their_targets()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async socket =>
        {
            string name = socket.Handshake.Auth.GetProperty("name").GetString()!;
            socket.Data = name;
            foreach (JsonElement room in socket.Handshake.Auth.GetProperty("rooms").EnumerateArray())
            {
                await socket.Join(room.GetString()!);
            }

            socket.On("broadcast", e => socket.Broadcast.Emit("from", name));
            socket.On("to-red", e => socket.To("red").Emit("red", name));
            h.Record("joined", name);
        }));
        await using var client = await SioDriver.StartAsync();
        var members = new Dictionary<string, string[]>
        {
            ["a"] = ["red"],
            ["b"] = ["red", "blue"],
            ["c"] = ["blue"],
            ["d"] = [],
        };
        foreach ((string name, string[] rooms) in members)
        {
            await client.ConnectAsync(name, host.Url(), new { auth = new { name, rooms }, forceNew = true });
            await host.NextAsync("joined");
        }

        host.Io.To("red").Emit("m", "to red");
        host.Io.To(["red", "blue"]).Emit("m", "to red or blue");
        host.Io.In("blue").Except("red").Emit("m", "blue not red");
        host.Io.Except("blue").Emit("m", "not blue");
        host.Io.Emit("m", "all");
        host.Io.Local.Emit("m", "local");
        host.Io.Compress(false).Emit("m", "uncompressed");
        host.Io.To("nobody").Emit("m", "to nobody");
        await client.EmitAsync("a", "broadcast", []);
        await client.EmitAsync("c", "to-red", []);

        var expected = new Dictionary<string, string[]>
        {
            ["a"] = ["to red", "to red or blue", "not blue", "all", "local", "uncompressed"],
            ["b"] = ["to red", "to red or blue", "all", "local", "uncompressed"],
            ["c"] = ["to red or blue", "blue not red", "all", "local", "uncompressed"],
            ["d"] = ["not blue", "all", "local", "uncompressed"],
        };
        foreach ((string name, string[] messages) in expected)
        {
            foreach (string message in messages)
            {
                Assert.Equal($"[\"{message}\"]", Args(await client.MessageAsync(name, "m")));
            }
        }

        foreach (string name in new[] { "b", "c", "d" })
        {
            Assert.Equal("[\"a\"]", Args(await client.MessageAsync(name, "from")));
        }

        Assert.Equal("[\"c\"]", Args(await client.MessageAsync("a", "red")));
        Assert.Equal("[\"c\"]", Args(await client.MessageAsync("b", "red")));

        // A marker to everyone, sent after all of the above: once it is in, anything else sent to a or c would be too.
        host.Io.Emit("m", "end");
        Assert.Equal("[\"end\"]", Args(await client.MessageAsync("a", "m")));
        Assert.Equal("[\"end\"]", Args(await client.MessageAsync("c", "m")));
        Assert.Equal(expected["a"].Length + 1, client.CountMessages("a", "m"));
        Assert.Equal(0, client.CountMessages("a", "from"));
        Assert.Equal(0, client.CountMessages("c", "red"));
    }

    [Fact]
    public async Task Broadcast_with_acks_collects_one_answer_per_client_and_times_out_with_what_arrived()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        await using var client = await SioDriver.StartAsync();
        for (int i = 0; i < 5; i++)
        {
            await client.ConnectAsync("c" + i, host.Url(), new { forceNew = true }, autoAck: new Dictionary<string, object> { ["vote"] = new object[] { "yes", i } });
        }

        string silent = await client.ConnectAsync("silent", host.Url(), new { forceNew = true });

        IReadOnlyList<SocketIoArgs> all = await host.Io.Except(silent).Timeout(TimeSpan.FromSeconds(5)).EmitWithAck("vote", ["proposal"]);
        var timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(() => host.Io.Timeout(TimeSpan.FromMilliseconds(300)).EmitWithAck("vote", ["again"]));

        Assert.Equal(5, all.Count);
        Assert.All(all, answer => Assert.Equal("yes", answer.GetString(0)));
        var partial = Assert.IsAssignableFrom<IReadOnlyList<SocketIoArgs>>(timeout.PartialResponses);
        Assert.Equal(5, partial.Count);
        Assert.Throws<InvalidOperationException>(() => { _ = host.Io.Sockets.To("x").EmitWithAck("vote"); });
    }

    [Fact]
    public async Task Catch_all_listeners_see_incoming_and_outgoing_events()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.OnAny(e => h.Record("any", $"{e.Name}{e.Args}"));
            socket.PrependAny(e => h.Record("any first", e.Name));
            socket.OnAnyOutgoing((name, args) => h.Record("outgoing", $"{name}{args}"));
            socket.On("trigger", _ =>
            {
                socket.Emit("direct", 1);
                io.Emit("broadcast", 2);
            });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "trigger", ["x"]);

        Assert.Equal("trigger", await host.NextAsync("any first"));
        Assert.Equal("trigger[\"x\"]", await host.NextAsync("any"));
        Assert.Equal("direct[1]", await host.NextAsync("outgoing"));
        Assert.Equal("broadcast[2]", await host.NextAsync("outgoing"));
    }

    [Fact]
    public async Task Utility_methods_fetch_join_leave_and_disconnect_the_targeted_sockets()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Data = new Dictionary<string, string> { ["name"] = socket.Handshake.Auth.GetProperty("name").GetString()! };
            socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
        }));
        await using var client = await SioDriver.StartAsync();
        string a = await client.ConnectAsync("a", host.Url(), new { auth = new { name = "a" }, forceNew = true });
        string b = await client.ConnectAsync("b", host.Url(), new { auth = new { name = "b" }, forceNew = true });

        host.Io.SocketsJoin("team");
        host.Io.In(a).SocketsJoin("solo");
        IReadOnlyList<RemoteSocket> fetched = await host.Io.In("team").FetchSockets();
        IReadOnlySet<string> solo = await host.Io.Sockets.In("solo").AllSockets();
        host.Io.In("team").Except("solo").Emit("m", "team but not solo");
        host.Io.In(b).SocketsLeave("team");
        IReadOnlySet<string> team = await host.Io.Sockets.In("team").AllSockets();
        fetched.Single(s => s.Id == b).Emit("m", "via remote socket");
        host.Io.In("solo").DisconnectSockets();

        Assert.Equal(new[] { a, b }.Order(), fetched.Select(s => s.Id).Order());
        Assert.Contains("team", fetched[0].Rooms);
        Assert.Contains(fetched[0].Id, fetched[0].Rooms);
        Assert.Equal("a", ((Dictionary<string, string>)fetched.Single(s => s.Id == a).Data!)["name"]);
        Assert.Equal([a], solo);
        Assert.Equal([a], team);
        Assert.Equal("[\"team but not solo\"]", Args(await client.MessageAsync("b", "m")));
        Assert.Equal("[\"via remote socket\"]", Args(await client.MessageAsync("b", "m")));
        Assert.Equal("io server disconnect", (await client.EventAsync("disconnect", "a")).GetProperty("reason").GetString());
        Assert.Equal("server namespace disconnect", await host.NextAsync("disconnect"));
        Assert.Single(host.Io.Sockets.Sockets);
    }

    [Fact]
    public async Task Disconnect_reasons_match_the_reference_on_both_sides()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnecting += (s, reason) => h.Record("disconnecting", $"{reason} {s.Rooms.Contains(s.Id)}");
            socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
            socket.On("kick", _ => socket.Disconnect());
            socket.On("close", _ => socket.Disconnect(close: true));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("kicked", host.Url(), new { forceNew = true });
        await client.EmitAsync("kicked", "kick", []);
        Assert.Equal("io server disconnect", (await client.EventAsync("disconnect", "kicked")).GetProperty("reason").GetString());
        Assert.Equal("server namespace disconnect True", await host.NextAsync("disconnecting"));
        Assert.Equal("server namespace disconnect", await host.NextAsync("disconnect"));

        await client.ConnectAsync("leaver", host.Url(), new { forceNew = true });
        await client.DisconnectAsync("leaver");
        Assert.Equal("io client disconnect", (await client.EventAsync("disconnect", "leaver")).GetProperty("reason").GetString());
        Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));

        await client.ConnectAsync("closed", host.Url(), new { forceNew = true });
        await client.EmitAsync("closed", "close", []);
        Assert.Equal("io server disconnect", (await client.EventAsync("disconnect", "closed")).GetProperty("reason").GetString());
        Assert.Equal("server namespace disconnect", await host.NextAsync("disconnect"));

        // Over WebSocket the close frame is seen at once; a polling client sees "transport error"
        // when no poll happened to be waiting (as with the reference).
        await client.ConnectAsync("shutdown", host.Url(), new { forceNew = true, transports = new[] { "websocket" } });
        host.Io.Close();
        Assert.Equal("transport close", (await client.EventAsync("disconnect", "shutdown")).GetProperty("reason").GetString());
        Assert.Equal("server shutting down", await host.NextAsync("disconnect"));
    }

    [Fact]
    public async Task Connection_without_any_namespace_is_closed_after_connectTimeout()
    {
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300));
        using var http = new RawPolling(q => new Uri(host.BaseUri, "/socket.io/?" + q));

        (string sid, _) = await http.HandshakeAsync();
        RawResponse poll = await http.GetAsync($"EIO=4&transport=polling&sid={sid}");

        Assert.Equal("1", poll.Text);
        Assert.Equal(0, host.Io.Engine.SessionCount);
    }

    [Fact]
    public async Task Malformed_packets_close_only_the_offending_connection_with_parse_error()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason);
            socket.On("ping", e => e.Ack("pong"));
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("good", host.Url());
        string[] malformed = ["9", "2{\"a\":1}", "2[]", "2[1", "2[\"connect\"]", "2[\"disconnect\"]", "5x-[\"a\"]", "511-[\"a\"]", "0\"str\"", "2abc[\"a\"]"];

        foreach (string packet in malformed)
        {
            await using RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/socket.io/?EIO=4&transport=websocket"));
            Assert.StartsWith("0{", await ws.ReceiveTextAsync());
            await ws.SendTextAsync("40");
            Assert.StartsWith("40{\"sid\"", await ws.ReceiveTextAsync());
            await ws.SendTextAsync("4" + packet);
            Assert.Equal("parse error", await host.NextAsync("disconnect"));
        }

        int seq = await client.EmitAsync("good", "ping", [], ack: true, timeout: 5000);
        Assert.Equal("[\"pong\"]", Args(await client.AckAsync("good", seq)));
    }

    [Fact]
    public async Task Volatile_emits_reach_an_idle_client_and_never_cost_a_regular_emit()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket => h.Record("socket", socket.Id)));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), new { transports = new[] { "websocket" } });
        Socket socket = host.Io.Sockets.Sockets[await host.NextAsync("socket")];

        socket.Volatile.Emit("v", "idle");
        Assert.Equal("[\"idle\"]", Args(await client.MessageAsync("c", "v")));

        // A burst: regular emits are all delivered, whatever becomes of the volatile ones between them.
        for (int i = 0; i < 2000; i++)
        {
            socket.Emit("r", i);
            socket.Volatile.Emit("v", i);
        }

        await client.MessageAsync("c", "r", TimeSpan.FromSeconds(30));
        for (int i = 1; i < 2000; i++)
        {
            await client.MessageAsync("c", "r", TimeSpan.FromSeconds(30));
        }

        socket.Emit("end"); // sent after the burst: once it is in, a duplicate of any of it would be too
        await client.MessageAsync("c", "end", TimeSpan.FromSeconds(30));
        Assert.Equal(2000, client.CountMessages("c", "r"));
    }

    [Fact]
    public async Task Volatile_ping_with_ack_measures_latency_as_in_the_migration_guide()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(socket => socket.On("ping", e => e.Ack())));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), new { transports = new[] { "websocket" } });

        // The recipe pings periodically: a volatile ping the client drops while its transport is
        // busy simply times out, and the next one measures.
        JsonElement result = default;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int seq = await client.EmitAsync("c", "ping", [], ack: true, timeout: 1000, isVolatile: true);
            result = await client.AckAsync("c", seq);
            if (result.GetProperty("event").GetString() == "ack")
            {
                break;
            }
        }

        Assert.Equal("ack", result.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Socket_packet_middleware_runs_before_handlers_and_its_errors_raise_the_error_event()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Use(async (e, next) =>
            {
                if (e.Name == "forbidden")
                {
                    throw new InvalidOperationException("unauthorized event");
                }

                h.Record("middleware", e.Name);
                await next();
            });
            socket.Error += (_, ex) => h.Record("error", ex.Message);
            socket.On("allowed", e => h.Record("handler", e.Name));
            socket.On("forbidden", e => h.Record("handler", e.Name));
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "forbidden", []);
        await client.EmitAsync("c", "allowed", []);

        Assert.Equal("unauthorized event", await host.NextAsync("error"));
        Assert.Equal("allowed", await host.NextAsync("middleware"));
        Assert.Equal("allowed", await host.NextAsync("handler"));
        Assert.Equal(1, host.Count("handler"));
    }

    [Fact]
    public async Task Reserved_event_names_cannot_be_emitted_and_emit_returns_true()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            foreach (string name in new[] { "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener" })
            {
                try
                {
                    socket.Emit(name);
                    h.Record("result", "emitted " + name);
                }
                catch (ArgumentException)
                {
                    h.Record("result", "refused " + name);
                }
            }

            h.Record("result", socket.Emit("fine").ToString());
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        for (int i = 0; i < 6; i++)
        {
            Assert.StartsWith("refused ", await host.NextAsync("result"));
        }

        Assert.Equal("True", await host.NextAsync("result"));
        await client.MessageAsync("c", "fine");
    }

    [Fact]
    public async Task Several_handlers_per_event_run_in_order_and_each_can_be_removed()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            IDisposable first = socket.On("tick", e => h.Record("handler", "first " + e.Args.GetString(0)));
            socket.On("tick", e => h.Record("handler", "second " + e.Args.GetString(0)));
            socket.On("remove first", _ =>
            {
                first.Dispose();
                h.Record("removed", socket.ListenerCount("tick").ToString());
            });
            socket.On("remove all", _ =>
            {
                socket.Off("tick");
                h.Record("removed", socket.ListenerCount("tick").ToString());
            });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "tick", ["1"]);
        Assert.Equal("first 1", await host.NextAsync("handler"));
        Assert.Equal("second 1", await host.NextAsync("handler"));
        await client.EmitAsync("c", "remove first", []);
        Assert.Equal("1", await host.NextAsync("removed"));
        await client.EmitAsync("c", "tick", ["2"]);
        Assert.Equal("second 2", await host.NextAsync("handler"));
        await client.EmitAsync("c", "remove all", []);
        Assert.Equal("0", await host.NextAsync("removed"));
        await client.EmitAsync("c", "tick", ["3"]);
        await client.EmitAsync("c", "remove all", []);
        await host.NextAsync("removed");
        Assert.Equal(3, host.Count("handler"));
    }

    [Fact]
    public async Task A_handler_return_value_is_the_ack_and_a_throwing_handler_keeps_the_connection()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(socket =>
        {
            socket.OnWithAck("add", async e =>
            {
                await Task.Yield();
                return e.Args.Get<int>(0) + e.Args.Get<int>(1);
            });
            socket.On("boom", _ => throw new InvalidOperationException("handler failure"));
            socket.On("boom async", async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async handler failure");
            });
        }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "boom", []);
        await client.EmitAsync("c", "boom async", []);
        int seq = await client.EmitAsync("c", "add", [2, 40], ack: true, timeout: 5000);

        Assert.Equal("[42]", Args(await client.AckAsync("c", seq)));
        Assert.Equal(0, client.Node.Count("disconnect", "c"));
    }

    [Fact]
    public async Task A_broadcast_is_encoded_once_whatever_the_number_of_recipients()
    {
        var parser = new CountingParser();
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.Parser = parser);
        await using var client = await SioDriver.StartAsync();
        for (int i = 0; i < 6; i++)
        {
            await client.ConnectAsync("c" + i, host.Url(), new { forceNew = true });
        }

        int before = parser.Encoded("news");
        host.Io.Emit("news", "to everyone", new byte[] { 1, 2 });
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal("[\"to everyone\",{\"$binary\":\"AQI=\"}]", Args(await client.MessageAsync("c" + i, "news")));
        }

        Assert.Equal(1, parser.Encoded("news") - before);
    }

    /// <summary>The default parser, counting how often each event is encoded.</summary>
    private sealed class CountingParser : ISocketIoParser
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();

        public int Encoded(string eventName) => _counts.GetValueOrDefault(eventName);

        public TypedSocketIo.EngineIO.EnginePacket[] Encode(SocketIoPacket packet)
        {
            if (packet.Type == SocketIoPacketType.Event)
            {
                using JsonDocument document = JsonDocument.Parse(packet.Data);
                _counts.AddOrUpdate(document.RootElement[0].GetString()!, 1, (_, n) => n + 1);
            }

            return JsonSocketIoParser.Instance.Encode(packet);
        }

        public ISocketIoDecoder CreateDecoder() => JsonSocketIoParser.Instance.CreateDecoder();
    }
}
