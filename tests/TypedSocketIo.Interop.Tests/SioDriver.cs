using System.Text.Json;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>Thin helpers over socketio-driver.js (the official socket.io-client 4.8 and 2.5).</summary>
internal sealed class SioDriver : IAsyncDisposable
{
    private int _seq;

    private SioDriver(NodeDriver node) => Node = node;

    public NodeDriver Node { get; }

    public static async Task<SioDriver> StartAsync() => new(await NodeDriver.StartAsync("socketio-driver.js"));

    /// <summary>Connects and waits for connect; returns the socket id.</summary>
    public async Task<string> ConnectAsync(string id, string url, object? options = null, int version = 4, object? autoAck = null, string? manager = null, bool msgpack = false)
    {
        await SendConnectAsync(id, url, options, version, autoAck, manager, msgpack);
        JsonElement connect = await Node.NextAsync(e => (e.GetProperty("event").GetString() is "connect" or "connect_error" or "driver-error")
            && e.TryGetProperty("id", out JsonElement i) && i.GetString() == id);
        Assert.True(connect.GetProperty("event").GetString() == "connect", "connect_error: " + connect.GetRawText());
        return connect.GetProperty("sid").GetString()!;
    }

    /// <summary>Creates a socket (with socket.io-msgpack-parser when <paramref name="msgpack"/>) without waiting.</summary>
    public Task SendConnectAsync(string id, string url, object? options = null, int version = 4, object? autoAck = null, string? manager = null, bool msgpack = false) =>
        Node.SendAsync(WithoutNulls(new Dictionary<string, object?>
        {
            ["cmd"] = "connect",
            ["id"] = id,
            ["url"] = url,
            ["version"] = version,
            ["options"] = options ?? new { },
            ["autoAck"] = autoAck,
            ["manager"] = manager,
            ["msgpack"] = msgpack ? true : null,
        }));

    private static Dictionary<string, object?> WithoutNulls(Dictionary<string, object?> command) =>
        command.Where(static p => p.Value is not null).ToDictionary(static p => p.Key, static p => p.Value);

    /// <summary>Emits; returns the sequence number that ack/ack-error events carry.</summary>
    public async Task<int> EmitAsync(string id, string eventName, object?[] args, bool ack = false, int? timeout = null, bool isVolatile = false)
    {
        int seq = Interlocked.Increment(ref _seq);
        await Node.SendAsync(WithoutNulls(new Dictionary<string, object?>
        {
            ["cmd"] = "emit",
            ["id"] = id,
            ["event"] = eventName,
            ["args"] = args,
            ["ack"] = ack,
            ["timeout"] = timeout,
            ["volatile"] = isVolatile,
            ["seq"] = seq,
        }));
        return seq;
    }

    public Task<JsonElement> AckAsync(string id, int seq) =>
        Node.NextAsync(e => e.GetProperty("event").GetString() is "ack" or "ack-error" && e.GetProperty("id").GetString() == id && e.GetProperty("seq").GetInt32() == seq);

    /// <summary>The next event the server emitted to <paramref name="id"/> named <paramref name="name"/>.</summary>
    public Task<JsonElement> MessageAsync(string id, string name, TimeSpan? timeout = null) =>
        Node.NextAsync(e => e.GetProperty("event").GetString() == "message" && e.GetProperty("id").GetString() == id
            && e.GetProperty("name").GetString() == name, timeout);

    public Task<JsonElement> EventAsync(string eventName, string id) => Node.NextAsync(eventName, id);

    public Task SendAckAsync(string id, long ackId, params object?[] args) => Node.SendAsync(new { cmd = "ack", id, ackId, args });

    public Task DisconnectAsync(string id) => Node.SendAsync(new { cmd = "disconnect", id });

    public int CountMessages(string id, string name) =>
        Node.Count("message", id, e => e.GetProperty("name").GetString() == name);

    /// <summary>Binary in the driver's value encoding.</summary>
    public static object Bin(params byte[] bytes) => new Dictionary<string, string> { ["$binary"] = Convert.ToBase64String(bytes) };

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
