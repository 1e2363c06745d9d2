using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>
/// The msgpack codec against notepack.io 2.2 (what socket.io-msgpack-parser 3.0 encodes with), run
/// in Node: every format boundary, encoded here and there to the same bytes, and each side decoding
/// the other's.
/// </summary>
public sealed class MsgPackCodecTests(NotepackFixture notepack) : IClassFixture<NotepackFixture>
{
    private static string Text(char c, int length) => new(c, length);

    private static JsonNode Bin(int length) => new JsonObject { ["$binary"] = Convert.ToBase64String(Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray()) };

    private static JsonArray Numbers(int count) => new(Enumerable.Range(0, count).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static JsonObject Keys(int count) => new(Enumerable.Range(0, count).Select(i => KeyValuePair.Create("k" + i, (JsonNode?)JsonValue.Create(i))));

    /// <summary>Values (tagged JSON) across every format boundary notepack.io encodes.</summary>
    public static IEnumerable<(string Name, JsonNode? Value)> Table()
    {
        // Integers: positive fixint, uint 8/16/32/64, negative fixint, int 8/16/32/64.
        foreach (string n in new[]
        {
            "0", "1", "127", "128", "255", "256", "65535", "65536", "4294967295", "4294967296", "9007199254740991",
            "1152921504606846976", "9223372036854775808",
            "-1", "-32", "-33", "-128", "-129", "-32768", "-32769", "-2147483648", "-2147483649", "-9007199254740991", "-1152921504606846976",
        })
        {
            yield return ("int " + n, JsonNode.Parse(n));
        }

        // Non-integers: float 64 (notepack never writes float 32); integral values are integers.
        foreach (string n in new[] { "0.5", "-0.5", "1.5", "0.1", "3.141592653589793", "1e-7", "1500000000000000.5", "5e-324", "-2.5e-300", "1.0", "2e3", "-0" })
        {
            yield return ("number " + n, JsonNode.Parse(n));
        }

        yield return ("true", JsonValue.Create(true));
        yield return ("false", JsonValue.Create(false));
        yield return ("null", null);

        // Strings: fixstr / str 8 / str 16 / str 32 (by UTF-8 length).
        foreach (int length in new[] { 0, 1, 31, 32, 255, 256, 65535, 65536 })
        {
            yield return ("string " + length, JsonValue.Create(Text('a', length)));
        }

        yield return ("unicode", JsonValue.Create("é日本語😀 – ünïcödé"));
        yield return ("unicode 31 bytes", JsonValue.Create("日本語日本語日本語日本語" + "é" + "a")); // 36 + 2 + 1 bytes
        yield return ("escapes", JsonValue.Create("quote \" backslash \\ newline \n tab \t nul \u0000 \u001f"));

        // Binary: bin 8 / bin 16 / bin 32.
        foreach (int length in new[] { 0, 1, 255, 256, 65535, 65536 })
        {
            yield return ("bin " + length, Bin(length));
        }

        // Arrays: fixarray / array 16 / array 32.
        foreach (int count in new[] { 0, 1, 15, 16, 65535, 65536 })
        {
            yield return ("array " + count, Numbers(count));
        }

        // Maps: fixmap / map 16 / map 32.
        foreach (int count in new[] { 0, 1, 15, 16, 65535, 65536 })
        {
            yield return ("map " + count, Keys(count));
        }

        // Nested objects, binary at every depth.
        yield return ("nested", JsonNode.Parse("""{"user":{"name":"ada","tags":["a","b"],"score":12.5,"nil":null,"deep":{"deeper":{"deepest":[1,[2,[3,[4]]]]}}}}"""));
        yield return ("binary at every depth", new JsonArray(
            Bin(3),
            new JsonObject { ["a"] = Bin(4) },
            new JsonArray(new JsonArray(new JsonObject { ["b"] = new JsonArray(Bin(5), new JsonObject { ["c"] = Bin(300) }) })),
            new JsonObject { ["x"] = new JsonObject { ["y"] = new JsonObject { ["z"] = Bin(0) } } }));
        yield return ("a placeholder-like object without attachments", JsonNode.Parse("""{"_placeholder":true,"num":0}"""));
        yield return ("mixed event", JsonNode.Parse("""["chat message",{"from":"bob","text":"hi 👋","at":1700000000123,"ratio":0.25,"ok":true,"reply":null}]"""));
    }

    [Fact]
    public async Task Every_format_boundary_encodes_byte_for_byte_as_notepack()
    {
        (string Name, JsonNode? Value)[] table = Table().ToArray();
        string[] expected = await notepack.EncodeAsync(table.Select(t => t.Value));
        var failures = new List<string>();
        for (int i = 0; i < table.Length; i++)
        {
            (byte[] json, List<ReadOnlyMemory<byte>> attachments) = Tagged.ToPayload(table[i].Value);
            string actual = Convert.ToHexStringLower(SocketIoMsgPack.FromJson(json, attachments));
            if (actual != expected[i])
            {
                failures.Add($"{table[i].Name}: expected {Shorten(expected[i])}, got {Shorten(actual)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Each_side_decodes_the_bytes_of_the_other()
    {
        (string Name, JsonNode? Value)[] table = Table().ToArray();
        byte[][] ours = table.Select(t =>
        {
            (byte[] json, List<ReadOnlyMemory<byte>> attachments) = Tagged.ToPayload(t.Value);
            return SocketIoMsgPack.FromJson(json, attachments);
        }).ToArray();
        byte[][] theirs = (await notepack.EncodeAsync(table.Select(t => t.Value))).Select(Convert.FromHexString).ToArray();
        JsonElement[] decodedByNode = await notepack.DecodeAsync(ours);
        var failures = new List<string>();
        for (int i = 0; i < table.Length; i++)
        {
            string original = Tagged.Compact(Normalize(table[i].Value));
            string byNode = decodedByNode[i].TryGetProperty("value", out JsonElement v) ? Tagged.Compact(Normalize(JsonNode.Parse(v.GetRawText()))) : decodedByNode[i].GetRawText();
            JsonPayload decoded = SocketIoMsgPack.ToJson(theirs[i]);
            string byUs = Tagged.Compact(Normalize(JsonNode.Parse(Tagged.FromPayload(decoded.Json, decoded.Attachments))));
            if (byNode != original)
            {
                failures.Add($"{table[i].Name}: Node decoded ours as {Shorten(byNode)}, expected {Shorten(original)}");
            }

            if (byUs != original)
            {
                failures.Add($"{table[i].Name}: we decoded Node's as {Shorten(byUs)}, expected {Shorten(original)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Numbers as doubles (1.0, 1 and 1e0 are one number in JavaScript); -0 as 0.</summary>
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonObject o when o.Count == 1 && o["$number"] is JsonValue n && n.GetValue<string>() == "-0" => JsonValue.Create(0.0),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Normalize).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) + 0.0),
        _ => node?.DeepClone(),
    };

    /// <summary>Bytes notepack.io never writes but decodes: both sides must read them alike.</summary>
    public static IEnumerable<(string Name, string Hex, string Expected)> DecodeOnlyTable() =>
    [
        ("float 32", "ca3fc00000", "1.5"),
        ("float 32 inexact", "ca3dcccccd", "0.10000000149011612"),
        ("float 32 negative", "cac2f60000", "-123"),
        ("float 64 integral", "cb4000000000000000", "2"),
        ("str 8 for a short string", "d90161", "\"a\""),
        ("str 16 for a short string", "da000161", "\"a\""),
        ("uint 16 for a small number", "cd0001", "1"),
        ("int 64 for a small number", "d3ffffffffffffffff", "-1"),
        ("uint 64 max safe", "cf001fffffffffffff", "9007199254740991"),
        ("array 32 for two items", "dd000000020102", "[1,2]"),
        ("map 16 for one key", "de0001a16101", "{\"a\":1}"),
        ("integer map key", "81 01 a161".Replace(" ", ""), "{\"1\":\"a\"}"),
        ("undefined in an array", "93 01 d40000 02".Replace(" ", ""), "[1,null,2]"),
        ("undefined value in a map", "82 a161 d40000 a162 02".Replace(" ", ""), "{\"b\":2}"),
        ("ArrayBuffer (ext 8 type 0)", "c7020001ff", "{\"$binary\":\"Af8=\"}"),
        ("other extension", "d50501ff", "[5,{\"$binary\":\"Af8=\"}]"),
        ("invalid UTF-8 in a string", "a3 61 ff 62".Replace(" ", ""), "\"a\uFFFDb\""),
        ("NaN", "cb7ff8000000000000", "null"),
    ];

    [Fact]
    public async Task Forms_notepack_does_not_write_decode_alike_on_both_sides()
    {
        (string Name, string Hex, string Expected)[] table = DecodeOnlyTable().ToArray();
        JsonElement[] byNode = await notepack.DecodeAsync(table.Select(t => Convert.FromHexString(t.Hex)));
        var failures = new List<string>();
        for (int i = 0; i < table.Length; i++)
        {
            JsonPayload decoded = SocketIoMsgPack.ToJson(Convert.FromHexString(table[i].Hex));
            string ours = Tagged.FromPayload(decoded.Json, decoded.Attachments);
            if (ours != table[i].Expected)
            {
                failures.Add($"{table[i].Name}: we decoded {ours}, expected {table[i].Expected}");
            }

            // Node: undefined stays undefined and NaN stays NaN where JSON has null or nothing.
            string node = Tagged.Compact(RemoveUndefined(JsonNode.Parse(byNode[i].GetProperty("value").GetRawText())));
            if (node != table[i].Expected)
            {
                failures.Add($"{table[i].Name}: Node decoded {node}, expected {table[i].Expected}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>What JSON.stringify does with undefined and NaN: null in arrays, left out of objects.</summary>
    private static JsonNode? RemoveUndefined(JsonNode? node) => node switch
    {
        JsonObject o when o.Count == 1 && (o.ContainsKey("$undefined") || o.ContainsKey("$number")) => null,
        JsonObject o when o.Count == 1 && o["$arraybuffer"] is JsonValue b => new JsonObject { ["$binary"] = b.GetValue<string>() },
        JsonObject o => new JsonObject(o.Where(p => p.Value is not JsonObject { Count: 1 } u || !u.ContainsKey("$undefined"))
            .Select(p => KeyValuePair.Create(p.Key, RemoveUndefined(p.Value)))),
        JsonArray a => new JsonArray(a.Select(RemoveUndefined).ToArray()),
        _ => node?.DeepClone(),
    };

    [Fact]
    public async Task Integral_numbers_beyond_64_bits_stay_float64_where_notepack_writes_a_wrong_integer()
    {
        // notepack.io takes any integral double for an integer and overflows past 2^64 (1.8e308 comes
        // out as the integer 0); a float64 keeps the value, and notepack reads it back exactly.
        byte[] ours = SocketIoMsgPack.FromJson("[1.7976931348623157e308,-1e300,18446744073709551616]"u8);
        Assert.Equal("93cb7fefffffffffffffcbfe37e43c8800759ccb43f0000000000000", Convert.ToHexStringLower(ours));
        Assert.Equal("cf0000000000000000", (await notepack.EncodeAsync([JsonNode.Parse("1.7976931348623157e308")]))[0]);
        JsonElement back = (await notepack.DecodeAsync([ours]))[0].GetProperty("value");
        Assert.Equal([1.7976931348623157e308, -1e300, 18446744073709551616.0], back.EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    [Fact]
    public async Task Dates_are_written_as_notepack_dates_and_read_back_as_instants()
    {
        var utc = new DateTime(2023, 11, 14, 22, 13, 20, 123, DateTimeKind.Utc);
        var offset = new DateTimeOffset(2023, 11, 15, 0, 13, 20, 123, TimeSpan.FromHours(2));
        var before1970 = new DateTime(1969, 7, 20, 20, 17, 40, 5, DateTimeKind.Utc);
        EventData data = SocketIoJson.Encode("when", [utc, offset, before1970, new { at = utc, label = "2023-11-14T22:13:20.123Z" }], SocketIoJson.DefaultOptions);
        Assert.Equal("[\"when\",\"2023-11-14T22:13:20.123Z\",\"2023-11-15T00:13:20.123+02:00\",\"1969-07-20T20:17:40.005Z\",{\"at\":\"2023-11-14T22:13:20.123Z\",\"label\":\"2023-11-14T22:13:20.123Z\"}]",
            Encoding.UTF8.GetString(data.Json.Span)); // the JSON parser's wire is unchanged

        byte[] ours = SocketIoMsgPack.FromJson(data.Json.Span, data.Attachments);
        long ms = new DateTimeOffset(utc).ToUnixTimeMilliseconds();
        long msBefore = new DateTimeOffset(before1970).ToUnixTimeMilliseconds();
        // A string that only looks like a date stays a string.
        JsonNode? expected = JsonNode.Parse($$"""["when",{"$date":{{ms}}},{"$date":{{ms}}},{"$date":{{msBefore}}},{"at":{"$date":{{ms}}},"label":"2023-11-14T22:13:20.123Z"}]""");
        Assert.Equal((await notepack.EncodeAsync([expected]))[0], Convert.ToHexStringLower(ours));
        Assert.Equal(Tagged.Compact(expected), Tagged.Compact(JsonNode.Parse((await notepack.DecodeAsync([ours]))[0].GetProperty("value").GetRawText())));

        JsonPayload back = SocketIoMsgPack.ToJson(ours);
        SocketIoArgs args = SocketIoArgs.FromPacketData(back.Json, back.Attachments, skip: 1);
        Assert.Equal(utc, args.Get(0, SocketIoTestJson.Default.DateTime));
        Assert.Equal(DateTimeKind.Utc, args.Get(0, SocketIoTestJson.Default.DateTime).Kind);
        Assert.Equal(offset, args.Get(1, SocketIoTestJson.Default.DateTimeOffset));
        Assert.Equal(before1970, args.Get(2, SocketIoTestJson.Default.DateTime));
    }

    [Fact]
    public void Timestamp_extension_minus_one_reads_as_a_date_in_all_three_sizes()
    {
        // timestamp 32: seconds; timestamp 64: nanoseconds << 34 | seconds; timestamp 96: nanoseconds, seconds.
        var seconds = new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc);
        Assert.Equal("\"2023-11-14T22:13:20Z\"", Json(SocketIoMsgPack.ToJson(Convert.FromHexString("d6ff6553f100")).Json));
        ulong data64 = (123_456_700UL << 34) | 1700000000UL;
        Assert.Equal("\"2023-11-14T22:13:20.1234567Z\"", Json(SocketIoMsgPack.ToJson(Convert.FromHexString("d7ff" + data64.ToString("x16"))).Json));
        Assert.Equal("\"1969-12-31T23:59:59.5Z\"", Json(SocketIoMsgPack.ToJson(Convert.FromHexString("c70cff" + "1dcd6500" + "ffffffffffffffff")).Json));
        Assert.Equal(seconds, DateTime.Parse(Json(SocketIoMsgPack.ToJson(Convert.FromHexString("d6ff6553f100")).Json).Trim('"'), null, System.Globalization.DateTimeStyles.AdjustToUniversal));
    }

    [Fact]
    public void Packets_decoded_from_msgpack_read_through_the_typed_api_like_json_ones()
    {
        byte[] message = Convert.FromHexString("83a47479706502a46461746193a3616464cb3ff8000000000000c403010203a36e7370a12f");
        SocketIoPacket packet = MsgPackSocketIoParser.DecodePacket(message);
        Assert.Equal("[\"add\",1.5,{\"_placeholder\":true,\"num\":0}]", Json(packet.Data));
        SocketIoArgs args = SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, skip: 1);
        Assert.Equal(1.5, args.Get(0, SocketIoTestJson.Default.Double));
        Assert.Equal(new byte[] { 1, 2, 3 }, args.GetReader().ReadBytesAt(1));
        // The attachment is a slice of the message, not a copy.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(packet.Attachments[0], out ArraySegment<byte> segment) && ReferenceEquals(segment.Array, message));
    }

    private static string Json(ReadOnlyMemory<byte> json) => Encoding.UTF8.GetString(json.Span);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..60] + "…(" + text.Length + ")…" + text[^40..];
}

/// <summary>Source-generated metadata for the codec tests.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTime))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
internal sealed partial class SocketIoTestJson : System.Text.Json.Serialization.JsonSerializerContext;

internal static class ReaderExtensions
{
    public static byte[]? ReadBytesAt(this SocketIoArgs.Reader reader, int index)
    {
        for (int i = 0; i < index; i++)
        {
            reader.Skip();
        }

        return reader.ReadBytes();
    }
}
