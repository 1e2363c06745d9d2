using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>Shorthands for the Socket.IO protocol tests.</summary>
internal static class Sio
{
    public static EnginePacket Text(string text) => EnginePacket.TextMessage(text);

    /// <summary>A text message whose bytes are given as is (for invalid UTF-8).</summary>
    public static EnginePacket RawText(params byte[] bytes) => new(EnginePacketType.Message, bytes);

    public static EnginePacket Binary(params byte[] data) => EnginePacket.BinaryMessage(data);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Json(SocketIoPacket packet) => Encoding.UTF8.GetString(packet.Data.Span);

    public static string Json(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    /// <summary>The placeholder text the reference writes for attachment <paramref name="num"/>.</summary>
    public static string Placeholder(int num) => $"{{\"_placeholder\":true,\"num\":{num}}}";

    /// <summary>Writes <c>[name, args…]</c> with the default options, collecting attachments.</summary>
    public static ReadOnlyMemory<byte> WriteArray(string? name, List<ReadOnlyMemory<byte>> attachments, params object?[] args) =>
        SocketIoJson.WriteArray(name, args, SocketIoJson.DefaultOptions, attachments);

    /// <summary>The JSON text of <c>[name, args…]</c> and the attachments it collected.</summary>
    public static (string Json, byte[][] Attachments) Write(string? name, params object?[] args)
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        ReadOnlyMemory<byte> json = WriteArray(name, attachments, args);
        return (Json(json), attachments.Select(a => a.ToArray()).ToArray());
    }

    /// <summary>Feeds <paramref name="messages"/> to a fresh default decoder; see <see cref="Decode(ISocketIoDecoder, IReadOnlyList{EnginePacket})"/>.</summary>
    public static SocketIoPacket Decode(params EnginePacket[] messages) => Decode(JsonSocketIoParser.Instance.CreateDecoder(), messages);

    public static SocketIoPacket Decode(string text) => Decode(Text(text));

    /// <summary>Every message but the last must return null (a binary packet still waiting); the last must complete the packet.</summary>
    public static SocketIoPacket Decode(ISocketIoDecoder decoder, IReadOnlyList<EnginePacket> messages)
    {
        Assert.NotEmpty(messages);
        for (int i = 0; i < messages.Count - 1; i++)
        {
            SocketIoPacket? early = decoder.Add(messages[i]);
            Assert.True(early is null, $"Message {i} ({messages[i]}) of {messages.Count} completed a packet early: {early}");
        }

        SocketIoPacket? packet = decoder.Add(messages[^1]);
        Assert.True(packet is not null, $"The last of {messages.Count} messages did not complete a packet.");
        return packet;
    }

    /// <summary>Asserts that <paramref name="action"/> throws exactly <see cref="SocketIoParseException"/> (no other type)
    /// whose message mentions every one of <paramref name="mentions"/> (case-insensitive).</summary>
    public static SocketIoParseException AssertParseError(Action action, params string[] mentions)
    {
        SocketIoParseException exception = Assert.Throws<SocketIoParseException>(action);
        Assert.False(string.IsNullOrWhiteSpace(exception.Message));
        foreach (string mention in mentions)
        {
            Assert.Contains(mention, exception.Message, StringComparison.OrdinalIgnoreCase);
        }

        return exception;
    }

    /// <summary>A fresh decoder must reject <paramref name="text"/> with a <see cref="SocketIoParseException"/>.</summary>
    public static SocketIoParseException AssertRejected(string text, params string[] mentions) =>
        AssertParseError(() => JsonSocketIoParser.Instance.CreateDecoder().Add(Text(text)), mentions);

    /// <summary>
    /// Either the messages decode, or the decoder rejects them with <see cref="SocketIoParseException"/>: any other
    /// exception type escaping the decoder is a failure.
    /// </summary>
    public static SocketIoPacket? AssertDecodesOrParseError(params EnginePacket[] messages)
    {
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        SocketIoPacket? last = null;
        foreach (EnginePacket message in messages)
        {
            try
            {
                last = decoder.Add(message);
            }
            catch (SocketIoParseException)
            {
                return null;
            }
            catch (Exception ex)
            {
                Assert.Fail($"The decoder threw {ex.GetType().FullName} instead of SocketIoParseException for {message}: {ex.Message}");
            }
        }

        return last;
    }

    /// <summary>Text of the first (text) message followed by the hex of each binary one, for exact comparisons.</summary>
    public static string[] Describe(IEnumerable<EnginePacket> messages) =>
        messages.Select(m =>
        {
            Assert.Equal(EnginePacketType.Message, m.Type);
            return m.IsBinary ? "<" + Convert.ToHexString(m.Data.Span) + ">" : m.Text;
        }).ToArray();

    public static string Hex(params byte[] bytes) => "<" + Convert.ToHexString(bytes) + ">";

    public static void AssertAttachments(IReadOnlyList<byte[]> expected, IReadOnlyList<ReadOnlyMemory<byte>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i].ToArray());
        }
    }

    /// <summary>Semantic JSON equality (property order and number spelling aside).</summary>
    public static void AssertJsonEquivalent(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected JSON {expected}, got {actual}");

    /// <summary>Deep equality of the JSON-like values <see cref="SocketIoArgs.ToValues"/> produces (lists, dictionaries, byte[]).</summary>
    public static void AssertValuesEqual(object? expected, object? actual, string path = "$")
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                break;
            case byte[] bytes:
                Assert.True(actual is byte[], $"{path}: expected byte[], got {actual?.GetType().Name ?? "null"}");
                Assert.Equal(bytes, (byte[])actual!);
                break;
            case IDictionary<string, object?> dictionary:
                var actualDictionary = Assert.IsType<Dictionary<string, object?>>(actual);
                Assert.Equal(dictionary.Keys.OrderBy(k => k, StringComparer.Ordinal), actualDictionary.Keys.OrderBy(k => k, StringComparer.Ordinal));
                foreach ((string key, object? value) in dictionary)
                {
                    AssertValuesEqual(value, actualDictionary[key], $"{path}.{key}");
                }

                break;
            case System.Collections.IList list when expected is not string:
                var actualList = Assert.IsType<List<object?>>(actual);
                Assert.Equal(list.Count, actualList.Count);
                for (int i = 0; i < list.Count; i++)
                {
                    AssertValuesEqual(list[i], actualList[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(actual is not null && expected.GetType() == actual.GetType(), $"{path}: expected {expected.GetType().Name} {expected}, got {actual?.GetType().Name ?? "null"} {actual}");
                Assert.Equal(expected, actual);
                break;
        }
    }

    /// <summary>A dictionary literal helper: <c>Obj(("a", 1L), ("b", "x"))</c>.</summary>
    public static Dictionary<string, object?> Obj(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>A list literal helper for expected <see cref="SocketIoArgs.ToValues"/> arrays.</summary>
    public static List<object?> List(params object?[] items) => [.. items];

    /// <summary>The arguments of an event packet (its name skipped).</summary>
    public static SocketIoArgs EventArgs(SocketIoPacket packet, JsonSerializerOptions? options = null) =>
        new(packet.Data, packet.Attachments, options, skip: 1);
}
