using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.Protocol;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>
/// notepack.io 2.2 and socket.io-msgpack-parser 3.0 in Node (tests/node/msgpack-codec.js), one
/// process for a test class: the reference the msgpack codec is compared with byte for byte.
/// </summary>
public sealed class NotepackFixture : IAsyncLifetime
{
    private NodeDriver? _node;
    private int _seq;

    public NodeDriver Node => _node ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _node = await NodeDriver.StartAsync("msgpack-codec.js");
        Assert.Equal("2.2.0", _node.Ready.GetProperty("notepack").GetString());
        Assert.StartsWith("3.", _node.Ready.GetProperty("parser").GetString());
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>Runs one command over a list and returns its results, in order.</summary>
    public async Task<JsonElement[]> RunAsync(string cmd, string listName, IEnumerable<JsonNode?> items)
    {
        int seq = Interlocked.Increment(ref _seq);
        var command = new JsonObject { ["cmd"] = cmd, ["seq"] = seq, [listName] = new JsonArray(items.Select(i => i?.DeepClone()).ToArray()) };
        await Node.SendAsync(command);
        JsonElement done = await Node.NextAsync(e => e.GetProperty("event").GetString() is "done" or "driver-error"
            && e.TryGetProperty("seq", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == seq, TimeSpan.FromSeconds(60));
        Assert.True(done.GetProperty("event").GetString() == "done", done.GetRawText());
        return done.GetProperty("results").EnumerateArray().ToArray();
    }

    /// <summary>notepack.encode of each tagged value, as hex.</summary>
    public async Task<string[]> EncodeAsync(IEnumerable<JsonNode?> values) =>
        (await RunAsync("encode", "values", values)).Select(r => r.TryGetProperty("hex", out JsonElement h) ? h.GetString()! : throw new InvalidOperationException(r.GetRawText())).ToArray();

    /// <summary>notepack.decode of each input, as a tagged value or an error.</summary>
    public async Task<JsonElement[]> DecodeAsync(IEnumerable<byte[]> inputs) =>
        await RunAsync("decode", "inputs", inputs.Select(i => (JsonNode?)Convert.ToHexStringLower(i)));

    /// <summary>socket.io-msgpack-parser's Encoder of each tagged packet, as hex.</summary>
    public async Task<string[]> EncodePacketsAsync(IEnumerable<JsonNode?> packets) =>
        (await RunAsync("encode-packets", "packets", packets)).Select(r => r.TryGetProperty("hex", out JsonElement h) ? h.GetString()! : throw new InvalidOperationException(r.GetRawText())).ToArray();

    /// <summary>socket.io-msgpack-parser's Decoder on each input: {"packet"} or {"error"}.</summary>
    public async Task<JsonElement[]> DecodePacketsAsync(IEnumerable<byte[]> inputs) =>
        await RunAsync("decode-packets", "inputs", inputs.Select(i => (JsonNode?)Convert.ToHexStringLower(i)));
}

/// <summary>
/// Converts between the codec driver's tagged JSON (<c>{"$binary":base64}</c> for binary) and the
/// library's JSON form (placeholders and attachments).
/// </summary>
internal static class Tagged
{
    public static JsonNode? Parse(string json) => JsonNode.Parse(json);

    /// <summary>The library's JSON form of a tagged value.</summary>
    public static (byte[] Json, List<ReadOnlyMemory<byte>> Attachments) ToPayload(JsonNode? value)
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        JsonNode? converted = Replace(value, attachments);
        return (Encoding.UTF8.GetBytes(converted?.ToJsonString(Options) ?? "null"), attachments);
    }

    private static readonly JsonSerializerOptions Options = new() { Encoder = JsonStringifyEncoder.Instance };

    private static JsonNode? Replace(JsonNode? value, List<ReadOnlyMemory<byte>> attachments) => value switch
    {
        JsonObject o when o.Count == 1 && o.TryGetPropertyValue("$binary", out JsonNode? b) => Placeholder(Convert.FromBase64String(b!.GetValue<string>()), attachments),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Replace(p.Value, attachments)))),
        JsonArray a => new JsonArray(a.Select(i => Replace(i, attachments)).ToArray()),
        _ => value?.DeepClone(),
    };

    private static JsonNode Placeholder(byte[] data, List<ReadOnlyMemory<byte>> attachments)
    {
        var node = new JsonObject { ["_placeholder"] = true, ["num"] = attachments.Count };
        attachments.Add(data);
        return node;
    }

    /// <summary>The tagged form of a decoded payload (placeholders back to <c>{"$binary"}</c>), as compact JSON.</summary>
    public static string FromPayload(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        JsonNode? node = JsonNode.Parse(json.Span);
        return Restore(node, attachments)?.ToJsonString(Options) ?? "null";
    }

    private static JsonNode? Restore(JsonNode? value, IReadOnlyList<ReadOnlyMemory<byte>> attachments) => value switch
    {
        JsonObject o when o.Count == 2 && o["_placeholder"] is JsonValue p && p.GetValueKind() == JsonValueKind.True && o["num"] is JsonValue n
            && n.GetValue<int>() < attachments.Count =>
            new JsonObject { ["$binary"] = Convert.ToBase64String(attachments[n.GetValue<int>()].Span) },
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Restore(p.Value, attachments)))),
        JsonArray a => new JsonArray(a.Select(i => Restore(i, attachments)).ToArray()),
        _ => value?.DeepClone(),
    };

    /// <summary>Compact JSON of a tagged node as the driver prints it (for comparing).</summary>
    public static string Compact(JsonElement element) => JsonNode.Parse(element.GetRawText())?.ToJsonString(Options) ?? "null";

    public static string Compact(JsonNode? node) => node?.ToJsonString(Options) ?? "null";
}
