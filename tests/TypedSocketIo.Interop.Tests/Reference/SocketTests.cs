using System.Net.WebSockets;
using System.Reflection;
using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/socket.ts.</summary>
public sealed class SocketTests
{
    /// <summary>A host whose main namespace hands its sockets to <paramref name="setup"/>, and a connected client "c".</summary>
    private static async Task<(SocketIoTestHost Host, SioDriver Client, Socket Socket)> ConnectAsync(
        Action<Socket, SocketIoTestHost>? setup = null, object? clientOptions = null, Action<SocketIoServerOptions>? options = null)
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        SocketIoTestHost host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            setup?.Invoke(s, h);
            connected.TrySetResult(s);
        }), options: options);
        SioDriver client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), clientOptions);
        return (host, client, await connected.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static object Transports(string transport) => new { transports = new[] { transport } };

    private static Action<SocketIoServerOptions> Only(string transport) => o => o.Transports = new List<string> { transport };

    private static Task<JsonElement> ManagerEventAsync(SioDriver client, string id, string type) =>
        client.Node.NextAsync(e => e.GetProperty("event").GetString() == "manager" && e.GetProperty("id").GetString() == id
            && e.GetProperty("type").GetString() == type);

    [Fact]
    public async Task Manual_reconnect_after_the_transport_closed_fires_connect_once()
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports("websocket"));
        await using (host)
        await using (client)
        {
            socket.Conn.Close();
            await client.EventAsync("disconnect", "c");

            await client.Node.SendAsync(new { cmd = "connect-again", id = "c" });
            await client.EventAsync("connect", "c");

            await Ref.FlushAsync(client, "c", name => host.Io.Emit(name));
            Assert.Equal(2, client.Node.Count("connect", "c"));
            Assert.Single(host.Io.Sockets.Sockets);
        }
    }

    [Fact]
    public async Task Reconnect_failed_fires_once_when_the_server_is_closed()
    {
        var (host, client, _) = await ConnectAsync(clientOptions: new { reconnection = true, reconnectionAttempts = 3, reconnectionDelay = 100, reconnectionDelayMax = 200 });
        await using (host)
        await using (client)
        {
            host.Io.Close();

            await ManagerEventAsync(client, "c", "reconnect_failed");
            await Task.Delay(300); // a bounded negative window: a second reconnect_failed would follow within a reconnection delay (100–200 ms)
            Assert.Equal(1, client.Node.Count("manager", "c", e => e.GetProperty("type").GetString() == "reconnect_failed"));
            Assert.Equal(3, client.Node.Count("manager", "c", e => e.GetProperty("type").GetString() == "reconnect_attempt"));
        }
    }

    [Fact]
    public async Task Receives_message_events_sent_with_send()
    {
        var (host, client, _) = await ConnectAsync((s, h) => s.On("message", e => h.Record("message", e.Args.ToString())));
        await using (host)
        await using (client)
        {
            await client.EmitAsync("c", "message", [1337]); // the client's socket.send(1337)

            Assert.Equal("[1337]", await host.NextAsync("message"));
        }
    }

    [Fact]
    public async Task Receives_a_null_message()
    {
        var (host, client, _) = await ConnectAsync((s, h) => s.On("message", e => h.Record("message", (e.Args.GetString(0) ?? "(null)") + " " + e.Args.Count)));
        await using (host)
        await using (client)
        {
            await client.EmitAsync("c", "message", [null]);

            Assert.Equal("(null) 1", await host.NextAsync("message"));
        }
    }

    [Fact]
    public async Task Emits_UTF8_multibyte_characters()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            for (int i = 0; i < 3; i++)
            {
                socket.Emit("hoot", "utf8 — string");
            }

            for (int i = 0; i < 3; i++)
            {
                Assert.Equal("utf8 — string", (await client.MessageAsync("c", "hoot")).GetProperty("args")[0].GetString());
            }
        }
    }

    [Fact]
    public async Task Emits_binary_data()
    {
        byte[] image = Ref.Bytes(60_000);
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            socket.Emit("doge", image);

            JsonElement doge = (await client.MessageAsync("c", "doge")).GetProperty("args")[0];
            Assert.Equal(Convert.ToBase64String(image), doge.GetProperty("$binary").GetString());
        }
    }

    [Fact]
    public async Task Emits_several_types_of_data_including_binary()
    {
        byte[] image = Ref.Bytes(20_000);
        byte[] buf = "asdfasdf"u8.ToArray();
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            socket.Emit("multiple", 1, image, "3", new[] { 4 }, buf, new object[] { image, "swag", buf });

            string img = $"{{\"$binary\":\"{Convert.ToBase64String(image)}\"}}", b = $"{{\"$binary\":\"{Convert.ToBase64String(buf)}\"}}";
            Assert.Equal($"[1,{img},\"3\",[4],{b},[{img},\"swag\",{b}]]", Ref.Args(await client.MessageAsync("c", "multiple")));
        }
    }

    [Fact]
    public async Task Receives_several_types_of_data_including_binary()
    {
        byte[] image = Ref.Bytes(20_000);
        byte[] buf = "asdfasdf"u8.ToArray();
        var (host, client, _) = await ConnectAsync((s, h) => s.On("multiple", e =>
        {
            object?[] v = e.Args.ToValues();
            var f = (List<object?>)v[5]!;
            h.Record("multiple", string.Join("|",
                v[0], v[1] is byte[] b1 && b1.SequenceEqual(image), v[2], string.Join(",", (List<object?>)v[3]!),
                v[4] is byte[] b4 && b4.SequenceEqual(buf), f[0] is byte[], f[1], f[2] is byte[]));
        }));
        await using (host)
        await using (client)
        {
            await client.EmitAsync("c", "multiple", [1, SioDriver.Bin(image), "3", new[] { 4 }, SioDriver.Bin(buf), new object[] { SioDriver.Bin(image), "swag", SioDriver.Bin(buf) }]);

            Assert.Equal("1|True|3|4|True|True|swag|True", await host.NextAsync("multiple"));
        }
    }

    // ------------------------------------------------------------------ volatile

    // Over WebSocket, Node's transport is unwritable until the send callback of the next tick, so
    // a volatile packet right after another is always dropped there. A thread pool has no "next
    // tick": ours turns writable again from queued work, which usually but not always runs later.
    // Over WebSocket these tests therefore pin what must hold (non-volatile and first packets
    // arrive, nothing arrives twice); over polling the counts are exact.
    private static void AssertVolatileCount(string transport, int exact, int count)
    {
        if (transport == "polling")
        {
            Assert.Equal(exact, count);
        }
        else
        {
            Assert.InRange(count, exact, exact + 1);
        }
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Volatile_event_after_a_regular_one_is_dropped(string transport)
    {
        var (host, client, socket) = await ConnectAsync((s, _) =>
        {
            s.Emit("ev", "data");
            s.Volatile.Emit("ev", "data");
        }, Transports(transport), Only(transport));
        await using (host)
        await using (client)
        {
            await Ref.FlushAsync(client, "c", name => socket.Emit(name));

            AssertVolatileCount(transport, 1, client.CountMessages("c", "ev"));
        }
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Volatile_event_reaches_an_idle_client(string transport)
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports(transport), options: Only(transport));
        await using (host)
        await using (client)
        {
            await Wait.UntilAsync(() => socket.Conn.IsWritable);

            socket.Volatile.Emit("ev", "data");

            await client.MessageAsync("c", "ev");
            await Ref.FlushAsync(client, "c", name => socket.Emit(name));
            Assert.Equal(1, client.CountMessages("c", "ev"));
        }
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Only_the_first_of_two_consecutive_volatile_events_is_sent(string transport)
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports(transport), options: Only(transport));
        await using (host)
        await using (client)
        {
            await Wait.UntilAsync(() => socket.Conn.IsWritable);

            socket.Volatile.Emit("ev", "data");
            socket.Volatile.Emit("ev", "data");

            await Ref.FlushAsync(client, "c", name => socket.Emit(name));
            AssertVolatileCount(transport, 1, client.CountMessages("c", "ev"));
        }
    }

    [Fact]
    public async Task Only_the_first_of_two_consecutive_binary_volatile_events_is_sent()
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports("websocket"), options: Only("websocket"));
        await using (host)
        await using (client)
        {
            await Wait.UntilAsync(() => socket.Conn.IsWritable);

            socket.Volatile.Emit("ev", new byte[] { 1, 2, 3 });
            socket.Volatile.Emit("ev", new byte[] { 4, 5, 6 });

            await Ref.FlushAsync(client, "c", name => socket.Emit(name));
            AssertVolatileCount("websocket", 1, client.CountMessages("c", "ev"));
            Assert.Equal("[{\"$binary\":\"AQID\"}]", Ref.Args(await client.MessageAsync("c", "ev")));
        }
    }

    [Fact]
    public async Task Only_the_first_of_two_consecutive_binary_volatile_broadcasts_is_sent()
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports("websocket"), options: Only("websocket"));
        await using (host)
        await using (client)
        {
            await Wait.UntilAsync(() => socket.Conn.IsWritable);

            host.Io.Volatile.Emit("ev", new byte[] { 1, 2, 3 });
            host.Io.Volatile.Emit("ev", new byte[] { 4, 5, 6 });

            await Ref.FlushAsync(client, "c", name => socket.Emit(name));
            AssertVolatileCount("websocket", 1, client.CountMessages("c", "ev"));
            Assert.Equal("[{\"$binary\":\"AQID\"}]", Ref.Args(await client.MessageAsync("c", "ev")));
        }
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Regular_events_after_a_dropped_volatile_event_are_sent(string transport)
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: Transports(transport), options: Only(transport));
        await using (host)
        await using (client)
        {
            await Wait.UntilAsync(() => socket.Conn.IsWritable);

            socket.Emit("ev", "data");
            socket.Volatile.Emit("ev", "data");
            socket.Emit("ev", "data");

            await Ref.FlushAsync(client, "c", name => socket.Emit(name));
            AssertVolatileCount(transport, 2, client.CountMessages("c", "ev"));
        }
    }

    // ------------------------------------------------------------------ send and acks

    [Fact]
    public async Task Send_emits_a_message_event()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            // The reference's socket.send(...args) is emit("message", ...args).
            MethodInfo? send = typeof(Socket).GetMethod("Send", BindingFlags.Public | BindingFlags.Instance, [typeof(object[])]);
            Assert.True(send is not null, "Socket has no public Send(params object?[] args) (the reference's socket.send/socket.write).");

            send.Invoke(socket, [new object?[] { "a" }]);

            Assert.Equal("[\"a\"]", Ref.Args(await client.MessageAsync("c", "message")));
        }
    }

    [Fact]
    public async Task Events_from_a_namespaced_client_arrive_immediately_and_in_order()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of("/chat").OnConnection(s => s.On("hi", e => h.Record("hi", e.Args.GetString(0)!))));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("chat", host.Url("/chat"));
        await client.EmitAsync("chat", "hi", ["a"]); // buffered by the client until it is connected
        await client.EventAsync("connect", "chat");
        await client.EmitAsync("chat", "hi", ["b"]);

        Assert.Equal("a", await host.NextAsync("hi"));
        Assert.Equal("b", await host.NextAsync("hi"));
    }

    [Fact]
    public async Task Emits_binary_arguments_with_an_ack()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            Task<SocketIoArgs> answer = socket.EmitWithAck("hi", [new byte[4]]);

            JsonElement hi = await client.MessageAsync("c", "hi");
            Assert.Equal("[{\"$binary\":\"AAAAAA==\"}]", Ref.Args(hi));
            await client.SendAckAsync("c", hi.GetProperty("ackId").GetInt64());
            Assert.Equal(0, (await answer.WaitAsync(TimeSpan.FromSeconds(10))).Count);
        }
    }

    [Fact]
    public async Task Receives_binary_data_in_an_ack()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            Task<SocketIoArgs> answer = socket.EmitWithAck("hi", []);

            JsonElement hi = await client.MessageAsync("c", "hi");
            await client.SendAckAsync("c", hi.GetProperty("ackId").GetInt64(), SioDriver.Bin(0));
            SocketIoArgs args = await answer.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(args.IsBinary(0));
            Assert.Equal(new byte[1], args.GetBytes(0).ToArray());
        }
    }

    // ------------------------------------------------------------------ connection and handshake

    [Fact]
    public async Task Has_access_to_the_connection()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            await client.Node.SendAsync(new { cmd = "status", id = "c" });
            JsonElement status = await client.EventAsync("status", "c");

            Assert.Equal(status.GetProperty("engineId").GetString(), socket.Conn.Id);
            Assert.Same(socket.Conn, host.Io.Engine.Sessions.Single());
        }
    }

    [Fact]
    public async Task Has_access_to_the_request()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            Assert.Equal(host.BaseUri.Authority, socket.Handshake.Request.Headers.Host.ToString());
            Assert.Equal("GET", socket.Handshake.Request.Method);
            Assert.StartsWith("/socket.io", socket.Handshake.Request.PathBase.Add(socket.Handshake.Request.Path).Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sees_query_parameters_in_the_request()
    {
        var (host, client, socket) = await ConnectAsync(clientOptions: new { query = new { key1 = 1, key2 = 2 } });
        await using (host)
        await using (client)
        {
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + socket.Handshake.Url).Query);

            Assert.Equal("1", query["key1"].ToString());
            Assert.Equal("2", query["key2"].ToString());
        }
    }

    [Fact]
    public async Task Secondary_namespace_handshake_has_the_engine_query_and_its_own_auth()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of("/connection2").OnConnection(s => h.Record("handshake",
            $"{s.Handshake.Query.ContainsKey("key1")}|{s.Handshake.Query["EIO"]}|{s.Handshake.Auth.GetProperty("key1").GetString()}|{s.Handshake.Auth.GetProperty("key2").GetString()}")));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c1", host.Url(), manager: "m");
        await client.ConnectAsync("c2", host.Url("/connection2"), new { auth = new { key1 = "aa", key2 = "&=bb" } }, manager: "m");

        Assert.Equal("False|4|aa|&=bb", await host.NextAsync("handshake"));
    }

    [Fact]
    public async Task Handles_very_large_JSON()
    {
        var big = Enumerable.Range(0, 6000).ToDictionary(i => "key" + i, i => new { index = i, text = "some text " + i, flag = i % 2 == 0 });
        var (host, client, socket) = await ConnectAsync((s, _) => s.On("big", e => s.Emit("big", e.Args[0])), options: o => o.PerMessageDeflate = null);
        await using (host)
        await using (client)
        {
            socket.Emit("big", new { hello = "friend", json = big });

            string expected = JsonSerializer.Serialize(new { hello = "friend", json = big });
            for (int received = 1; ; received++)
            {
                JsonElement arg = (await client.MessageAsync("c", "big")).GetProperty("args")[0];
                Assert.Equal(JsonValueKind.Object, arg.GetProperty("json").ValueKind);
                Assert.Equal(expected, arg.GetRawText());
                if (received == 3)
                {
                    break;
                }

                await client.EmitAsync("c", "big", [arg]);
            }
        }
    }

    [Fact]
    public async Task Handles_very_large_binary_data()
    {
        byte[] image = Ref.Bytes(400_000);
        var (host, client, socket) = await ConnectAsync((s, h) => s.On("big", e =>
        {
            var payload = (Dictionary<string, object?>)e.Args.ToValues()[0]!;
            h.Record("image", (payload["image"] is byte[] bytes && bytes.SequenceEqual(image)).ToString());
            s.Emit("big", payload);
        }), options: o => o.PerMessageDeflate = null);
        await using (host)
        await using (client)
        {
            socket.Emit("big", new Dictionary<string, object> { ["hello"] = "friend", ["image"] = image });

            for (int received = 1; ; received++)
            {
                JsonElement arg = (await client.MessageAsync("c", "big", TimeSpan.FromSeconds(20))).GetProperty("args")[0];
                Assert.Equal(Convert.ToBase64String(image), arg.GetProperty("image").GetProperty("$binary").GetString());
                if (received == 3)
                {
                    break;
                }

                await client.EmitAsync("c", "big", [arg]);
                Assert.Equal("True", await host.NextAsync("image"));
            }
        }
    }

    /// <summary>An emit's compression flag, seen on the wire (a polling response is gzipped only when a packet asked for it).</summary>
    [Theory]
    [InlineData(null, "gzip")]
    [InlineData(false, null)]
    public async Task Socket_emit_compression_follows_the_compress_flag(bool? compress, string? expectedEncoding)
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat").OnConnection(s => connected.TrySetResult(s)),
            options: o => o.HttpCompression = new() { Threshold = 0 });
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40/chat,");
        Assert.StartsWith("40/chat,{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));
        Socket socket = await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        if (compress is { } flag)
        {
            socket.Compress(flag).Emit("woot", "hi");
        }
        else
        {
            socket.Emit("woot", "hi");
        }

        RawResponse response = await raw.PollAsync(acceptGzip: true);
        Assert.Equal("42/chat,[\"woot\",\"hi\"]", RawSioPolling.Text(response));
        Assert.Equal(expectedEncoding, response.Header("Content-Encoding"));
    }

    // ------------------------------------------------------------------ malformed input

    /// <summary>A raw WebSocket client connected to the main namespace.</summary>
    private static async Task<RawWebSocket> RawConnectAsync(SocketIoTestHost host)
    {
        RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/socket.io/?EIO=4&transport=websocket"));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
        await ws.SendTextAsync("40");
        Assert.StartsWith("40{\"sid\"", await ws.ReceiveTextAsync());
        return ws;
    }

    /// <summary>The server survives: a regular client still connects and gets its ack.</summary>
    private static async Task AssertServerStillServesAsync(SocketIoTestHost host)
    {
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("other", host.Url());
        int seq = await client.EmitAsync("other", "ping", [], ack: true, timeout: 5000);
        Assert.Equal("[\"pong\"]", Ref.Args(await client.AckAsync("other", seq)));
    }

    [Theory]
    [InlineData("5woooot")]
    [InlineData("4[\"handle me please\"]")]
    public async Task Malformed_or_unexpected_packet_without_an_error_handler_does_not_crash_the_server(string packet)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
            s.On("ping", e => e.Ack("pong"));
        }));
        await using RawWebSocket ws = await RawConnectAsync(host);

        await ws.SendTextAsync("4" + packet);

        await host.NextAsync("disconnect");
        await AssertServerStillServesAsync(host);
    }

    [Theory]
    [InlineData("5woooot")]
    [InlineData("5")]
    public async Task Illegal_attachments_raise_the_socket_error_event(string packet)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.Error += (_, error) => h.Record("error", error.Message);
            s.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
        }));
        await using RawWebSocket ws = await RawConnectAsync(host);

        await ws.SendTextAsync("4" + packet);

        await host.NextAsync("disconnect");
        Assert.True(host.Count("error") == 1, "The socket's Error event was not raised for an undecodable packet (the reference emits 'error' with \"Illegal attachments\" on every socket of the client before closing it).");
    }

    [Fact]
    public async Task Emit_of_a_reserved_name_throws_with_its_name()
    {
        var (host, client, socket) = await ConnectAsync();
        await using (host)
        await using (client)
        {
            var error = Assert.Throws<ArgumentException>(() => socket.Emit("connect_error"));

            Assert.Contains("\"connect_error\" is a reserved event name", error.Message);
        }
    }

    [Fact]
    public async Task Event_dispatched_after_a_disconnect_of_the_same_batch_is_ignored()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s =>
        {
            s.On("test", _ => h.Record("test"));
            s.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
        }));
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40");
        Assert.StartsWith("40{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));

        // What socket.io-client sends for emit("test", Buffer.alloc(10)) then disconnect(), in one payload.
        await raw.PostAsync("451-[\"test\",{\"_placeholder\":true,\"num\":0}]", "b" + Convert.ToBase64String(new byte[10]), "41");

        Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));
        await Task.Delay(100); // a bounded negative window: the event, read before the disconnect, must never be dispatched
        Assert.Equal(0, host.Count("test"));
    }

    [Fact]
    public async Task Rooms_joined_in_a_failing_middleware_are_left()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Use(async (socket, _) =>
        {
            await socket.Join("room1");
            throw new ConnectionRejectedException("nope");
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());

        Assert.Equal("nope", (await client.EventAsync("connect_error", "c")).GetProperty("message").GetString());
        Assert.Empty(host.Io.Sockets.Adapter.Rooms);
    }

    [Fact]
    public async Task Join_after_disconnection_is_ignored()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(async socket =>
        {
            socket.Disconnect();
            await socket.Join("room1");
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("io server disconnect", Ref.Reason(await client.EventAsync("disconnect", "c")));
        Assert.Empty(host.Io.Sockets.Adapter.Rooms);
    }

    // ------------------------------------------------------------------ onAny / onAnyOutgoing

    [Fact]
    public async Task Prepend_any_listeners_run_before_the_others()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.OnAny(e => h.Record("any", "last " + e.Name));
            socket.PrependAny(_ => h.Record("any", "second"));
            socket.PrependAny(_ => h.Record("any", "first"));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());
        await client.EmitAsync("c", "my-event", ["123"]);

        Assert.Equal("first", await host.NextAsync("any"));
        Assert.Equal("second", await host.NextAsync("any"));
        Assert.Equal("last my-event", await host.NextAsync("any"));
    }

    [Fact]
    public async Task Off_any_removes_the_listener()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            Action<SocketIoEvent> fail = _ => h.Record("any", "removed listener ran");
            socket.OnAny(fail);
            socket.OffAny(fail);
            h.Record("listeners", socket.ListenersAny().Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            socket.OnAny(e => h.Record("any", e.Name + e.Args));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());
        await client.EmitAsync("c", "my-event", ["123"]);

        Assert.Equal("0", await host.NextAsync("listeners"));
        Assert.Equal("my-event[\"123\"]", await host.NextAsync("any"));
        Assert.Equal(1, host.Count("any"));
    }

    [Fact]
    public async Task Any_outgoing_listener_sees_binary_broadcasts()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.OnAnyOutgoing((name, args) => h.Record("outgoing", $"{name} {args.IsBinary(0)} {Convert.ToHexString(args.GetBytes(0).Span)}"));
            io.Emit("my-event", new byte[] { 1, 2, 3 });
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("my-event True 010203", await host.NextAsync("outgoing"));
    }

    [Fact]
    public async Task Prepend_any_outgoing_listeners_run_before_the_others()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.OnAnyOutgoing((name, _) => h.Record("outgoing", "last " + name));
            socket.PrependAnyOutgoing((_, _) => h.Record("outgoing", "second"));
            socket.PrependAnyOutgoing((_, _) => h.Record("outgoing", "first"));
            socket.Emit("my-event", "123");
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("first", await host.NextAsync("outgoing"));
        Assert.Equal("second", await host.NextAsync("outgoing"));
        Assert.Equal("last my-event", await host.NextAsync("outgoing"));
    }

    [Fact]
    public async Task Off_any_outgoing_removes_the_listener()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            Action<string, SocketIoArgs> fail = (_, _) => h.Record("outgoing", "removed listener ran");
            socket.OnAnyOutgoing(fail);
            socket.OffAnyOutgoing(fail);
            h.Record("listeners", socket.ListenersAnyOutgoing().Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            socket.OnAnyOutgoing((name, args) => h.Record("outgoing", name + args));
            socket.Emit("my-event", "123");
        }));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("0", await host.NextAsync("listeners"));
        Assert.Equal("my-event[\"123\"]", await host.NextAsync("outgoing"));
        await client.MessageAsync("c", "my-event");
        Assert.Equal(1, host.Count("outgoing"));
    }

    [Fact]
    public async Task Disconnect_with_close_disconnects_all_namespaces_of_the_client()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            io.Of("/foo");
            io.Of("/bar").OnConnection(socket => socket.Disconnect(close: true));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("s1", host.Url(), Transports("websocket"), manager: "m");
        await client.ConnectAsync("s2", host.Url("/foo"), manager: "m");
        await client.SendConnectAsync("s3", host.Url("/bar"), manager: "m");

        await client.EventAsync("disconnect", "s1");
        await client.EventAsync("disconnect", "s2");
        await client.EventAsync("disconnect", "s3");
        Assert.Empty(host.Io.Sockets.Sockets);
        Assert.Empty(host.Io.Of("/foo").Sockets);
    }
}
