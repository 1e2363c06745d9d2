using System.Text.Json;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>Generated typed code on our server, seen from the official socket.io-client 4.8.</summary>
public sealed class TypedServerInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    [Fact]
    public async Task Typed_handlers_receive_decoded_arguments_and_their_results_are_the_acks()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.On.Join(room => new JoinResult(true, 3));
                socket.On.Message(m => h.Record("message", $"{m.Room}|{m.Author}|{m.Text}|{m.At:O}"));
                socket.On.Typing(t => h.Record("typing", t.ToString()));
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        int seq = await client.EmitAsync("c", "join", ["lobby"], ack: true, timeout: 5000);
        Assert.Equal("[{\"ok\":true,\"members\":3,\"error\":null}]", Args(await client.AckAsync("c", seq)));

        await client.EmitAsync("c", "message", [new { room = "lobby", author = "ann", text = "hi", at = "2026-11-22T10:00:00+00:00" }]);
        Assert.Equal("lobby|ann|hi|2026-11-22T10:00:00.0000000+00:00", await host.NextAsync("message"));

        await client.EmitAsync("c", "typing", [true]);
        Assert.Equal("True", await host.NextAsync("typing"));
    }

    [Fact]
    public async Task Typed_emits_use_the_exact_wire_names_payload_shapes_and_attachments()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.Emit.NewMessage(new ChatMessage("r", "bob", "yo", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
                socket.Emit.UserJoined("bob", 2);
                socket.Emit.FileReady(new FileBlob("a.bin", [1, 2]), [3]);
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        Assert.Equal("[{\"room\":\"r\",\"author\":\"bob\",\"text\":\"yo\",\"at\":\"2026-01-02T03:04:05+00:00\"}]", Args(await client.MessageAsync("c", "new-message")));
        Assert.Equal("[\"bob\",2]", Args(await client.MessageAsync("c", "user joined")));
        Assert.Equal("[{\"name\":\"a.bin\",\"content\":{\"$binary\":\"AQI=\"}},{\"$binary\":\"Aw==\"}]", Args(await client.MessageAsync("c", "file-ready")));
    }

    [Fact]
    public async Task Typed_ack_emits_await_the_typed_answer_and_time_out_clearly()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(async socket =>
            {
                bool read = await socket.Timeout(TimeSpan.FromSeconds(5)).Emit.ConfirmRead(Guid.Empty);
                h.Record("read", read.ToString());
                try
                {
                    await socket.Timeout(TimeSpan.FromMilliseconds(200)).Emit.ConfirmRead(Guid.Empty);
                }
                catch (SocketIoTimeoutException ex)
                {
                    h.Record("timeout", ex.Message);
                }
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        JsonElement question = await client.MessageAsync("c", "confirm-read");
        Assert.Equal("[\"00000000-0000-0000-0000-000000000000\"]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), true);
        Assert.Equal("True", await host.NextAsync("read"));
        Assert.Contains("\"confirm-read\"", await host.NextAsync("timeout"));
    }

    [Fact]
    public async Task Wrong_argument_count_or_type_is_rejected_with_an_error_ack_and_the_connection_stays()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
                socket.On.Join(room => new JoinResult(true, 1))));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        int seq = await client.EmitAsync("c", "join", [], ack: true, timeout: 5000);
        string ack = Args(await client.AckAsync("c", seq));
        Assert.Contains("\"error\":\"invalid arguments\"", ack);
        Assert.Contains("expected 1 argument, got 0", ack);

        seq = await client.EmitAsync("c", "join", [new { not = "a string" }], ack: true, timeout: 5000);
        Assert.Contains("argument 1 (room) is invalid", Args(await client.AckAsync("c", seq)));

        seq = await client.EmitAsync("c", "join", ["ok"], ack: true, timeout: 5000);
        Assert.Equal("[{\"ok\":true,\"members\":1,\"error\":null}]", Args(await client.AckAsync("c", seq)));
    }
}
