using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>
/// Class-based handlers (<c>nsp.AddHandler&lt;THandler&gt;()</c>): one instance per connection,
/// built from a service scope that lives as long as the socket, driven by socket.io-client 4.8.
/// </summary>
public sealed class ClassHandlerInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    private static async Task<string> EmitWithAckAsync(SioDriver client, string id, string eventName, params object?[] args)
    {
        int seq = await client.EmitAsync(id, eventName, args, ack: true, timeout: 5000);
        JsonElement ack = await client.AckAsync(id, seq);
        Assert.True(ack.GetProperty("event").GetString() == "ack", ack.GetRawText());
        return Args(ack);
    }

    [Fact]
    public async Task Each_connection_gets_its_own_handler_with_injected_services_and_its_scope_ends_with_the_socket()
    {
        var audit = new ChatAudit();
        await using var host = await SocketIoTestHost.StartAsync(
            (io, _) => io.Of<IClientEvents, IServerEvents>("/").AddHandler<ChatHandler>(),
            configureBuilder: b => b.Services.AddSingleton(audit).AddScoped<ConnectionScope>());
        audit.Host = host;
        await using var client = await SioDriver.StartAsync();
        string a = await client.ConnectAsync("a", host.Url());
        string b = await client.ConnectAsync("b", host.Url());

        // join: the handler joins the room, emits to its own socket, answers with its instance number.
        string joinA = await EmitWithAckAsync(client, "a", "join", "lobby");
        string joinB = await EmitWithAckAsync(client, "b", "join", "lobby");
        Assert.Equal(joinA, await EmitWithAckAsync(client, "a", "join", "lobby")); // same instance for the same connection
        Assert.NotEqual(joinA, joinB);
        Assert.Equal($"[\"{a}\",2]", Args(await client.MessageAsync("a", "user joined"))); // its own id and "lobby"
        Assert.Equal($"[\"{b}\",2]", Args(await client.MessageAsync("b", "user joined")));
        Assert.Equal(2, audit.Handlers);
        string createdA = await host.NextAsync("created " + a);
        string createdB = await host.NextAsync("created " + b);
        Assert.NotEqual(createdA, createdB); // distinct scopes

        // Every event of the contract reaches the class, the inherited one included.
        await client.EmitAsync("a", "message", [new { room = "lobby", author = "ann", text = "hi", at = "2026-11-22T10:00:00+00:00" }]);
        Assert.Equal("ann: hi", await host.NextAsync("message " + a));
        await client.EmitAsync("a", "typing", [true]);
        Assert.Equal("True", await host.NextAsync("typing " + a));
        Assert.Equal("[1002]", await EmitWithAckAsync(client, "a", "upload file", "f.bin", SioDriver.Bin(7), SioDriver.Bin(1, 2)));
        Assert.Equal("[{\"items\":[{\"room\":\"lobby\",\"author\":\"server\",\"text\":\"page 4\",\"at\":\"2026-01-01T00:00:00+00:00\"}],\"total\":40}]",
            await EmitWithAckAsync(client, "a", "history", "lobby", 4));
        Assert.Equal("[]", await EmitWithAckAsync(client, "a", "ping"));
        Assert.Equal("[{\"$binary\":\"BQY=\"}]", await EmitWithAckAsync(client, "a", "echo", SioDriver.Bin(5, 6)));

        // Disconnecting a ends a's scope, not b's.
        await client.DisconnectAsync("a");
        Assert.Equal(createdA, await host.NextAsync("scope disposed"));
        Assert.Equal(joinB, await EmitWithAckAsync(client, "b", "join", "lobby"));
        Assert.Equal(1, host.Count("scope disposed"));

        await client.DisconnectAsync("b");
        Assert.Equal(createdB, await host.NextAsync("scope disposed"));
        Assert.Equal(2, audit.Handlers);
    }

    [Fact]
    public async Task A_handler_registered_as_a_scoped_service_is_resolved_and_disposed_with_the_connection()
    {
        var audit = new ChatAudit();
        await using var host = await SocketIoTestHost.StartAsync(
            (io, _) => io.Of<IClientEvents, IServerEvents>("/").AddHandler<ScopedChatHandler>(),
            configureBuilder: b => b.Services.AddSingleton(audit).AddScoped<ScopedChatHandler>());
        audit.Host = host;
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        Assert.Equal("[{\"ok\":true,\"members\":1,\"error\":null}]", await EmitWithAckAsync(client, "c", "join", "x"));
        await client.EmitAsync("c", "typing", [false]);
        Assert.Equal("False", await host.NextAsync("scoped typing"));

        await client.DisconnectAsync("c");
        Assert.Equal("1", await host.NextAsync("scoped handler disposed"));
    }

    /// <summary>Shared by every connection (a singleton): counts handlers and scopes, records what they see.</summary>
    public sealed class ChatAudit
    {
        private int _handlers;
        private int _scopes;

        public SocketIoTestHost? Host { get; set; }

        public int Handlers => Volatile.Read(ref _handlers);

        public int NextHandler() => Interlocked.Increment(ref _handlers);

        public int NextScope() => Interlocked.Increment(ref _scopes);

        public void Record(string kind, string detail) => (Host ?? throw new InvalidOperationException("Host not set.")).Record(kind, detail);
    }

    /// <summary>A scoped service: one per connection, disposed with the connection's scope.</summary>
    public sealed class ConnectionScope(ChatAudit audit) : IDisposable
    {
        public int Id { get; } = audit.NextScope();

        public void Dispose() => audit.Record("scope disposed", Id.ToString());
    }

    /// <summary>A class-based handler with its socket (from the base class) and constructor-injected services.</summary>
    public sealed class ChatHandler : SocketHandler<IClientEvents, IServerEvents>, IClientEvents
    {
        private readonly ChatAudit _audit;
        private readonly ConnectionScope _scope;
        private readonly int _instance;
        private bool _announced;

        public ChatHandler(ChatAudit audit, ConnectionScope scope)
        {
            _audit = audit;
            _scope = scope;
            _instance = audit.NextHandler();
        }

        public async Task<JoinResult> Join(string room)
        {
            if (!_announced)
            {
                _announced = true;
                _audit.Record("created " + Socket.Id, _scope.Id.ToString());
            }

            await Socket.Join(room);
            Socket.Emit.UserJoined(Socket.Id, Socket.Rooms.Count); // through the handler's own typed socket
            return new JoinResult(true, _instance);
        }

        public void Message(ChatMessage message) => _audit.Record("message " + Socket.Id, $"{message.Author}: {message.Text}");

        public Task<int> Upload(string name, byte[] content, ReadOnlyMemory<byte> checksum) => Task.FromResult(content.Length * 1000 + checksum.Length);

        public async Task<Page<ChatMessage>> History(string room, int page, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken);
            return new Page<ChatMessage>([new ChatMessage(room, "server", $"page {page}", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))], page * 10);
        }

        public ValueTask Ping() => ValueTask.CompletedTask;

        public Task<byte[]> Echo(byte[] data) => Task.FromResult(data);

        public void Typing(bool isTyping) => _audit.Record("typing " + Socket.Id, isTyping.ToString());
    }

    /// <summary>A handler that does not derive from SocketHandler, registered as a scoped service.</summary>
    public sealed class ScopedChatHandler(ChatAudit audit) : IClientEvents, IAsyncDisposable
    {
        private readonly int _instance = audit.NextHandler();

        public Task<JoinResult> Join(string room) => Task.FromResult(new JoinResult(true, _instance));

        public void Message(ChatMessage message)
        {
        }

        public Task<int> Upload(string name, byte[] content, ReadOnlyMemory<byte> checksum) => Task.FromResult(0);

        public Task<Page<ChatMessage>> History(string room, int page, CancellationToken cancellationToken) => Task.FromResult(new Page<ChatMessage>([], 0));

        public ValueTask Ping() => ValueTask.CompletedTask;

        public Task<byte[]> Echo(byte[] data) => Task.FromResult(data);

        public void Typing(bool isTyping) => audit.Record("scoped typing", isTyping.ToString());

        public ValueTask DisposeAsync()
        {
            audit.Record("scoped handler disposed", _instance.ToString());
            return ValueTask.CompletedTask;
        }
    }
}
