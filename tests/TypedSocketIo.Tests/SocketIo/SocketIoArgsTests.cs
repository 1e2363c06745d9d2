using System.Text.Json;
using TypedSocketIo.Protocol;
using static TypedSocketIo.Tests.SocketIo.Sio;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>SocketIoArgs: the received arguments, read lazily as the types asked for.</summary>
public class SocketIoArgsTests
{
    public sealed class Person
    {
        public string? FirstName { get; set; }

        public int Age { get; set; }

        public List<string>? Tags { get; set; }
    }

    public sealed record Photo(string Caption, byte[] Data, ReadOnlyMemory<byte> Thumbnail);

    public sealed record Album(string Title, List<Photo> Photos, Dictionary<string, byte[]> Extras);

    public enum Mood
    {
        Happy,
        Sad,
    }

    private static SocketIoArgs Args(string json, int skip = 0, params byte[][] attachments) =>
        new(Utf8(json), attachments.Select(a => (ReadOnlyMemory<byte>)a).ToArray(), skip: skip);

    [Fact]
    public void Count_is_the_number_of_items()
    {
        Assert.Equal(3, Args("[\"a\",1,2]").Count);
        Assert.Equal(0, Args("[]").Count);
    }

    [Fact]
    public void Skip_leaves_out_the_event_name()
    {
        SocketIoArgs args = Args("[\"chat\",\"hi\",2]", skip: 1);

        Assert.Equal(2, args.Count);
        Assert.Equal("hi", args.GetString(0));
        Assert.Equal(2, args.Get<int>(1));
    }

    [Fact]
    public void Skip_past_the_end_leaves_nothing()
    {
        Assert.Equal(0, Args("[\"chat\"]", skip: 1).Count);
        Assert.Equal(0, Args("[\"chat\"]", skip: 5).Count);
    }

    [Fact]
    public void Empty_data_has_no_arguments()
    {
        Assert.Equal(0, new SocketIoArgs(default, []).Count);
        Assert.Equal(0, SocketIoArgs.Empty.Count);
        Assert.Empty(SocketIoArgs.Empty.ToValues());
        Assert.Equal("[]", SocketIoArgs.Empty.ToString());
    }

    [Fact]
    public void Get_primitives()
    {
        SocketIoArgs args = Args("[1,-2,3000000000,1.5,true,false,\"s\",null,\"2024-01-02T03:04:05Z\",1,\"9\"]");

        Assert.Equal(1, args.Get<int>(0));
        Assert.Equal(-2, args.Get<short>(1));
        Assert.Equal(3000000000L, args.Get<long>(2));
        Assert.Equal(1.5, args.Get<double>(3));
        Assert.Equal(1.5m, args.Get<decimal>(3));
        Assert.True(args.Get<bool>(4));
        Assert.False(args.Get<bool>(5));
        Assert.Equal("s", args.Get<string>(6));
        Assert.Null(args.Get<string?>(7));
        Assert.Null(args.Get<int?>(7));
        Assert.Equal(1, args.Get<int?>(0));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), args.Get<DateTimeOffset>(8));
        Assert.Equal(Mood.Sad, args.Get<Mood>(9));
        Assert.Equal(9, args.Get<int>(10)); // web defaults read numbers from strings
    }

    [Fact]
    public void Get_poco_with_camel_case_names()
    {
        Person person = Args("[{\"firstName\":\"Ada\",\"age\":36,\"tags\":[\"math\"]}]").Get<Person>(0);

        Assert.Equal("Ada", person.FirstName);
        Assert.Equal(36, person.Age);
        Assert.Equal(["math"], person.Tags!);
    }

    [Fact]
    public void Get_collections()
    {
        SocketIoArgs args = Args("[[1,2,3],{\"a\":1,\"b\":2},[\"x\",\"y\"]]");

        Assert.Equal([1, 2, 3], args.Get<int[]>(0));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, args.Get<Dictionary<string, int>>(1));
        Assert.Equal(["x", "y"], args.Get<List<string>>(2));
    }

    [Fact]
    public void Get_JSON_element_is_the_raw_value()
    {
        JsonElement element = Args("[{\"a\":[1]}]").Get<JsonElement>(0);

        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal(1, element.GetProperty("a")[0].GetInt32());
    }

    [Fact]
    public void Get_top_level_binary_resolves_the_attachment()
    {
        SocketIoArgs args = Args($"[{Placeholder(1)},{Placeholder(0)},{Placeholder(1)}]", 0, [1, 1], [2, 2]);

        Assert.Equal(new byte[] { 2, 2 }, args.Get<byte[]>(0));
        Assert.Equal(new byte[] { 1, 1 }, args.Get<ReadOnlyMemory<byte>>(1).ToArray());
        Assert.Equal(new byte[] { 2, 2 }, args.Get<Memory<byte>>(2).ToArray());
    }

    [Fact]
    public void Get_record_with_binary_members_resolves_the_attachments()
    {
        SocketIoArgs args = Args($"[{{\"caption\":\"sea\",\"data\":{Placeholder(0)},\"thumbnail\":{Placeholder(1)}}}]", 0, [1, 2, 3], [4]);

        Photo photo = args.Get<Photo>(0);

        Assert.Equal("sea", photo.Caption);
        Assert.Equal(new byte[] { 1, 2, 3 }, photo.Data);
        Assert.Equal(new byte[] { 4 }, photo.Thumbnail.ToArray());
    }

    [Fact]
    public void Get_nested_records_lists_and_dictionaries_of_binary_resolve_the_attachments()
    {
        string json = "[{\"title\":\"t\",\"photos\":[" +
            $"{{\"caption\":\"a\",\"data\":{Placeholder(0)},\"thumbnail\":{Placeholder(1)}}}," +
            $"{{\"caption\":\"b\",\"data\":{Placeholder(2)},\"thumbnail\":\"BQ==\"}}]," +
            $"\"extras\":{{\"x\":{Placeholder(3)}}}}}]";
        SocketIoArgs args = Args(json, 0, [1], [2], [3], [4]);

        Album album = args.Get<Album>(0);

        Assert.Equal("t", album.Title);
        Assert.Equal(2, album.Photos.Count);
        Assert.Equal(new byte[] { 1 }, album.Photos[0].Data);
        Assert.Equal(new byte[] { 2 }, album.Photos[0].Thumbnail.ToArray());
        Assert.Equal(new byte[] { 3 }, album.Photos[1].Data);
        Assert.Equal(new byte[] { 5 }, album.Photos[1].Thumbnail.ToArray());
        Assert.Equal(new byte[] { 4 }, album.Extras["x"]);
    }

    [Fact]
    public void Get_placeholder_without_attachment_throws()
    {
        SocketIoArgs args = Args($"[{Placeholder(3)}]", 0, [1]);

        Assert.ThrowsAny<JsonException>(() => args.Get<byte[]>(0));
    }

    [Fact]
    public void Get_can_be_called_repeatedly_and_in_any_order()
    {
        SocketIoArgs args = Args($"[\"x\",{Placeholder(0)}]", 0, [1]);

        Assert.Equal(new byte[] { 1 }, args.Get<byte[]>(1));
        Assert.Equal("x", args.Get<string>(0));
        Assert.Equal(new byte[] { 1 }, args.Get<byte[]>(1));
    }

    [Fact]
    public void Get_index_out_of_range_throws()
    {
        SocketIoArgs args = Args("[1]");

        Assert.Throws<IndexOutOfRangeException>(() => args.Get<int>(1));
    }

    [Fact]
    public void Get_with_custom_options_uses_them()
    {
        var options = SocketIoJson.CreateOptions(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var args = new SocketIoArgs(Utf8($"[{{\"first_name\":\"Ada\",\"age\":3}},{{\"caption\":\"c\",\"data\":{Placeholder(0)},\"thumbnail\":\"\"}}]"), [new byte[] { 8 }], options);

        Assert.Equal("Ada", args.Get<Person>(0).FirstName);
        Assert.Equal(new byte[] { 8 }, args.Get<Photo>(1).Data);
    }

    [Fact]
    public void GetBytes_resolves_a_placeholder_or_reads_base64()
    {
        SocketIoArgs args = Args($"[{Placeholder(0)},\"AQID\"]", 0, [9, 9]);

        Assert.Equal(new byte[] { 9, 9 }, args.GetBytes(0).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, args.GetBytes(1).ToArray());
    }

    [Fact]
    public void GetBytes_of_a_non_binary_value_throws()
    {
        SocketIoArgs args = Args("[1,{\"a\":1}]", 0, [9]);

        Assert.ThrowsAny<JsonException>(() => args.GetBytes(0));
        Assert.ThrowsAny<JsonException>(() => args.GetBytes(1));
    }

    [Fact]
    public void GetString_string_or_null()
    {
        SocketIoArgs args = Args("[\"é中文😀\",null,\"\"]");

        Assert.Equal("é中文😀", args.GetString(0));
        Assert.Null(args.GetString(1));
        Assert.Equal("", args.GetString(2));
    }

    [Fact]
    public void IsBinary_only_for_placeholders()
    {
        SocketIoArgs args = Args($"[{Placeholder(0)},\"AQ==\",{{\"_placeholder\":false,\"num\":0}},{{\"num\":0}},[{Placeholder(0)}],1,null]", 0, [1]);

        Assert.True(args.IsBinary(0));
        Assert.False(args.IsBinary(1));
        Assert.False(args.IsBinary(2));
        Assert.False(args.IsBinary(3));
        Assert.False(args.IsBinary(4));
        Assert.False(args.IsBinary(5));
        Assert.False(args.IsBinary(6));
    }

    [Fact]
    public void Indexer_is_the_raw_JSON_with_placeholders_unresolved()
    {
        SocketIoArgs args = Args($"[\"a\",{Placeholder(0)}]", 1, [1]);

        Assert.Equal(JsonValueKind.Object, args[0].ValueKind);
        Assert.True(args[0].GetProperty("_placeholder").GetBoolean());
        Assert.Same(args.Attachments, args.Attachments);
        Assert.Single(args.Attachments);
    }

    [Fact]
    public void ToValues_JSON_like_dot_net_values()
    {
        // (Integers are covered by ToValues_IntegersAreLong_OthersDouble.)
        SocketIoArgs args = Args(
            $"[\"s\",1.5,9223372036854775808,true,false,null,[\"x\",[]],{{\"a\":\"1\",\"b\":{{\"c\":[2.5]}}}},{Placeholder(0)},{{\"deep\":[{Placeholder(1)}]}}]",
            0, [1, 2], [3]);

        object?[] values = args.ToValues();

        AssertValuesEqual(
            List("s", 1.5, 9223372036854775808d, true, false, null, List("x", List()),
                Obj(("a", "1"), ("b", Obj(("c", List(2.5))))), new byte[] { 1, 2 }, Obj(("deep", List(new byte[] { 3 })))),
            List(values));
    }

    [Fact]
    public void ToValues_integers_are_long_others_double()
    {
        object?[] values = Args("[0,1,-7,12345678901234,1.5,1e-3,9223372036854775808]").ToValues();

        Assert.Equal([typeof(long), typeof(long), typeof(long), typeof(long), typeof(double), typeof(double), typeof(double)], values.Select(v => v!.GetType()));
        Assert.Equal([0L, 1L, -7L, 12345678901234L, 1.5, 0.001, 9223372036854775808d], values);
    }

    [Fact]
    public void ToValues_objects_that_are_not_placeholders_stay_dictionaries()
    {
        object?[] values = Args($"[{{\"_placeholder\":false,\"num\":0}},{{\"_placeholder\":true,\"num\":5}}]", 0, [1]).ToValues();

        // (Number types are covered by ToValues_IntegersAreLong_OthersDouble.)
        var notFlagged = Assert.IsType<Dictionary<string, object?>>(values[0]);
        var outOfRange = Assert.IsType<Dictionary<string, object?>>(values[1]);
        Assert.Equal(false, notFlagged["_placeholder"]);
        Assert.Equal(0.0, Convert.ToDouble(notFlagged["num"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(true, outOfRange["_placeholder"]);
        Assert.Equal(5.0, Convert.ToDouble(outOfRange["num"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ToValues_of_a_plain_event_holding_a_placeholder_like_object_with_a_string_num_is_a_dictionary()
    {
        // A plain (non-binary) event is accepted with any objects in it; ToValues promises JSON-like values for them.
        SocketIoPacket packet = Decode("2[\"a\",{\"_placeholder\":true,\"num\":\"x\"}]");

        object?[] values = EventArgs(packet).ToValues();

        AssertValuesEqual(Obj(("_placeholder", true), ("num", "x")), values[0]);
    }

    [Fact]
    public void Arguments_do_not_depend_on_the_source_buffer()
    {
        byte[] json = Utf8("[\"abc\",{\"k\":\"v\"}]");
        var args = new SocketIoArgs(json, []);

        Array.Fill(json, (byte)' ');

        Assert.Equal("abc", args.GetString(0));
        Assert.Equal("v", args.Get<Dictionary<string, string>>(1)["k"]);
    }

    [Fact]
    public void ToString_is_the_raw_JSON_of_the_arguments()
    {
        Assert.Equal($"[1,{Placeholder(0)}]", Args($"[\"ev\",1,{Placeholder(0)}]", 1, [1]).ToString());
    }

    [Fact]
    public void Invalid_JSON_throws()
    {
        Assert.ThrowsAny<JsonException>(() => Args("[1"));
    }

    [Theory]
    [InlineData("[\"!!\"]")]
    [InlineData("[\"AQI\"]")]
    [InlineData("[\"\\ud800AQ==\"]")]
    [InlineData("[{\"_placeholder\":true,\"num\":1.5}]")]
    [InlineData("[{\"_placeholder\":true,\"num\":99999999999}]")]
    [InlineData("[{\"_placeholder\":true,\"num\":-1}]")]
    public void ReadingAsBinary_what_is_neither_base64_nor_a_placeholder_of_an_attachment_throws_JSON_exception(string json)
    {
        // Not FormatException or InvalidOperationException: callers (typed acks, generated dispatchers) expect JsonException.
        SocketIoArgs args = Args(json, 0, [9]);

        Assert.ThrowsAny<JsonException>(() => args.GetBytes(0));
        Assert.ThrowsAny<JsonException>(() => args.GetReader().ReadBinary());
        Assert.ThrowsAny<JsonException>(() => args.GetReader().ReadBytes());
        Assert.ThrowsAny<JsonException>(() => args.Get<byte[]>(0));
    }

    [Fact]
    public void ToValues_repeated_property_names_the_last_wins()
    {
        object?[] values = Args("[{\"a\":1,\"b\":2,\"a\":3}]").ToValues();

        AssertValuesEqual(Obj(("a", 3L), ("b", 2L)), values[0]);
    }

    [Theory]
    [InlineData("[\"\\ud800\"]")]
    [InlineData("[{\"\\udc00\":1}]")]
    public void ToValues_strings_dot_net_cannot_decode_throw_JSON_exception(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Args(json).ToValues());
    }

    [Fact]
    public void Invalid_UTF8_is_rejected()
    {
        Assert.ThrowsAny<JsonException>(() => new SocketIoArgs(new byte[] { (byte)'[', (byte)'"', 0xC3, (byte)'"', (byte)']' }, []));
    }
}

