using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.NoReflection.Tests;

/// <summary>
/// IStrictEvents (payloads through StrictJsonContext) end to end with socket.io-client 4.8, in a
/// process where System.Text.Json reflection is switched off.
/// </summary>
public sealed class StrictContractTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    /// <summary>Driver arguments, built from JsonNode values (JsonArray.Add&lt;T&gt; would need reflection).</summary>
    private static JsonArray A(params JsonNode?[] items) => new(items);

    private static JsonObject Message(string text) =>
        new() { ["room"] = "lobby", ["author"] = "ann", ["text"] = text, ["at"] = "2026-11-22T10:00:00+00:00" };

    [Fact]
    public void Reflection_based_serialization_is_off_in_this_test_run()
    {
        Assert.False(JsonSerializer.IsReflectionEnabledByDefault);
        Assert.Throws<InvalidOperationException>(() => JsonSerializer.Serialize(new JoinResult(true, 1)));
        Assert.Throws<InvalidOperationException>(() => JsonSerializer.Deserialize<JoinResult>("{}"));
    }

    [Fact]
    public async Task Strict_handlers_decode_their_arguments_and_answer_acks_without_reflection()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/").OnConnection(socket =>
            {
                h.Record("auth", socket.Handshake.Auth.GetRawText());
                socket.On.JoinRoom(room => new JoinResult(true, room.Length));
                socket.On.CountUp(async value =>
                {
                    await Task.Yield();
                    return value + 1;
                });
                socket.On.SendMessage(m => h.Record("message", $"{m.Room}|{m.Author}|{m.Text}|{m.At:O}"));
                socket.On.SendFile(file => h.Record("file", $"{file.Name} {Convert.ToHexString(file.Content)}"));
            }));
        await using var client = await StrictDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["token"] = "abc" } });
        Assert.Equal("{\"token\":\"abc\"}", await host.NextAsync("auth"));

        Assert.Equal("[{\"ok\":true,\"members\":5,\"error\":null}]", await client.EmitWithAckAsync("c", "join_room", A("lobby")));
        Assert.Equal("[42]", await client.EmitWithAckAsync("c", "count_up", A(41)));

        await client.EmitAsync("c", "send_message", A(Message("hi")));
        Assert.Equal("lobby|ann|hi|2026-11-22T10:00:00.0000000+00:00", await host.NextAsync("message"));

        await client.EmitAsync("c", "send_file", A(new JsonObject { ["name"] = "a.bin", ["content"] = StrictDriver.Bin(1, 2, 3) }));
        Assert.Equal("a.bin 010203", await host.NextAsync("file"));

        // Invalid arguments are rejected with an error ack, still without reflection.
        string rejected = await client.EmitWithAckAsync("c", "count_up", A("not a number"));
        Assert.Contains("\"error\":\"invalid arguments\"", rejected);
        Assert.Contains("argument 1 (value) is invalid", rejected);
        Assert.Contains("expected 1 argument, got 2", await client.EmitWithAckAsync("c", "join_room", A("a", "b")));
        Assert.Equal("[2]", await client.EmitWithAckAsync("c", "count_up", A(1)));
    }

    [Fact]
    public async Task Strict_emits_reach_the_client_and_their_acks_are_decoded_without_reflection()
    {
        var sockets = new List<Socket<IStrictEvents, IStrictEvents>>();
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/").OnConnection(socket =>
            {
                lock (sockets)
                {
                    sockets.Add(socket);
                }
            }));
        await using var client = await StrictDriver.StartAsync();
        string sid = await client.ConnectAsync("c", host.Url());
        await Wait.UntilAsync(() => { lock (sockets) { return sockets.Count == 1; } });
        Socket<IStrictEvents, IStrictEvents> socket = sockets[0];
        Assert.Equal(sid, socket.Id);

        socket.Emit.SendMessage(new ChatMessage("r", "bob", "yo", At));
        Assert.Equal("[{\"room\":\"r\",\"author\":\"bob\",\"text\":\"yo\",\"at\":\"2026-01-02T03:04:05+00:00\"}]", Args(await client.MessageAsync("c", "send_message")));

        socket.Emit.SendFile(new FileBlob("b.bin", [4, 5]));
        Assert.Equal("[{\"name\":\"b.bin\",\"content\":{\"$binary\":\"BAU=\"}}]", Args(await client.MessageAsync("c", "send_file")));

        Task<int> counted = socket.Timeout(TimeSpan.FromSeconds(10)).Emit.CountUp(41);
        JsonElement question = await client.MessageAsync("c", "count_up");
        Assert.Equal("[41]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), A(42));
        Assert.Equal(42, await counted.WaitAsync(TimeSpan.FromSeconds(10)));

        Task<JoinResult> joined = socket.Timeout(TimeSpan.FromSeconds(10)).Emit.JoinRoom("x");
        question = await client.MessageAsync("c", "join_room");
        Assert.Equal("[\"x\"]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), A(new JsonObject { ["ok"] = false, ["members"] = 7, ["error"] = "full" }));
        Assert.Equal(new JoinResult(false, 7, "full"), await joined.WaitAsync(TimeSpan.FromSeconds(10)));

        var timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(() =>
            socket.Timeout(TimeSpan.FromMilliseconds(200)).Emit.CountUp(0).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("count_up", timeout.EventName);
    }

    [Fact]
    public async Task Strict_broadcasts_and_broadcast_acks_work_without_reflection()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/").OnConnection(socket => h.Record("socket", socket.Id)));
        await using var client = await StrictDriver.StartAsync();
        await client.ConnectAsync("a", host.Url(), autoAck: new JsonObject { ["count_up"] = A(2) });
        await client.ConnectAsync("b", host.Url(), autoAck: new JsonObject { ["count_up"] = A(3) });
        await client.ConnectAsync("silent", host.Url("/"));
        await host.NextAsync("socket");
        await host.NextAsync("socket");
        await host.NextAsync("socket");
        var nsp = host.Io.Of<IStrictEvents, IStrictEvents>("/");

        nsp.Emit.SendFile(new FileBlob("all.bin", [0xFF]));
        foreach (string id in new[] { "a", "b", "silent" })
        {
            Assert.Equal("[{\"name\":\"all.bin\",\"content\":{\"$binary\":\"/w==\"}}]", Args(await client.MessageAsync(id, "send_file")));
        }

        var timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(() =>
            nsp.Timeout(TimeSpan.FromMilliseconds(500)).EmitWithAck.CountUp(1).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("count_up", timeout.EventName);
        Assert.Equal([2, 3], Assert.IsAssignableFrom<IReadOnlyList<int>>(timeout.PartialResponses).Order().ToArray());

        JsonElement question = await client.MessageAsync("silent", "count_up");
        await client.SendAckAsync("silent", question.GetProperty("ackId").GetInt64(), A(4));
        await client.DisconnectAsync("silent");
        await Wait.UntilAsync(() => nsp.Sockets.Count == 2);

        IReadOnlyList<int> answers = await nsp.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.CountUp(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([2, 3], answers.Order().ToArray());
    }

    [Fact]
    public async Task Connection_refusals_reach_the_client_without_reflection()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/").Use((socket, next) =>
            {
                string token = socket.Handshake.Auth.ValueKind == JsonValueKind.Object && socket.Handshake.Auth.TryGetProperty("token", out JsonElement t) ? t.GetString() ?? "" : "";
                return token switch
                {
                    "ok" => next(),
                    "typed" => throw new ConnectionRejectedException("not authorized", new JoinResult(false, 0, "banned")),
                    _ => throw new ConnectionRejectedException("not authorized"),
                };
            }),
            // Error data is serialized with the server's options: give them the metadata of its type.
            options: o => o.JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = StrictJsonContext.Default });
        await using var client = await StrictDriver.StartAsync();

        await client.SendConnectAsync("plain", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["token"] = "nope" } });
        JsonElement plain = await client.EventAsync("connect_error", "plain");
        Assert.Equal(("not authorized", "null"), (plain.GetProperty("message").GetString(), plain.GetProperty("data").GetRawText()));

        await client.SendConnectAsync("typed", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["token"] = "typed" } });
        JsonElement typed = await client.EventAsync("connect_error", "typed");
        Assert.Equal(("not authorized", "{\"ok\":false,\"members\":0,\"error\":\"banned\"}"), (typed.GetProperty("message").GetString(), typed.GetProperty("data").GetRawText()));

        await client.ConnectAsync("ok", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["token"] = "ok" } });
        Assert.Single(host.Io.Sockets.Sockets);
    }

    [Fact]
    public async Task A_socket_io_client_2_client_uses_the_strict_contract_too()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/legacy").OnConnection(socket =>
            {
                socket.On.CountUp(value => value * 2);
                socket.On.SendFile(file => h.Record("file", $"{file.Name} {Convert.ToHexString(file.Content)}"));
                socket.Emit.SendMessage(new ChatMessage("r", "bob", "welcome", At));
            }));
        await using var client = await StrictDriver.StartAsync();
        await client.ConnectAsync("v2", host.Url("/legacy"), version: 2);

        Assert.Equal("[{\"room\":\"r\",\"author\":\"bob\",\"text\":\"welcome\",\"at\":\"2026-01-02T03:04:05+00:00\"}]", Args(await client.MessageAsync("v2", "send_message")));
        Assert.Equal("[42]", await client.EmitWithAckAsync("v2", "count_up", A(21)));
        await client.EmitAsync("v2", "send_file", A(new JsonObject { ["name"] = "old.bin", ["content"] = StrictDriver.Bin(7, 8) }));
        Assert.Equal("old.bin 0708", await host.NextAsync("file"));
    }

    [Fact]
    public async Task A_contract_without_a_serializer_context_fails_at_registration_and_the_socket_stays_usable()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/loose").OnConnection(socket =>
            {
                h.Record("on", Record(() => socket.On.Join(room => new JoinResult(true, 1))));
                h.Record("emit", Record(() => socket.Emit.UserJoined("ann", 1)));
            }));
        await using var client = await StrictDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/loose"));

        Assert.StartsWith("NotSupportedException", await host.NextAsync("on"));
        Assert.StartsWith("NotSupportedException", await host.NextAsync("emit"));
        Assert.Equal(0, client.Node.Count("message", "c"));

        static string Record(Action action)
        {
            try
            {
                action();
                return "no exception";
            }
            catch (Exception ex)
            {
                return $"{ex.GetType().Name}: {ex.Message}";
            }
        }
    }

    [Fact]
    public async Task A_contract_without_a_serializer_context_says_how_to_fix_it()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/loose").OnConnection(socket =>
            {
                try
                {
                    socket.On.Join(room => new JoinResult(true, 1));
                    h.Record("on", "no exception");
                }
                catch (NotSupportedException ex)
                {
                    h.Record("on", ex.Message);
                }
            }));
        await using var client = await StrictDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/loose"));

        string message = await host.NextAsync("on");
        Assert.Contains("No JSON metadata for System.String", message);
        Assert.Contains("JsonSerializerContext", message);
    }

    [Fact]
    public async Task A_refusal_whose_data_the_options_cannot_serialize_still_reaches_the_client()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IStrictEvents, IStrictEvents>("/").Use((socket, next) =>
                throw new ConnectionRejectedException("not authorized", socket.Handshake.Auth.GetProperty("data").GetString() == "text" ? "try later" : new JoinResult(false, 0))));
        await using var client = await StrictDriver.StartAsync();

        // A string needs no application metadata (the server's own context knows it).
        await client.SendConnectAsync("text", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["data"] = "text" } });
        JsonElement text = await client.EventAsync("connect_error", "text");
        Assert.Equal(("not authorized", "\"try later\""), (text.GetProperty("message").GetString(), text.GetProperty("data").GetRawText()));

        // Data of a type the options do not know: the refusal itself still arrives.
        await client.SendConnectAsync("typed", host.Url(), new JsonObject { ["auth"] = new JsonObject { ["data"] = "typed" } });
        JsonElement typed = await client.EventAsync("connect_error", "typed");
        Assert.Equal("not authorized", typed.GetProperty("message").GetString());
        Assert.Empty(host.Io.Sockets.Sockets);
    }
}
