using System.Text.Json;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>
/// Typed emits from every target (socket, socket with flags, broadcasts) and typed broadcasts with
/// acknowledgements, as the official socket.io-client 4.8 receives them.
/// </summary>
public sealed class TypedEmitInteropTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly Guid MessageId = Guid.Parse("6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f40");

    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    private static string MessageJson(string text) =>
        $"[{{\"room\":\"r\",\"author\":\"bob\",\"text\":\"{text}\",\"at\":\"2026-01-02T03:04:05+00:00\"}}]";

    /// <summary>A host whose "/" namespace joins each socket to the rooms listed in its auth payload (before CONNECT).</summary>
    private static Task<SocketIoTestHost> StartAsync(TypedSockets<IClientEvents, IServerEvents> sockets) =>
        SocketIoTestHost.StartAsync((io, h) => io.Of<IClientEvents, IServerEvents>("/")
            .Use(async (socket, next) =>
            {
                if (socket.Handshake.Auth.ValueKind == JsonValueKind.Object && socket.Handshake.Auth.TryGetProperty("rooms", out JsonElement rooms))
                {
                    foreach (JsonElement room in rooms.EnumerateArray())
                    {
                        await socket.Join(room.GetString()!);
                    }
                }

                await next();
            })
            .OnConnection(sockets.Add));

    private static object Options(params string[] rooms) => new { auth = new { rooms }, transports = new[] { "websocket" } };

    [Fact]
    public async Task Typed_emits_reach_exactly_the_targeted_clients()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await StartAsync(sockets);
        await using var client = await SioDriver.StartAsync();
        string a = await client.ConnectAsync("a", host.Url(), Options("r1"));
        string b = await client.ConnectAsync("b", host.Url(), Options("r1", "r2"));
        string c = await client.ConnectAsync("c", host.Url(), Options());
        Socket<IClientEvents, IServerEvents> socketA = await sockets.GetAsync(a);
        Socket<IClientEvents, IServerEvents> socketB = await sockets.GetAsync(b);
        Socket<IClientEvents, IServerEvents> socketC = await sockets.GetAsync(c);
        var nsp = host.Io.Of<IClientEvents, IServerEvents>("/");

        // Volatile: delivered to an idle client (a busy transport may drop it, so it goes alone, once
        // the transport has finished writing the CONNECT answer).
        await Wait.UntilAsync(() => socketC.Untyped.Conn.IsWritable);
        socketC.Volatile.Emit.UserJoined("volatile", 1);
        Assert.Equal("[\"volatile\",1]", Args(await client.MessageAsync("c", "user joined")));

        nsp.To("r1").Except("r2").Emit.NewMessage(new ChatMessage("r", "bob", "r1 but not r2", At)); // a
        socketA.Broadcast.Emit.UserJoined("ann", 3);                                                  // b, c
        nsp.Emit.NewMessage(new ChatMessage("r", "bob", "everyone", At));                             // a, b, c
        socketB.To("r1").Emit.FileReady(new FileBlob("f", [9]), [8]);                                 // a (b excluded: it is the sender)
        nsp.In("r2").Except(c).Emit.UserJoined("r2 only", 2);                                         // b
        socketA.Timeout(TimeSpan.FromSeconds(1)).Emit.NewMessage(new ChatMessage("r", "bob", "direct", At)); // a; the timeout does not matter without ack
        nsp.Emit.UserJoined("end", 0);                                                                // a, b, c: the last one

        Assert.Equal(MessageJson("r1 but not r2"), Args(await client.MessageAsync("a", "new-message")));
        Assert.Equal(MessageJson("everyone"), Args(await client.MessageAsync("a", "new-message")));
        Assert.Equal("[{\"name\":\"f\",\"content\":{\"$binary\":\"CQ==\"}},{\"$binary\":\"CA==\"}]", Args(await client.MessageAsync("a", "file-ready")));
        Assert.Equal(MessageJson("direct"), Args(await client.MessageAsync("a", "new-message")));
        Assert.Equal("[\"end\",0]", Args(await client.MessageAsync("a", "user joined")));

        Assert.Equal("[\"ann\",3]", Args(await client.MessageAsync("b", "user joined")));
        Assert.Equal(MessageJson("everyone"), Args(await client.MessageAsync("b", "new-message")));
        Assert.Equal("[\"r2 only\",2]", Args(await client.MessageAsync("b", "user joined")));
        Assert.Equal("[\"end\",0]", Args(await client.MessageAsync("b", "user joined")));

        Assert.Equal("[\"ann\",3]", Args(await client.MessageAsync("c", "user joined")));
        Assert.Equal(MessageJson("everyone"), Args(await client.MessageAsync("c", "new-message")));
        Assert.Equal("[\"end\",0]", Args(await client.MessageAsync("c", "user joined")));

        // Every client has seen "end", the last emit: nothing else reached anyone.
        Assert.Equal((3, 1, 1), (client.CountMessages("a", "new-message"), client.CountMessages("a", "user joined"), client.CountMessages("a", "file-ready")));
        Assert.Equal((1, 3, 0), (client.CountMessages("b", "new-message"), client.CountMessages("b", "user joined"), client.CountMessages("b", "file-ready")));
        Assert.Equal((1, 3, 0), (client.CountMessages("c", "new-message"), client.CountMessages("c", "user joined"), client.CountMessages("c", "file-ready")));
    }

    [Fact]
    public async Task Typed_socket_emits_with_acks_decode_answers_time_out_and_cancel()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await StartAsync(sockets);
        await using var client = await SioDriver.StartAsync();
        Socket<IClientEvents, IServerEvents> socket = await sockets.GetAsync(await client.ConnectAsync("c", host.Url(), Options()));

        // ValueTask<string>, with the CancellationToken kept off the wire.
        Task<string> name = socket.Timeout(TimeSpan.FromSeconds(10)).Emit.AskName(CancellationToken.None).AsTask();
        JsonElement question = await client.MessageAsync("c", "ask-name");
        Assert.Equal("[]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "zoe");
        Assert.Equal("zoe", await name.WaitAsync(TimeSpan.FromSeconds(10)));

        // Task: completes on an empty acknowledgement; no timeout needed.
        Task notice = socket.Emit.Notice("maintenance at 5");
        question = await client.MessageAsync("c", "notice");
        Assert.Equal("[\"maintenance at 5\"]", Args(question));
        Assert.False(notice.IsCompleted);
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64());
        await notice.WaitAsync(TimeSpan.FromSeconds(10));

        // Task<bool> through flags combined: Timeout then Volatile.
        Task<bool> read = socket.Timeout(TimeSpan.FromSeconds(10)).Volatile.Emit.ConfirmRead(MessageId);
        question = await client.MessageAsync("c", "confirm-read");
        Assert.Equal("[\"6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f40\"]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), true);
        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(10)));

        // An answer of the wrong type fails the emit clearly.
        read = socket.Timeout(TimeSpan.FromSeconds(10)).Emit.ConfirmRead(MessageId);
        question = await client.MessageAsync("c", "confirm-read");
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "yes");
        SocketIoException wrong = await Assert.ThrowsAsync<SocketIoException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("\"confirm-read\"", wrong.Message);

        // Timeout: the exception names the event.
        var timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(() =>
            socket.Timeout(TimeSpan.FromMilliseconds(200)).Emit.AskName(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("ask-name", timeout.EventName);
        JsonElement unanswered = await client.MessageAsync("c", "ask-name");

        // The contract's CancellationToken cancels the wait; a late answer is then ignored.
        using var cts = new CancellationTokenSource();
        Task<string> cancelled = socket.Emit.AskName(cts.Token).AsTask();
        question = await client.MessageAsync("c", "ask-name");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), "late");
        await client.SendAckAsync("c", unanswered.GetProperty("ackId").GetInt64(), "later");

        socket.Emit.UserJoined("still connected", 1);
        Assert.Equal("[\"still connected\",1]", Args(await client.MessageAsync("c", "user joined")));
        Assert.Equal(0, client.Node.Count("disconnect", "c"));
    }

    [Fact]
    public async Task Typed_broadcast_with_acks_gives_one_typed_answer_per_client()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await StartAsync(sockets);
        await using var client = await SioDriver.StartAsync();
        string a = await client.ConnectAsync("a", host.Url(), Options("r1"), autoAck: new Dictionary<string, object>
        {
            ["confirm-read"] = new object[] { true },
            ["ask-name"] = new object[] { "ann" },
            ["notice"] = Array.Empty<object>(),
        });
        string b = await client.ConnectAsync("b", host.Url(), Options("r1"), autoAck: new Dictionary<string, object>
        {
            ["confirm-read"] = new object[] { false },
            ["ask-name"] = new object[] { "bob" },
            ["notice"] = Array.Empty<object>(),
        });
        var nsp = host.Io.Of<IClientEvents, IServerEvents>("/");
        TimeSpan limit = TimeSpan.FromSeconds(10);

        IReadOnlyList<bool> reads = await nsp.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.ConfirmRead(MessageId).WaitAsync(limit);
        Assert.Equal([false, true], reads.Order().ToArray());
        foreach (string id in new[] { "a", "b" })
        {
            JsonElement seen = await client.MessageAsync(id, "confirm-read");
            Assert.Equal("[\"6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f40\"]", Args(seen));
            Assert.True(seen.GetProperty("autoAck").GetBoolean());
        }

        IReadOnlyList<string> names = await nsp.To("r1").Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.AskName().WaitAsync(limit);
        Assert.Equal(["ann", "bob"], names.Order(StringComparer.Ordinal).ToArray());

        Assert.Equal(2, await nsp.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.Notice("hello").WaitAsync(limit));
        Assert.Equal("[\"hello\"]", Args(await client.MessageAsync("b", "notice")));

        // From a socket: every other socket answers.
        Socket<IClientEvents, IServerEvents> socketB = await sockets.GetAsync(b);
        IReadOnlyList<bool> others = await socketB.Broadcast.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.ConfirmRead(MessageId).WaitAsync(limit);
        Assert.Equal([true], others.ToArray());
        IReadOnlyList<bool> exceptA = await nsp.Except(a).Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.ConfirmRead(MessageId).WaitAsync(limit);
        Assert.Equal([false], exceptA.ToArray());

        // Nobody targeted: completes at once, empty.
        Assert.Empty(await nsp.To("nobody").Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.ConfirmRead(MessageId).WaitAsync(limit));
    }

    [Fact]
    public async Task Typed_broadcast_ack_timeout_carries_the_typed_answers_that_arrived()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await StartAsync(sockets);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("a", host.Url(), Options(), autoAck: new Dictionary<string, object> { ["confirm-read"] = new object[] { true } });
        await client.ConnectAsync("silent", host.Url(), Options());
        var nsp = host.Io.Of<IClientEvents, IServerEvents>("/");

        var timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(() =>
            nsp.Timeout(TimeSpan.FromMilliseconds(500)).EmitWithAck.ConfirmRead(MessageId).WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("confirm-read", timeout.EventName);
        IReadOnlyList<bool> partial = Assert.IsAssignableFrom<IReadOnlyList<bool>>(timeout.PartialResponses);
        Assert.Equal([true], partial.ToArray());

        // The silent client did get the question; its late answer goes nowhere and breaks nothing.
        JsonElement question = await client.MessageAsync("silent", "confirm-read");
        await client.SendAckAsync("silent", question.GetProperty("ackId").GetInt64(), false);
        nsp.Emit.UserJoined("after", 2);
        Assert.Equal("[\"after\",2]", Args(await client.MessageAsync("silent", "user joined")));
        Assert.Equal("[\"after\",2]", Args(await client.MessageAsync("a", "user joined")));
    }

    [Fact]
    public async Task Acknowledged_events_need_EmitWithAck_and_a_timeout_on_broadcasts()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await StartAsync(sockets);
        await using var client = await SioDriver.StartAsync();
        Socket<IClientEvents, IServerEvents> socket = await sockets.GetAsync(await client.ConnectAsync("c", host.Url(), Options("r1")));
        var nsp = host.Io.Of<IClientEvents, IServerEvents>("/");

        // Broadcast acks without Timeout(...): thrown at the call, nothing sent.
        var noTimeout = Assert.Throws<InvalidOperationException>(() => { _ = nsp.To("r1").EmitWithAck.ConfirmRead(MessageId); });
        Assert.Contains("Timeout", noTimeout.Message);
        Assert.Throws<InvalidOperationException>(() => { _ = nsp.Local.EmitWithAck.Notice("x"); });
        Assert.Throws<InvalidOperationException>(() => { _ = socket.Broadcast.EmitWithAck.AskName(); });

        // Events that expect an ack, through a broadcast's Emit: thrown at the call, nothing sent.
        var throughEmit = Assert.Throws<InvalidOperationException>(() => { _ = nsp.Emit.ConfirmRead(MessageId); });
        Assert.Contains("\"confirm-read\"", throughEmit.Message);
        Assert.Contains("EmitWithAck", throughEmit.Message);
        Assert.Throws<InvalidOperationException>(() => { _ = nsp.To("r1").Timeout(TimeSpan.FromSeconds(1)).Emit.Notice("x"); });
        Assert.Throws<InvalidOperationException>(() => { _ = nsp.Volatile.Emit.AskName(CancellationToken.None); });

        // The same typed emitter keeps working for events without ack.
        nsp.Emit.UserJoined("end", 1);
        Assert.Equal("[\"end\",1]", Args(await client.MessageAsync("c", "user joined")));
        Assert.Equal(0, client.CountMessages("c", "confirm-read") + client.CountMessages("c", "notice") + client.CountMessages("c", "ask-name"));
    }
}
