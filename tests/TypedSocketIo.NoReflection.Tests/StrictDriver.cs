using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Testing;

namespace TypedSocketIo.NoReflection.Tests;

/// <summary>
/// socketio-driver.js (the official socket.io-client 4.8) for a process whose System.Text.Json
/// reflection is off. Events are read through <see cref="SioDriver"/>; commands are built as
/// <see cref="JsonNode"/> objects.
/// </summary>
internal sealed class StrictDriver : IAsyncDisposable
{
    private readonly SioDriver _driver;
    private int _seq;

    private StrictDriver(SioDriver driver) => _driver = driver;

    public NodeDriver Node => _driver.Node;

    public static async Task<StrictDriver> StartAsync() => new(await SioDriver.StartAsync());

    /// <summary>Writes one command line to the driver.</summary>
    public Task SendAsync(JsonObject command) => Node.SendAsync(command);

    /// <summary>Connects and waits (bounded) for connect; returns the socket id.</summary>
    public async Task<string> ConnectAsync(string id, string url, JsonObject? options = null, JsonObject? autoAck = null, int version = 4)
    {
        await SendConnectAsync(id, url, options, autoAck, version);
        JsonElement connect = await Node.NextAsync(e => (e.GetProperty("event").GetString() is "connect" or "connect_error" or "driver-error")
            && e.TryGetProperty("id", out JsonElement i) && i.GetString() == id);
        Assert.True(connect.GetProperty("event").GetString() == "connect", "connect_error: " + connect.GetRawText());
        return connect.GetProperty("sid").GetString()!;
    }

    public Task SendConnectAsync(string id, string url, JsonObject? options = null, JsonObject? autoAck = null, int version = 4)
    {
        var command = new JsonObject { ["cmd"] = "connect", ["id"] = id, ["url"] = url, ["version"] = version, ["options"] = options ?? new JsonObject() };
        if (autoAck is not null)
        {
            command["autoAck"] = autoAck;
        }

        return SendAsync(command);
    }

    /// <summary>Emits; returns the sequence number that ack/ack-error events carry.</summary>
    public async Task<int> EmitAsync(string id, string eventName, JsonArray args, bool ack = false, int? timeout = null)
    {
        int seq = Interlocked.Increment(ref _seq);
        var command = new JsonObject { ["cmd"] = "emit", ["id"] = id, ["event"] = eventName, ["args"] = args, ["ack"] = ack, ["seq"] = seq };
        if (timeout is { } ms)
        {
            command["timeout"] = ms;
        }

        await SendAsync(command);
        return seq;
    }

    /// <summary>Emits with an ack (bounded) and returns the raw JSON of the ack's arguments.</summary>
    public async Task<string> EmitWithAckAsync(string id, string eventName, JsonArray args)
    {
        int seq = await EmitAsync(id, eventName, args, ack: true, timeout: 5000);
        JsonElement ack = await _driver.AckAsync(id, seq);
        Assert.True(ack.GetProperty("event").GetString() == "ack", ack.GetRawText());
        return ack.GetProperty("args").GetRawText();
    }

    public Task<JsonElement> MessageAsync(string id, string name) => _driver.MessageAsync(id, name);

    public Task<JsonElement> EventAsync(string eventName, string id) => _driver.EventAsync(eventName, id);

    public Task SendAckAsync(string id, long ackId, JsonArray args) =>
        SendAsync(new JsonObject { ["cmd"] = "ack", ["id"] = id, ["ackId"] = ackId, ["args"] = args });

    public Task DisconnectAsync(string id) => SendAsync(new JsonObject { ["cmd"] = "disconnect", ["id"] = id });

    /// <summary>Binary in the driver's value encoding.</summary>
    public static JsonObject Bin(params byte[] bytes) => new() { ["$binary"] = Convert.ToBase64String(bytes) };

    public ValueTask DisposeAsync() => _driver.DisposeAsync();
}
