using System.Buffers;
using System.Text.Json;

namespace TypedSocketIo.EngineIO;

/// <summary>The data of the open packet that starts every Engine.IO session.</summary>
/// <param name="Sid">The session id.</param>
/// <param name="Upgrades">The transports the session may upgrade to.</param>
/// <param name="PingInterval">Milliseconds between heartbeats.</param>
/// <param name="PingTimeout">Milliseconds to wait for a heartbeat answer.</param>
/// <param name="MaxPayload">The largest payload the server accepts, in bytes; v4 only (null for v3).</param>
public sealed record EngineHandshake(string Sid, IReadOnlyList<string> Upgrades, int PingInterval, int PingTimeout, long? MaxPayload)
{
    /// <summary>Writes the handshake JSON with the keys in the reference's order and nothing else.</summary>
    public void WriteJson(IBufferWriter<byte> output)
    {
        // Written as JavaScript's JSON.stringify would: no escaping of non-ASCII or '+'.
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = TypedSocketIo.JsonStringifyEncoder.Instance });
        writer.WriteStartObject();
        writer.WriteString("sid", Sid);
        writer.WriteStartArray("upgrades");
        foreach (string upgrade in Upgrades)
        {
            writer.WriteStringValue(upgrade);
        }

        writer.WriteEndArray();
        writer.WriteNumber("pingInterval", PingInterval);
        writer.WriteNumber("pingTimeout", PingTimeout);
        if (MaxPayload is { } maxPayload)
        {
            writer.WriteNumber("maxPayload", maxPayload);
        }

        writer.WriteEndObject();
    }

    /// <summary>Encodes the whole open packet (<c>0{…}</c>).</summary>
    public EnginePacket ToPacket()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        WriteJson(buffer);
        return new EnginePacket(EnginePacketType.Open, buffer.WrittenMemory);
    }

    /// <summary>Parses the data of an open packet.</summary>
    /// <exception cref="EngineIOParseException">The data is not a valid handshake.</exception>
    public static EngineHandshake Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            JsonElement root = document.RootElement;
            var upgrades = new List<string>();
            foreach (JsonElement item in root.GetProperty("upgrades").EnumerateArray())
            {
                upgrades.Add(item.GetString() ?? throw new EngineIOParseException("Null upgrade in handshake."));
            }

            long? maxPayload = root.TryGetProperty("maxPayload", out JsonElement max) ? max.GetInt64() : null;
            return new EngineHandshake(
                root.GetProperty("sid").GetString() ?? throw new EngineIOParseException("Null sid in handshake."),
                upgrades,
                root.GetProperty("pingInterval").GetInt32(),
                root.GetProperty("pingTimeout").GetInt32(),
                maxPayload);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException and not EngineIOParseException)
        {
            throw new EngineIOParseException($"Invalid Engine.IO handshake: {ex.Message}");
        }
    }
}
