using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Server.EngineIO.Direct;
using TypedSocketIo.Tests;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// The strict parser of a connection's first request head at the listener: what it takes, what it
/// leaves to ASP.NET Core, and a seeded fuzz of garbled and split heads.
/// </summary>
public sealed class RequestHeadTests
{
    private static readonly EngineIOServer Server = new(new EngineIOOptions(), NullLogger<EngineIOServer>.Instance);
    private static readonly DirectEndpoints Endpoints = DirectEndpoints.Of(("/socket.io", Server));
    private static readonly DirectLimits Limits = new(8192, 32768, 100, TimeSpan.FromSeconds(30));

    private const string Valid =
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private static HeadVerdict Parse(byte[] bytes, out RequestHead? head, out long end, int? splitAt = null)
    {
        ReadOnlySequence<byte> buffer = splitAt is { } at ? SequenceSplitter.SplitAt(bytes, at) : new ReadOnlySequence<byte>(bytes);
        HeadVerdict verdict = new RequestHeadReader(Endpoints, Limits).Read(buffer, out head, out SequencePosition position);
        end = buffer.Slice(0, position).Length;
        return verdict;
    }

    [Fact]
    public void A_websocket_upgrade_of_an_endpoint_is_taken_whole_and_what_follows_is_left()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Valid + "\x81\x85");

        Assert.Equal(HeadVerdict.Take, Parse(bytes, out RequestHead? head, out long end));

        Assert.Equal(Valid.Length, end);
        Assert.Same(Server, head!.Server);
        Assert.Equal("/socket.io/", head.Path);
        Assert.Equal("?EIO=4&transport=websocket", head.QueryString);
        Assert.Equal("localhost", head.Headers["Host"].ToString());
        Assert.Equal("13", head.Headers["Sec-WebSocket-Version"].ToString());
    }

    [Theory]
    [InlineData("framing")]
    [InlineData("deflate")]
    [InlineData("polling only")]
    public void An_upgrade_of_a_server_that_cannot_frame_it_itself_is_left_at_its_request_line(string why)
    {
        var options = new EngineIOOptions();
        switch (why)
        {
            case "framing":
                options.WebSocketFraming = WebSocketFraming.AspNetCore;
                break;
            case "deflate":
                options.PerMessageDeflate = new PerMessageDeflateOptions();
                break;
            default:
                options.Transports = [EngineIOOptions.Polling];
                break;
        }

        var endpoints = DirectEndpoints.Of(("/socket.io", new EngineIOServer(options, NullLogger<EngineIOServer>.Instance)));
        byte[] line = Encoding.ASCII.GetBytes("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n");

        Assert.Equal(HeadVerdict.Pass, new RequestHeadReader(endpoints, Limits).Read(new ReadOnlySequence<byte>(line), out RequestHead? head, out _));
        Assert.Null(head);
        Assert.Equal(HeadVerdict.NeedMore, new RequestHeadReader(Endpoints, Limits).Read(new ReadOnlySequence<byte>(line), out _, out _));
    }

    [Fact]
    public void Heads_share_the_strings_of_the_headers_clients_repeat_but_not_their_keys()
    {
        static RequestHead Take(string key)
        {
            string text = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: chat.example:8080\r\nOrigin: https://chat.example\r\n" +
                "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nCookie: id=1\r\n\r\n";
            Assert.Equal(HeadVerdict.Take, Parse(Encoding.ASCII.GetBytes(text), out RequestHead? head, out _));
            return head!;
        }

        RequestHead first = Take("dGhlIHNhbXBsZSBub25jZQ==");
        RequestHead second = Take("AQIDBAUGBwgJCgsMDQ4PEA==");

        Assert.Equal("chat.example:8080", second.Headers["Host"].ToString());
        Assert.Same(first.Headers["Host"].ToString(), second.Headers["Host"].ToString());
        Assert.Same(first.Headers["Origin"].ToString(), second.Headers["Origin"].ToString());
        Assert.Same(first.Headers["User-Agent"].ToString(), second.Headers["User-Agent"].ToString());
        Assert.Equal("AQIDBAUGBwgJCgsMDQ4PEA==", second.Headers["Sec-WebSocket-Key"].ToString());
        Assert.NotSame(first.Headers["Cookie"].ToString(), second.Headers["Cookie"].ToString()); // a client's own: never kept for the next

        RequestHead other = Take("dGhlIHNhbXBsZSBub25jZQ==");
        Assert.Equal("id=1", other.Headers["Cookie"].ToString());
    }

    [Theory]
    [InlineData("POST /socket.io/?EIO=4 HTTP/1.1\r\n")]
    [InlineData("GET /other HTTP/1.1\r\n")]
    [InlineData("GET /socket.iox/ HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("GET /socket.io/ HTTP/1.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET /socket%2Eio/ HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Folded: a\r\n b\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nBad Name: x\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Latin: caf\u00e9\r\n\r\n")]
    public void Anything_but_a_plain_websocket_upgrade_of_an_endpoint_is_left_to_aspnetcore(string request)
    {
        Assert.Equal(HeadVerdict.Pass, Parse(Encoding.Latin1.GetBytes(request), out RequestHead? head, out long end));
        Assert.Null(head);
        Assert.Equal(0, end);
    }

    [Theory]
    [InlineData("G")]
    [InlineData("GET /soc")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n")]
    public void A_head_that_may_still_be_one_waits_for_more(string start)
    {
        Assert.Equal(HeadVerdict.NeedMore, Parse(Encoding.ASCII.GetBytes(start), out _, out _));
    }

    [Fact]
    public void A_head_that_comes_a_byte_at_a_time_is_read_as_it_comes_and_taken_once_whole()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Valid);
        var reader = new RequestHeadReader(Endpoints, Limits);
        for (int length = 1; length < bytes.Length; length++)
        {
            Assert.Equal(HeadVerdict.NeedMore, reader.Read(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _));
        }

        Assert.Equal(HeadVerdict.Take, reader.Read(new ReadOnlySequence<byte>(bytes), out RequestHead? head, out _));
        Assert.Equal("?EIO=4&transport=websocket", head!.QueryString);
    }

    [Fact]
    public void A_head_past_the_limits_is_left_to_aspnetcore_even_before_it_ends()
    {
        string large = Valid[..^2] + "X-Large: " + new string('a', 40_000) + "\r\n";
        Assert.Equal(HeadVerdict.Pass, Parse(Encoding.ASCII.GetBytes(large), out _, out _));
        Assert.Equal(HeadVerdict.Pass, Parse(Encoding.ASCII.GetBytes(large + "\r\n"), out _, out _));
        Assert.Equal(HeadVerdict.Pass, Parse(Encoding.ASCII.GetBytes("GET /socket.io/" + new string('a', 9000)), out _, out _));
    }

    [Fact]
    public void Seeded_fuzz_of_garbled_and_split_heads_never_throws_never_takes_a_partial_head_and_reads_the_same_in_pieces()
    {
        byte[] valid = Encoding.ASCII.GetBytes(Valid);
        byte[] specials = "\r\n: \t%?/\0\u007f\u00ff,"u8.ToArray();
        for (int seed = 1; seed <= 2000; seed++)
        {
            var random = new Random(seed);
            var bytes = new List<byte>(valid);
            int edits = random.Next(0, 4);
            for (int i = 0; i < edits && bytes.Count > 0; i++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = specials[random.Next(specials.Length)]; break;
                    case 1: bytes.Insert(at, specials[random.Next(specials.Length)]); break;
                    case 2: bytes.RemoveAt(at); break;
                    default: bytes[at] = (byte)random.Next(256); break;
                }
            }

            byte[] input = [.. bytes];
            HeadVerdict whole = Parse(input, out RequestHead? head, out long end);
            int split = input.Length == 0 ? 0 : random.Next(input.Length + 1);
            Assert.Equal(whole, Parse(input, out _, out long splitEnd, split));
            Assert.Equal(end, splitEnd);
            // Read as it comes, in pieces, by one reader: the same verdict, at the same end.
            var reader = new RequestHeadReader(Endpoints, Limits);
            HeadVerdict last = HeadVerdict.NeedMore;
            long lastEnd = 0;
            for (int length = 0; length < input.Length && last == HeadVerdict.NeedMore;)
            {
                length = Math.Min(input.Length, length + random.Next(1, 30));
                var piece = new ReadOnlySequence<byte>(input, 0, length);
                last = reader.Read(piece, out _, out SequencePosition position);
                lastEnd = piece.Slice(0, position).Length;
            }

            Assert.True(whole == last, $"seed {seed}: {whole} whole, {last} in pieces");
            Assert.Equal(end, lastEnd);
            if (whole == HeadVerdict.Take)
            {
                // Taken only once the head is whole: it ends with its blank line, and no shorter prefix is taken.
                Assert.NotNull(head);
                Assert.True(input.AsSpan(0, (int)end).EndsWith("\r\n\r\n"u8), $"seed {seed}");
                int prefix = random.Next((int)end);
                Assert.NotEqual(HeadVerdict.Take, Parse(input[..prefix], out _, out _));
            }
        }
    }
}
