using System.Text.Json;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>SocketIoJson.WriteArray: <c>["name", args…]</c> with binary values turned into numbered placeholders.</summary>
public class SocketIoJsonTests
{
    public sealed class Person
    {
        public string? FirstName { get; set; }

        public int Age { get; set; }

        public bool IsAdmin { get; set; }
    }

    public sealed class Upload
    {
        public string? Name { get; set; }

        public byte[]? Bytes { get; set; }

        public ReadOnlyMemory<byte> ReadOnly { get; set; }

        public Memory<byte> Writable { get; set; }
    }

    public sealed class SegmentHolder
    {
        public ArraySegment<byte> Segment { get; set; }
    }

    public sealed record Photo(string Caption, byte[] Data, byte[]? Thumbnail);

    [Fact]
    public void Typed_metadata_is_made_once_per_options()
    {
        // Generated dispatchers ask for it on every handler registration, that is per socket.
        JsonSerializerOptions options = SocketIoJson.CreateOptions();

        Assert.Same(SocketIoTyped.TypeInfo<Person>(options), SocketIoTyped.TypeInfo<Person>(options));
        Assert.Same(SocketIoTyped.TypeInfo<string>(options), SocketIoTyped.TypeInfo<string>(options));
    }

    [Fact]
    public void WriteArray_name_then_arguments()
    {
        (string json, byte[][] attachments) = Write("chat", "hi", 1, 1.5, true, false, null, new[] { 1, 2 });

        Assert.Equal("[\"chat\",\"hi\",1,1.5,true,false,null,[1,2]]", json);
        Assert.Empty(attachments);
    }

    [Fact]
    public void WriteArray_without_name_is_just_the_arguments()
    {
        Assert.Equal("[\"ok\",2]", Write(null, "ok", 2).Json);
        Assert.Equal("[]", Write(null).Json);
        Assert.Equal("[\"only\"]", Write("only").Json);
    }

    [Fact]
    public void WriteArray_JSON_element_is_written_as_is()
    {
        using JsonDocument document = JsonDocument.Parse("{\"Keep\":[1,{\"x\":null}]}");

        Assert.Equal("[\"a\",{\"Keep\":[1,{\"x\":null}]}]", Write("a", document.RootElement).Json);
    }

    [Fact]
    public void WriteArray_byte_array_becomes_a_placeholder()
    {
        (string json, byte[][] attachments) = Write("a", new byte[] { 1, 2, 3 });

        Assert.Equal($"[\"a\",{Placeholder(0)}]", json);
        Assert.Equal([[1, 2, 3]], attachments);
    }

    [Fact]
    public void WriteArray_every_top_level_binary_type_becomes_a_placeholder_numbered_in_order()
    {
        byte[] backing = [0, 4, 4, 0];
        (string json, byte[][] attachments) = Write("a",
            new byte[] { 1 },
            (ReadOnlyMemory<byte>)new byte[] { 2, 2 },
            new Memory<byte>([3, 3, 3]),
            new ArraySegment<byte>(backing, 1, 2));

        Assert.Equal($"[\"a\",{Placeholder(0)},{Placeholder(1)},{Placeholder(2)},{Placeholder(3)}]", json);
        Assert.Equal([[1], [2, 2], [3, 3, 3], [4, 4]], attachments);
    }

    [Fact]
    public void WriteArray_sliced_memory_sends_only_the_slice()
    {
        byte[] backing = [9, 1, 2, 9];
        (_, byte[][] attachments) = Write("a", backing.AsMemory(1, 2), (ReadOnlyMemory<byte>)backing.AsMemory(0, 1));

        Assert.Equal([[1, 2], [9]], attachments);
    }

    [Fact]
    public void WriteArray_empty_binary_is_still_an_attachment()
    {
        (string json, byte[][] attachments) = Write("a", Array.Empty<byte>(), ReadOnlyMemory<byte>.Empty);

        Assert.Equal($"[\"a\",{Placeholder(0)},{Placeholder(1)}]", json);
        Assert.Equal([[], []], attachments);
    }

    [Fact]
    public void WriteArray_binary_inside_a_poco_becomes_placeholders()
    {
        var upload = new Upload { Name = "f", Bytes = [1], ReadOnly = new byte[] { 2 }, Writable = new byte[] { 3 } };

        (string json, byte[][] attachments) = Write("up", upload);

        Assert.Equal($"[\"up\",{{\"name\":\"f\",\"bytes\":{Placeholder(0)},\"readOnly\":{Placeholder(1)},\"writable\":{Placeholder(2)}}}]", json);
        Assert.Equal([[1], [2], [3]], attachments);
    }

    [Fact]
    public void WriteArray_binary_inside_a_record_becomes_placeholders()
    {
        (string json, byte[][] attachments) = Write("photo", new Photo("sea", [1, 2], null));

        Assert.Equal($"[\"photo\",{{\"caption\":\"sea\",\"data\":{Placeholder(0)},\"thumbnail\":null}}]", json);
        Assert.Equal([[1, 2]], attachments);
    }

    [Fact]
    public void WriteArray_binary_inside_arrays_lists_and_dictionaries_becomes_placeholders()
    {
        (string json, byte[][] attachments) = Write("a",
            new[] { new byte[] { 1 }, new byte[] { 2 } },
            new List<ReadOnlyMemory<byte>> { new byte[] { 3 } },
            new object?[] { "x", new byte[] { 4 }, null },
            new Dictionary<string, byte[]> { ["k"] = [5] },
            new Dictionary<string, object?> { ["m"] = new Memory<byte>([6]), ["n"] = 1 });

        Assert.Equal(
            $"[\"a\",[{Placeholder(0)},{Placeholder(1)}],[{Placeholder(2)}],[\"x\",{Placeholder(3)},null],{{\"k\":{Placeholder(4)}}},{{\"m\":{Placeholder(5)},\"n\":1}}]",
            json);
        Assert.Equal([[1], [2], [3], [4], [5], [6]], attachments);
    }

    [Fact]
    public void WriteArray_placeholders_are_numbered_in_document_order()
    {
        (string json, byte[][] attachments) = Write("a",
            new byte[] { 0 },
            new Dictionary<string, object?> { ["x"] = new byte[] { 1 }, ["y"] = new object[] { new byte[] { 2 }, new byte[] { 3 } } },
            new byte[] { 4 });

        Assert.Equal($"[\"a\",{Placeholder(0)},{{\"x\":{Placeholder(1)},\"y\":[{Placeholder(2)},{Placeholder(3)}]}},{Placeholder(4)}]", json);
        Assert.Equal([[0], [1], [2], [3], [4]], attachments);
    }

    [Fact]
    public void WriteArray_same_array_twice_is_two_attachments()
    {
        byte[] shared = [7];

        (string json, byte[][] attachments) = Write("a", shared, shared);

        Assert.Equal($"[\"a\",{Placeholder(0)},{Placeholder(1)}]", json);
        Assert.Equal(2, attachments.Length);
    }

    [Fact]
    public void WriteArray_array_segment_inside_a_poco_becomes_a_placeholder()
    {
        (string json, byte[][] attachments) = Write("a", new SegmentHolder { Segment = new ArraySegment<byte>([9, 1, 2, 9], 1, 2) });

        Assert.Equal($"[\"a\",{{\"segment\":{Placeholder(0)}}}]", json);
        Assert.Equal([[1, 2]], attachments);
    }

    [Fact]
    public void WriteArray_array_segment_inside_an_array_becomes_a_placeholder()
    {
        (string json, byte[][] attachments) = Write("a", (object)new object[] { new ArraySegment<byte>([4]) });

        Assert.Equal($"[\"a\",[{Placeholder(0)}]]", json);
        Assert.Equal([[4]], attachments);
    }

    [Fact]
    public void WriteArray_array_segment_inside_a_dictionary_becomes_a_placeholder()
    {
        (string json, byte[][] attachments) = Write("a", new Dictionary<string, object> { ["x"] = new ArraySegment<byte>([5]) });

        Assert.Equal($"[\"a\",{{\"x\":{Placeholder(0)}}}]", json);
        Assert.Equal([[5]], attachments);
    }

    [Fact]
    public void WriteArray_appends_to_the_given_list()
    {
        var attachments = new List<ReadOnlyMemory<byte>>();
        WriteArray("a", attachments, new byte[] { 1 });
        ReadOnlyMemory<byte> second = WriteArray("b", attachments, new byte[] { 2 });

        // The placeholders number the list's entries, so a list reused across packets keeps counting.
        Assert.Equal($"[\"b\",{Placeholder(1)}]", Json(second));
        Assert.Equal(2, attachments.Count);
    }

    [Fact]
    public void WriteArray_uses_web_defaults_camel_case()
    {
        Assert.Equal("[\"p\",{\"firstName\":\"Ada\",\"age\":36,\"isAdmin\":true}]", Write("p", new Person { FirstName = "Ada", Age = 36, IsAdmin = true }).Json);
    }

    [Fact]
    public void WriteArray_dictionary_keys_are_left_as_they_are()
    {
        Assert.Equal("[\"d\",{\"FirstKey\":1}]", Write("d", new Dictionary<string, int> { ["FirstKey"] = 1 }).Json);
    }

    [Fact]
    public void WriteArray_custom_options_are_honoured_and_still_collect_binary()
    {
        JsonSerializerOptions options = SocketIoJson.CreateOptions(new JsonSerializerOptions());
        var attachments = new List<ReadOnlyMemory<byte>>();

        ReadOnlyMemory<byte> json = SocketIoJson.WriteArray("u", [new Upload { Name = "n", Bytes = [1] }], options, attachments);

        Assert.StartsWith($"[\"u\",{{\"Name\":\"n\",\"Bytes\":{Placeholder(0)},", Json(json));
        Assert.Equal(3, attachments.Count);
    }

    [Fact]
    public void CreateOptions_does_not_change_the_options_given()
    {
        var original = new JsonSerializerOptions();

        JsonSerializerOptions created = SocketIoJson.CreateOptions(original);

        Assert.NotSame(original, created);
        Assert.Empty(original.Converters);
        Assert.Equal(6, created.Converters.Count); // byte[], ReadOnlyMemory, Memory, ArraySegment, then DateTime, DateTimeOffset
    }

    [Fact]
    public void CreateOptions_without_options_is_web_defaults()
    {
        JsonSerializerOptions options = SocketIoJson.CreateOptions();

        Assert.Equal(JsonNamingPolicy.CamelCase, options.PropertyNamingPolicy);
        Assert.True(options.PropertyNameCaseInsensitive);
        Assert.Equal(JsonNamingPolicy.CamelCase, SocketIoJson.DefaultOptions.PropertyNamingPolicy);
    }

    public static TheoryData<string, string> NonAsciiCases() => new()
    {
        { "é", "\"é\"" },
        { "中文", "\"中文\"" },
        { "😀", "\"😀\"" },
        { "héllo wörld 中文 😀 👍🏽", "\"héllo wörld 中文 😀 👍🏽\"" },
        { "<>&'+`", "\"<>&'+`\"" },
        { "quote\" back\\ slash/", "\"quote\\\" back\\\\ slash/\"" },
        { "tab\t nl\n", "\"tab\\t nl\\n\"" },
    };

    /// <summary>Expected texts are JavaScript's JSON.stringify of the same string (checked with Node).</summary>
    [Theory]
    [MemberData(nameof(NonAsciiCases))]
    public void WriteArray_strings_are_written_like_JSON_stringify(string value, string expected)
    {
        Assert.Equal($"[{expected},{expected}]", Write(value, value).Json);
    }

    [Fact]
    public void WriteArray_non_ASCII_inside_pocos_and_dictionaries_is_not_escaped()
    {
        Assert.Equal("[\"a\",{\"firstName\":\"Zoë 中文\",\"age\":0,\"isAdmin\":false}]", Write("a", new Person { FirstName = "Zoë 中文" }).Json);
        Assert.Equal("[\"a\",{\"clé\":\"中文\"}]", Write("a", new Dictionary<string, string> { ["clé"] = "中文" }).Json);
    }

    [Fact]
    public void WriteArray_emoji_inside_pocos_and_dictionaries_is_not_escaped()
    {
        Assert.Equal("[\"a\",{\"firstName\":\"😀\",\"age\":0,\"isAdmin\":false}]", Write("a", new Person { FirstName = "😀" }).Json);
        Assert.Equal("[\"a\",{\"😀\":\"👍\"}]", Write("a", new Dictionary<string, string> { ["😀"] = "👍" }).Json);
    }

    [Fact]
    public void WriteArray_output_is_valid_JSON_that_reads_back_to_the_same_strings()
    {
        string[] values = ["é", "中文", "😀", "<script>", "\u0001", "\u2028"];

        string json = Write(null, values.Cast<object?>().ToArray()).Json;

        Assert.Equal(values, JsonSerializer.Deserialize<string[]>(json));
    }

    [Fact]
    public void Binary_outside_write_array_is_base64()
    {
        Assert.Equal("\"AQI=\"", JsonSerializer.Serialize(new byte[] { 1, 2 }, SocketIoJson.DefaultOptions));
        Assert.Equal("{\"name\":null,\"bytes\":\"AQ==\",\"readOnly\":\"Ag==\",\"writable\":\"\"}",
            JsonSerializer.Serialize(new Upload { Bytes = [1], ReadOnly = new byte[] { 2 } }, SocketIoJson.DefaultOptions));
    }

    [Fact]
    public void Binary_base64_reads_back_without_attachments()
    {
        Upload? upload = JsonSerializer.Deserialize<Upload>("{\"bytes\":\"AQI=\",\"readOnly\":\"Aw==\"}", SocketIoJson.DefaultOptions);

        Assert.NotNull(upload);
        Assert.Equal(new byte[] { 1, 2 }, upload.Bytes);
        Assert.Equal(new byte[] { 3 }, upload.ReadOnly.ToArray());
    }

    [Fact]
    public void Placeholder_outside_with_attachments_cannot_be_read()
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<byte[]>(Placeholder(0), SocketIoJson.DefaultOptions));
    }

    [Fact]
    public void WithAttachments_resolves_placeholders_and_restores_the_previous_scope()
    {
        IReadOnlyList<ReadOnlyMemory<byte>> outer = [new byte[] { 1 }];
        IReadOnlyList<ReadOnlyMemory<byte>> inner = [new byte[] { 2 }];

        (byte[] a, byte[] b, byte[] c) = SocketIoJson.WithAttachments(outer, () =>
        {
            byte[] first = JsonSerializer.Deserialize<byte[]>(Placeholder(0), SocketIoJson.DefaultOptions)!;
            byte[] second = SocketIoJson.WithAttachments(inner, () => JsonSerializer.Deserialize<byte[]>(Placeholder(0), SocketIoJson.DefaultOptions)!);
            byte[] third = JsonSerializer.Deserialize<byte[]>(Placeholder(0), SocketIoJson.DefaultOptions)!;
            return (first, second, third);
        });

        Assert.Equal(new byte[] { 1 }, a);
        Assert.Equal(new byte[] { 2 }, b);
        Assert.Equal(new byte[] { 1 }, c);
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<byte[]>(Placeholder(0), SocketIoJson.DefaultOptions));
    }

    [Fact]
    public void WriteArray_is_thread_safe()
    {
        Parallel.For(0, 200, i =>
        {
            var attachments = new List<ReadOnlyMemory<byte>>();
            ReadOnlyMemory<byte> json = WriteArray("t", attachments, new byte[] { (byte)i }, new Upload { Bytes = [(byte)(i + 1)] });
            Assert.Equal(4, attachments.Count);
            Assert.Equal(new byte[] { (byte)i }, attachments[0].ToArray());
            Assert.Equal(new byte[] { (byte)(i + 1) }, attachments[1].ToArray());
            Assert.StartsWith($"[\"t\",{Placeholder(0)},{{\"name\":null,\"bytes\":{Placeholder(1)}", Json(json));
        });
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("x", false)]
    [InlineData(1, false)]
    public void IsBinary_non_binary_values(object? value, bool expected)
    {
        Assert.Equal(expected, SocketIoJson.IsBinary(value));
    }

    [Fact]
    public void IsBinary_the_four_binary_types()
    {
        Assert.True(SocketIoJson.IsBinary(new byte[1]));
        Assert.True(SocketIoJson.IsBinary((ReadOnlyMemory<byte>)new byte[1]));
        Assert.True(SocketIoJson.IsBinary(new Memory<byte>(new byte[1])));
        Assert.True(SocketIoJson.IsBinary(new ArraySegment<byte>(new byte[1])));
        Assert.False(SocketIoJson.IsBinary(new int[1]));
        Assert.False(SocketIoJson.IsBinary(new List<byte> { 1 }));
    }
}
