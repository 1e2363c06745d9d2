using System.Text.Json;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>
/// Typed handlers (<c>socket.On.X(handler)</c>) fed by the official socket.io-client 4.8: every
/// return kind in its synchronous and asynchronous form, binary, cancellation, generic payloads,
/// inherited events, removal and failures.
/// </summary>
public sealed class TypedHandlerInteropTests
{
    private static readonly object Message = new { room = "lobby", author = "ann", text = "hi", at = "2026-11-22T10:00:00+00:00" };

    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    private static async Task<string> EmitWithAckAsync(SioDriver client, string eventName, params object?[] args)
    {
        int seq = await client.EmitAsync("c", eventName, args, ack: true, timeout: 5000);
        JsonElement ack = await client.AckAsync("c", seq);
        Assert.True(ack.GetProperty("event").GetString() == "ack", ack.GetRawText());
        return Args(ack);
    }

    [Fact]
    public async Task Every_return_kind_of_the_client_contract_answers_through_sync_and_async_handlers()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of<IClientEvents, IServerEvents>("/").OnConnection(sockets.Add));
        await using var client = await SioDriver.StartAsync();
        Socket<IClientEvents, IServerEvents> socket = await sockets.GetAsync(await client.ConnectAsync("c", host.Url()));

        // Synchronous overloads.
        IDisposable[] registrations =
        [
            socket.On.Join(room => new JoinResult(true, room.Length)),                                  // Task<T>
            socket.On.Ping(() => host.Record("ping", "sync")),                                          // ValueTask
            socket.On.Message(m => host.Record("message", $"sync {m.Author}: {m.Text} {m.At:O}")),      // void
            socket.On.Typing(isTyping => host.Record("typing", $"sync {isTyping}")),                    // void, inherited from IClientBasics
            socket.On.History((room, page, _) => new Page<ChatMessage>([new ChatMessage(room, "sys", $"page {page}", default)], 1)),
        ];

        Assert.Equal("[{\"ok\":true,\"members\":5,\"error\":null}]", await EmitWithAckAsync(client, "join", "lobby"));
        Assert.Equal("[]", await EmitWithAckAsync(client, "ping"));
        Assert.Equal("sync", await host.NextAsync("ping"));
        await client.EmitAsync("c", "message", [Message]);
        Assert.Equal("sync ann: hi 2026-11-22T10:00:00.0000000+00:00", await host.NextAsync("message"));
        await client.EmitAsync("c", "typing", [true]);
        Assert.Equal("sync True", await host.NextAsync("typing"));
        Assert.Equal("[{\"items\":[{\"room\":\"lobby\",\"author\":\"sys\",\"text\":\"page 2\",\"at\":\"0001-01-01T00:00:00+00:00\"}],\"total\":1}]",
            await EmitWithAckAsync(client, "history", "lobby", 2));

        foreach (IDisposable registration in registrations)
        {
            registration.Dispose();
        }

        // Asynchronous overloads, completing later than the call.
        registrations =
        [
            socket.On.Join(async room =>
            {
                await Task.Delay(20);
                return new JoinResult(false, 0, $"{room} is full");
            }),
            socket.On.Ping(async () =>
            {
                await Task.Delay(20);
                host.Record("ping", "async");
            }),
            socket.On.Message(async m =>
            {
                await Task.Yield();
                host.Record("message", $"async {m.Text}");
            }),
            socket.On.Typing(async isTyping =>
            {
                await Task.Yield();
                host.Record("typing", $"async {isTyping}");
            }),
            socket.On.History(async (room, page, cancellationToken) =>
            {
                await Task.Delay(20, cancellationToken);
                return new Page<ChatMessage>([], page * 10);
            }),
        ];

        Assert.Equal("[{\"ok\":false,\"members\":0,\"error\":\"lobby is full\"}]", await EmitWithAckAsync(client, "join", "lobby"));
        Assert.Equal("[]", await EmitWithAckAsync(client, "ping"));
        Assert.Equal("async", await host.NextAsync("ping"));
        await client.EmitAsync("c", "message", [Message]);
        Assert.Equal("async hi", await host.NextAsync("message"));
        await client.EmitAsync("c", "typing", [false]);
        Assert.Equal("async False", await host.NextAsync("typing"));
        Assert.Equal("[{\"items\":[],\"total\":30}]", await EmitWithAckAsync(client, "history", "lobby", 3));

        // Disposed handlers were not called again.
        Assert.Equal((2, 2, 2), (host.Count("ping"), host.Count("message"), host.Count("typing")));
    }

    [Fact]
    public async Task Task_and_ValueTask_of_T_handlers_of_the_reversed_contract_answer_and_read_nested_binary()
    {
        // The server listens to the events of IServerEvents: its Task, ValueTask<T> and binary-in-object events.
        var sockets = new TypedSockets<IServerEvents, IClientEvents>();
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of<IServerEvents, IClientEvents>("/reverse").OnConnection(sockets.Add));
        await using var client = await SioDriver.StartAsync();
        Socket<IServerEvents, IClientEvents> socket = await sockets.GetAsync(await client.ConnectAsync("c", host.Url("/reverse")));

        IDisposable[] registrations =
        [
            socket.On.Notice(text => host.Record("notice", "sync " + text)),                                           // Task
            socket.On.AskName(cancellationToken => $"sync {cancellationToken.CanBeCanceled}"),                          // ValueTask<T>
            socket.On.ConfirmRead(id => id == Guid.Empty),                                                              // Task<T>
            socket.On.UserJoined((name, online) => host.Record("user joined", $"{name} {online}")),                    // [Event("user joined")]
            socket.On.NewMessage(m => host.Record("new message", m.Text)),                                              // kebab-case wire name
            socket.On.FileReady((file, raw) => host.Record("file", $"{file.Name} {Convert.ToHexString(file.Content)} {Convert.ToHexString(raw)}")),
        ];

        Assert.Equal("[]", await EmitWithAckAsync(client, "notice", "hello"));
        Assert.Equal("sync hello", await host.NextAsync("notice"));
        Assert.Equal("[\"sync True\"]", await EmitWithAckAsync(client, "ask-name"));
        Assert.Equal("[true]", await EmitWithAckAsync(client, "confirm-read", "00000000-0000-0000-0000-000000000000"));
        Assert.Equal("[false]", await EmitWithAckAsync(client, "confirm-read", "6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f40"));
        await client.EmitAsync("c", "user joined", ["zoe", 4]);
        Assert.Equal("zoe 4", await host.NextAsync("user joined"));
        await client.EmitAsync("c", "new-message", [Message]);
        Assert.Equal("hi", await host.NextAsync("new message"));
        await client.EmitAsync("c", "file-ready", [new { name = "a.bin", content = SioDriver.Bin(1, 2, 3) }, SioDriver.Bin(0xFF)]);
        Assert.Equal("a.bin 010203 FF", await host.NextAsync("file"));
        await client.EmitAsync("c", "file-ready", [new { name = "empty.bin", content = SioDriver.Bin() }, SioDriver.Bin()]);
        Assert.Equal("empty.bin  ", await host.NextAsync("file"));

        foreach (IDisposable registration in registrations)
        {
            registration.Dispose();
        }

        registrations =
        [
            socket.On.Notice(async text =>
            {
                await Task.Delay(20);
                host.Record("notice", "async " + text);
            }),
            socket.On.AskName(async cancellationToken =>
            {
                await Task.Delay(20, cancellationToken);
                return "async";
            }),
            socket.On.ConfirmRead(async id =>
            {
                await Task.Yield();
                return id != Guid.Empty;
            }),
            socket.On.FileReady(async (file, raw) =>
            {
                await Task.Yield();
                host.Record("file", $"async {file.Name} {file.Content.Length + raw.Length}");
            }),
        ];

        Assert.Equal("[]", await EmitWithAckAsync(client, "notice", "again"));
        Assert.Equal("async again", await host.NextAsync("notice"));
        Assert.Equal("[\"async\"]", await EmitWithAckAsync(client, "ask-name"));
        Assert.Equal("[false]", await EmitWithAckAsync(client, "confirm-read", "00000000-0000-0000-0000-000000000000"));
        await client.EmitAsync("c", "file-ready", [new { name = "b.bin", content = SioDriver.Bin(1, 2) }, SioDriver.Bin(3)]);
        Assert.Equal("async b.bin 3", await host.NextAsync("file"));
    }

    [Fact]
    public async Task Binary_arguments_arrive_as_byte_arrays_and_memory_and_binary_results_are_binary_acks()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.On.Upload((name, content, checksum) =>
                {
                    h.Record("upload", $"{name} {Convert.ToHexString(content)} {Convert.ToHexString(checksum.Span)}");
                    return content.Length * 1000 + checksum.Length;
                });
                socket.On.Echo(data => data.Reverse().ToArray());
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        Assert.Equal("[3002]", await EmitWithAckAsync(client, "upload file", "a.bin", SioDriver.Bin(1, 2, 3), SioDriver.Bin(0xAB, 0xCD)));
        Assert.Equal("a.bin 010203 ABCD", await host.NextAsync("upload"));
        Assert.Equal("[0]", await EmitWithAckAsync(client, "upload file", "empty", SioDriver.Bin(), SioDriver.Bin()));
        Assert.Equal("empty  ", await host.NextAsync("upload"));

        // The JS side gets a real binary ack (the driver reports Buffers as {"$binary": ...}).
        Assert.Equal("[{\"$binary\":\"AwIB\"}]", await EmitWithAckAsync(client, "echo", SioDriver.Bin(1, 2, 3)));
        Assert.Equal("[{\"$binary\":\"\"}]", await EmitWithAckAsync(client, "echo", SioDriver.Bin()));

        // A string where binary is expected is rejected like any invalid argument.
        Assert.Contains("argument 1 (data) is invalid", await EmitWithAckAsync(client, "echo", "not binary"));
    }

    [Fact]
    public async Task Binary_result_of_an_async_handler_is_a_binary_ack_over_polling_too()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
                socket.On.Echo(async data =>
                {
                    await Task.Delay(10);
                    return [.. data, .. data];
                })));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url(), new { transports = new[] { "polling" } });

        Assert.Equal("[{\"$binary\":\"CQoJCg==\"}]", await EmitWithAckAsync(client, "echo", SioDriver.Bin(9, 10)));
    }

    [Fact]
    public async Task The_trailing_CancellationToken_is_cancelled_when_the_client_disconnects()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.Untyped.Disconnected += (_, reason, _) => h.Record("disconnect", reason);
                socket.On.History(async (room, page, cancellationToken) =>
                {
                    h.Record("history", $"{room} {page} {cancellationToken.CanBeCanceled} {cancellationToken.IsCancellationRequested}");
                    using CancellationTokenRegistration _ = cancellationToken.Register(() => h.Record("cancelled", room));
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        h.Record("stopped", room);
                        return new Page<ChatMessage>([], -1);
                    }

                    return new Page<ChatMessage>([], 0);
                });
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        int seq = await client.EmitAsync("c", "history", ["lobby", 1], ack: true);
        Assert.Equal("lobby 1 True False", await host.NextAsync("history"));
        await client.DisconnectAsync("c");

        // First whether the server saw the client go at all (a timeout here is not the token's),
        // then the token, cancelled before the disconnect event is raised.
        Assert.Equal("client namespace disconnect", await host.NextAsync("disconnect"));
        Assert.Equal("lobby", await host.NextAsync("cancelled"));
        Assert.Equal("lobby", await host.NextAsync("stopped"));
        Assert.Equal("io client disconnect", (await client.EventAsync("disconnect", "c")).GetProperty("reason").GetString());
        Assert.Equal(0, client.Node.Count("ack", "c", e => e.GetProperty("seq").GetInt32() == seq));
    }

    [Fact]
    public async Task Disposing_a_registration_removes_that_handler_only()
    {
        var sockets = new TypedSockets<IClientEvents, IServerEvents>();
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.On.Join(room => new JoinResult(true, 1)); // answers, so the client knows earlier events were dispatched
                sockets.Add(socket);
            }));
        await using var client = await SioDriver.StartAsync();
        Socket<IClientEvents, IServerEvents> socket = await sockets.GetAsync(await client.ConnectAsync("c", host.Url()));
        IDisposable first = socket.On.Typing(t => host.Record("first", t.ToString()));
        IDisposable second = socket.On.Typing(t => host.Record("second", t.ToString()));

        await client.EmitAsync("c", "typing", [true]);
        await EmitWithAckAsync(client, "join", "x");
        Assert.Equal((1, 1), (host.Count("first"), host.Count("second")));

        first.Dispose();
        first.Dispose(); // idempotent
        await client.EmitAsync("c", "typing", [false]);
        await EmitWithAckAsync(client, "join", "x");
        Assert.Equal((1, 2), (host.Count("first"), host.Count("second")));

        second.Dispose();
        await client.EmitAsync("c", "typing", [true]);
        await EmitWithAckAsync(client, "join", "x");
        Assert.Equal((1, 2), (host.Count("first"), host.Count("second")));
    }

    [Fact]
    public async Task A_throwing_or_faulting_typed_handler_is_logged_and_the_connection_stays_up()
    {
        var logs = new LogCapture();
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IClientEvents, IServerEvents>("/").OnConnection(socket =>
            {
                socket.On.Typing(_ => throw new InvalidOperationException("typing broke"));
                socket.On.Join(async room =>
                {
                    await Task.Yield();
                    if (room == "bad")
                    {
                        throw new InvalidOperationException("join faulted");
                    }

                    return new JoinResult(true, 2);
                });
                socket.On.Ping(() => throw new InvalidOperationException("ping broke"));
                socket.On.Typing(t => h.Record("typing", t.ToString())); // a later handler of the same event still runs
            }),
            configureBuilder: b => b.Logging.AddProvider(logs));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        await client.EmitAsync("c", "typing", [true]);
        Assert.Equal("True", await host.NextAsync("typing"));
        LogEntry typing = await logs.WaitForAsync(e => e.Exception?.Message == "typing broke");
        Assert.Equal((LogLevel.Error, 103), (typing.Level, typing.EventId));
        Assert.Contains("'typing'", typing.Message);

        // A faulted task: logged, no acknowledgement; the next event is served.
        int failed = await client.EmitAsync("c", "join", ["bad"], ack: true, timeout: 500);
        LogEntry join = await logs.WaitForAsync(e => e.Exception?.Message == "join faulted");
        Assert.Contains("'join'", join.Message);
        Assert.Equal("operation has timed out", (await client.AckAsync("c", failed)).GetProperty("message").GetString());
        Assert.Equal("[{\"ok\":true,\"members\":2,\"error\":null}]", await EmitWithAckAsync(client, "join", "good"));

        // A synchronous throw in a handler that owes an acknowledgement.
        int ping = await client.EmitAsync("c", "ping", [], ack: true, timeout: 500);
        Assert.Contains("'ping'", (await logs.WaitForAsync(e => e.Exception?.Message == "ping broke")).Message);
        Assert.Equal("operation has timed out", (await client.AckAsync("c", ping)).GetProperty("message").GetString());

        await client.EmitAsync("c", "typing", [false]);
        Assert.Equal("False", await host.NextAsync("typing"));
        Assert.Equal(0, client.Node.Count("disconnect", "c"));
        Assert.Single(host.Io.Sockets.Sockets);
    }
}
