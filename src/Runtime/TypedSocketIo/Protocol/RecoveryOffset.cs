using System.Buffers;
using System.Text.Json;

namespace TypedSocketIo.Protocol;

/// <summary>
/// The offset of connection state recovery: with recovery on, a server appends one more argument,
/// last, to every event it logs (a string naming the event in its packet log); a client keeps the
/// last one it received and hands it back when it reconnects. The application never sees it: the
/// server appends it after its own listeners ran, the client strips it before its handlers run.
/// </summary>
internal static class RecoveryOffset
{
    /// <summary>The event array <paramref name="json"/> (<c>["name", args…]</c>) with <paramref name="offset"/> appended as its last item.</summary>
    public static byte[] Append(ReadOnlySpan<byte> json, string offset)
    {
        int end = json.LastIndexOf((byte)']');
        if (end < 0)
        {
            throw new ArgumentException("Expected a JSON array.", nameof(json));
        }

        bool empty = json[..end].TrimEnd(" \t\r\n"u8).EndsWith("["u8);
        var buffer = new ArrayBufferWriter<byte>(end + offset.Length + 8);
        buffer.Write(json[..end]);
        if (!empty)
        {
            buffer.Write(","u8);
        }

        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonStringifyEncoder.Instance, SkipValidation = true }))
        {
            writer.WriteStringValue(offset);
        }

        buffer.Write("]"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads the offset a server appended to the event array <paramref name="json"/>: as
    /// socket.io-client, the last item when the array has more than the event name and that item is
    /// a string. On success, <paramref name="rest"/> is the array without it.
    /// </summary>
    public static bool TryStrip(ReadOnlyMemory<byte> json, out string offset, out ReadOnlyMemory<byte> rest)
    {
        offset = "";
        rest = json;
        if (json.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = JsonSocketIoParser.CheckedPayloadDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            int count = 0;
            long previousEnd = reader.BytesConsumed; // just after "[", then after each item
            long lastItemEnd = previousEnd;
            bool lastIsString = false;
            string? last = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                previousEnd = lastItemEnd;
                lastIsString = reader.TokenType == JsonTokenType.String;
                last = lastIsString ? reader.GetString() : null;
                reader.Skip();
                lastItemEnd = reader.BytesConsumed;
                count++;
            }

            if (count < 2 || !lastIsString || last is null)
            {
                return false;
            }

            var stripped = new byte[previousEnd + 1];
            json.Span[..(int)previousEnd].CopyTo(stripped);
            stripped[^1] = (byte)']';
            offset = last;
            rest = stripped;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
