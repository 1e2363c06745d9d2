using System.Text;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>The offset connection state recovery appends to events, and the client's reading of it (socket.io-client's rule).</summary>
public sealed class RecoveryOffsetTests
{
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("[\"e\"]", "[\"e\",\"o1\"]")]
    [InlineData("[\"e\",1,{\"a\":[2]}]", "[\"e\",1,{\"a\":[2]},\"o1\"]")]
    [InlineData("[]", "[\"o1\"]")]
    public void Append_puts_the_offset_last(string json, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(RecoveryOffset.Append(Json(json), "o1")));

    [Fact]
    public void TryStrip_takes_a_last_string_after_the_event_name_and_gives_back_the_rest()
    {
        Assert.True(RecoveryOffset.TryStrip(Json("[\"e\", 1, {\"x\":\"]\"} ,\"1700000000000-0\"]"), out string offset, out ReadOnlyMemory<byte> rest));
        Assert.Equal("1700000000000-0", offset);
        Assert.Equal("[\"e\", 1, {\"x\":\"]\"}]", Encoding.UTF8.GetString(rest.Span));

        Assert.True(RecoveryOffset.TryStrip(Json("[\"e\",\"o\"]"), out _, out rest));
        Assert.Equal("[\"e\"]", Encoding.UTF8.GetString(rest.Span));
    }

    [Theory]
    [InlineData("[\"e\"]")]            // the name alone is not an offset
    [InlineData("[\"e\",1]")]          // not a string
    [InlineData("[\"e\",\"\\ud800\"]")] // a string .NET cannot read
    [InlineData("{}")]
    [InlineData("")]
    public void TryStrip_leaves_other_events_alone(string json) =>
        Assert.False(RecoveryOffset.TryStrip(Json(json), out _, out _));
}
