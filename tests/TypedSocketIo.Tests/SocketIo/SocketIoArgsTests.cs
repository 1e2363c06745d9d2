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
    public void Count_IsTheNumberOfItems()
    {
        Assert.Equal(3, Args("[\"a\",1,2]").Count);
        Assert.Equal(0, Args("[]").Count);
    }

    [Fact]
    public void Skip_LeavesOutTheEventName()
    {
        SocketIoArgs args = Args("[\"chat\",\"hi\",2]", skip: 1);

        Assert.Equal(2, args.Count);
        Assert.Equal("hi", args.GetString(0));
        Assert.Equal(2, args.Get<int>(1));
    }

    [Fact]
    public void Skip_PastTheEnd_LeavesNothing()
    {
        Assert.Equal(0, Args("[\"chat\"]", skip: 1).Count);
        Assert.Equal(0, Args("[\"chat\"]", skip: 5).Count);
    }

    [Fact]
    public void EmptyData_HasNoArguments()
    {
        Assert.Equal(0, new SocketIoArgs(default, []).Count);
        Assert.Equal(0, SocketIoArgs.Empty.Count);
        Assert.Empty(SocketIoArgs.Empty.ToValues());
        Assert.Equal("[]", SocketIoArgs.Empty.ToString());
    }

    [Fact]
    public void Get_Primitives()
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
    public void Get_Poco_WithCamelCaseNames()
    {
        Person person = Args("[{\"firstName\":\"Ada\",\"age\":36,\"tags\":[\"math\"]}]").Get<Person>(0);

        Assert.Equal("Ada", person.FirstName);
        Assert.Equal(36, person.Age);
        Assert.Equal(["math"], person.Tags!);
    }

    [Fact]
    public void Get_Collections()
    {
        SocketIoArgs args = Args("[[1,2,3],{\"a\":1,\"b\":2},[\"x\",\"y\"]]");

        Assert.Equal([1, 2, 3], args.Get<int[]>(0));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, args.Get<Dictionary<string, int>>(1));
        Assert.Equal(["x", "y"], args.Get<List<string>>(2));
    }

    [Fact]
    public void Get_JsonElement_IsTheRawValue()
    {
        JsonElement element = Args("[{\"a\":[1]}]").Get<JsonElement>(0);

        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal(1, element.GetProperty("a")[0].GetInt32());
    }

    [Fact]
    public void Get_TopLevelBinary_ResolvesTheAttachment()
    {
        SocketIoArgs args = Args($"[{Placeholder(1)},{Placeholder(0)},{Placeholder(1)}]", 0, [1, 1], [2, 2]);

        Assert.Equal(new byte[] { 2, 2 }, args.Get<byte[]>(0));
        Assert.Equal(new byte[] { 1, 1 }, args.Get<ReadOnlyMemory<byte>>(1).ToArray());
        Assert.Equal(new byte[] { 2, 2 }, args.Get<Memory<byte>>(2).ToArray());
    }

    [Fact]
    public void Get_RecordWithBinaryMembers_ResolvesTheAttachments()
    {
        SocketIoArgs args = Args($"[{{\"caption\":\"sea\",\"data\":{Placeholder(0)},\"thumbnail\":{Placeholder(1)}}}]", 0, [1, 2, 3], [4]);

        Photo photo = args.Get<Photo>(0);

        Assert.Equal("sea", photo.Caption);
        Assert.Equal(new byte[] { 1, 2, 3 }, photo.Data);
        Assert.Equal(new byte[] { 4 }, photo.Thumbnail.ToArray());
    }

    [Fact]
    public void Get_NestedRecordsListsAndDictionariesOfBinary_ResolveTheAttachments()
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
    public void Get_PlaceholderWithoutAttachment_Throws()
    {
        SocketIoArgs args = Args($"[{Placeholder(3)}]", 0, [1]);

        Assert.ThrowsAny<JsonException>(() => args.Get<byte[]>(0));
    }

    [Fact]
    public void Get_CanBeCalledRepeatedly_AndInAnyOrder()
    {
        SocketIoArgs args = Args($"[\"x\",{Placeholder(0)}]", 0, [1]);

        Assert.Equal(new byte[] { 1 }, args.Get<byte[]>(1));
        Assert.Equal("x", args.Get<string>(0));
        Assert.Equal(new byte[] { 1 }, args.Get<byte[]>(1));
    }

    [Fact]
    public void Get_IndexOutOfRange_Throws()
    {
        SocketIoArgs args = Args("[1]");

        Assert.Throws<IndexOutOfRangeException>(() => args.Get<int>(1));
    }

    [Fact]
    public void Get_WithCustomOptions_UsesThem()
    {
        var options = SocketIoJson.CreateOptions(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        var args = new SocketIoArgs(Utf8($"[{{\"first_name\":\"Ada\",\"age\":3}},{{\"caption\":\"c\",\"data\":{Placeholder(0)},\"thumbnail\":\"\"}}]"), [new byte[] { 8 }], options);

        Assert.Equal("Ada", args.Get<Person>(0).FirstName);
        Assert.Equal(new byte[] { 8 }, args.Get<Photo>(1).Data);
    }

    [Fact]
    public void GetBytes_ResolvesAPlaceholder_OrReadsBase64()
    {
        SocketIoArgs args = Args($"[{Placeholder(0)},\"AQID\"]", 0, [9, 9]);

        Assert.Equal(new byte[] { 9, 9 }, args.GetBytes(0).ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, args.GetBytes(1).ToArray());
    }

    [Fact]
    public void GetBytes_OfANonBinaryValue_Throws()
    {
        SocketIoArgs args = Args("[1,{\"a\":1}]", 0, [9]);

        Assert.ThrowsAny<JsonException>(() => args.GetBytes(0));
        Assert.ThrowsAny<JsonException>(() => args.GetBytes(1));
    }

    [Fact]
    public void GetString_StringOrNull()
    {
        SocketIoArgs args = Args("[\"é中文😀\",null,\"\"]");

        Assert.Equal("é中文😀", args.GetString(0));
        Assert.Null(args.GetString(1));
        Assert.Equal("", args.GetString(2));
    }

    [Fact]
    public void IsBinary_OnlyForPlaceholders()
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
    public void Indexer_IsTheRawJson_WithPlaceholdersUnresolved()
    {
        SocketIoArgs args = Args($"[\"a\",{Placeholder(0)}]", 1, [1]);

        Assert.Equal(JsonValueKind.Object, args[0].ValueKind);
        Assert.True(args[0].GetProperty("_placeholder").GetBoolean());
        Assert.Same(args.Attachments, args.Attachments);
        Assert.Single(args.Attachments);
    }

    [Fact]
    public void ToValues_JsonLikeDotNetValues()
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
    public void ToValues_IntegersAreLong_OthersDouble()
    {
        object?[] values = Args("[0,1,-7,12345678901234,1.5,1e-3,9223372036854775808]").ToValues();

        Assert.Equal([typeof(long), typeof(long), typeof(long), typeof(long), typeof(double), typeof(double), typeof(double)], values.Select(v => v!.GetType()));
        Assert.Equal([0L, 1L, -7L, 12345678901234L, 1.5, 0.001, 9223372036854775808d], values);
    }

    [Fact]
    public void ToValues_ObjectsThatAreNotPlaceholders_StayDictionaries()
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
    public void ToValues_OfAPlainEventHoldingAPlaceholderLikeObjectWithAStringNum_IsADictionary()
    {
        // A plain (non-binary) event is accepted with any objects in it; ToValues promises JSON-like values for them.
        SocketIoPacket packet = Decode("2[\"a\",{\"_placeholder\":true,\"num\":\"x\"}]");

        object?[] values = EventArgs(packet).ToValues();

        AssertValuesEqual(Obj(("_placeholder", true), ("num", "x")), values[0]);
    }

    [Fact]
    public void Arguments_DoNotDependOnTheSourceBuffer()
    {
        byte[] json = Utf8("[\"abc\",{\"k\":\"v\"}]");
        var args = new SocketIoArgs(json, []);

        Array.Fill(json, (byte)' ');

        Assert.Equal("abc", args.GetString(0));
        Assert.Equal("v", args.Get<Dictionary<string, string>>(1)["k"]);
    }

    [Fact]
    public void ToString_IsTheRawJsonOfTheArguments()
    {
        Assert.Equal($"[1,{Placeholder(0)}]", Args($"[\"ev\",1,{Placeholder(0)}]", 1, [1]).ToString());
    }

    [Fact]
    public void InvalidJson_Throws()
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
    public void ReadingAsBinary_WhatIsNeitherBase64NorAPlaceholderOfAnAttachment_ThrowsJsonException(string json)
    {
        // Not FormatException or InvalidOperationException: callers (typed acks, generated dispatchers) expect JsonException.
        SocketIoArgs args = Args(json, 0, [9]);

        Assert.ThrowsAny<JsonException>(() => args.GetBytes(0));
        Assert.ThrowsAny<JsonException>(() => args.GetReader().ReadBinary());
        Assert.ThrowsAny<JsonException>(() => args.GetReader().ReadBytes());
        Assert.ThrowsAny<JsonException>(() => args.Get<byte[]>(0));
    }

    [Fact]
    public void ToValues_RepeatedPropertyNames_TheLastWins()
    {
        object?[] values = Args("[{\"a\":1,\"b\":2,\"a\":3}]").ToValues();

        AssertValuesEqual(Obj(("a", 3L), ("b", 2L)), values[0]);
    }

    [Theory]
    [InlineData("[\"\\ud800\"]")]
    [InlineData("[{\"\\udc00\":1}]")]
    public void ToValues_StringsDotNetCannotDecode_ThrowJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Args(json).ToValues());
    }

    [Fact]
    public void InvalidUtf8_IsRejected()
    {
        Assert.ThrowsAny<JsonException>(() => new SocketIoArgs(new byte[] { (byte)'[', (byte)'"', 0xC3, (byte)'"', (byte)']' }, []));
    }
}

