using System.Text;

namespace TypedSocketIo.Compare;

/// <summary>The wire each peer speaks: its URL path, its handshake, and the frames of an acknowledged echo and of a broadcast.</summary>
internal enum WireKind
{
    /// <summary>Socket.IO 5 over Engine.IO 4, websocket only.</summary>
    SocketIo,

    /// <summary>SignalR's JSON hub protocol.</summary>
    SignalR,

    /// <summary>Bare WebSocket messages.</summary>
    Raw,
}

/// <summary>Frames for one <see cref="WireKind"/>, written without a serializer (the generator must stay cheap).</summary>
internal static class Wire
{
    public const byte RecordSeparator = 0x1e;

    public static string Path(WireKind kind) => kind switch
    {
        WireKind.SocketIo => "/socket.io/?EIO=4&transport=websocket",
        WireKind.SignalR => "/hub",
        _ => "/ws",
    };

    /// <summary>The request of echo number <paramref name="id"/> carrying <paramref name="data"/> (ASCII, no quotes or escapes).</summary>
    public static byte[] Echo(WireKind kind, long id, string data) => Encoding.ASCII.GetBytes(kind switch
    {
        WireKind.SocketIo => $"42{id}[\"echo\",\"{data}\"]",
        WireKind.SignalR => $"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Echo\",\"arguments\":[\"{data}\"]}}\u001e",
        _ => data,
    });

    /// <summary>What the answer to <see cref="Echo"/> must contain.</summary>
    public static byte[] EchoAnswer(WireKind kind, long id, string data) => Encoding.ASCII.GetBytes(kind switch
    {
        WireKind.SocketIo => $"43{id}[\"{data}\"]",
        WireKind.SignalR => $"\"invocationId\":\"{id}\"",
        _ => data,
    });

    /// <summary>The result a SignalR completion of an echo of <paramref name="data"/> carries, whatever its invocation.</summary>
    public static byte[] SignalRResult(string data) => Encoding.ASCII.GetBytes($"\"result\":\"{data}\"");

    /// <summary>
    /// The text frame of binary echo number <paramref name="id"/>: Socket.IO's BINARY_EVENT header
    /// (the payload follows as one binary attachment message), or SignalR's invocation up to where
    /// the base64 argument starts (<see cref="SignalRBinaryTail"/> ends it). Not used for the raw peer.
    /// </summary>
    public static byte[] BinaryEcho(WireKind kind, long id) => Encoding.ASCII.GetBytes(kind switch
    {
        WireKind.SocketIo => $"451-{id}[\"echoBinary\",{{\"_placeholder\":true,\"num\":0}}]",
        WireKind.SignalR => $"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"EchoBinary\",\"arguments\":[\"",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    });

    /// <summary>What ends a SignalR binary echo invocation after its base64 argument.</summary>
    public static ReadOnlySpan<byte> SignalRBinaryTail => "\"]}\u001e"u8;

    /// <summary>
    /// What the answer to <see cref="BinaryEcho"/> starts with (Socket.IO: the BINARY_ACK header, its
    /// attachment follows) or contains (SignalR: the completion's id; its result is the base64 argument).
    /// </summary>
    public static byte[] BinaryEchoAnswer(WireKind kind, long id) => Encoding.ASCII.GetBytes(kind switch
    {
        WireKind.SocketIo => $"461-{id}[{{\"_placeholder\":true,\"num\":0}}]",
        WireKind.SignalR => $"\"invocationId\":\"{id}\"",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    });

    /// <summary>The request that makes the peer send <paramref name="data"/> to every connection.</summary>
    public static byte[] Broadcast(WireKind kind, string data) => Encoding.ASCII.GetBytes(kind switch
    {
        WireKind.SocketIo => $"42[\"bcast\",\"{data}\"]",
        WireKind.SignalR => $"{{\"type\":1,\"target\":\"Bcast\",\"arguments\":[\"{data}\"]}}\u001e",
        _ => "B" + data,
    });

    /// <summary>What a delivery of broadcast <paramref name="data"/> contains.</summary>
    public static byte[] BroadcastDelivery(string data) => Encoding.ASCII.GetBytes(data);

    /// <summary>
    /// The broadcast deliveries in <paramref name="frame"/>: SignalR may put several messages (each
    /// ended by 0x1e) in one WebSocket message, pings among them.
    /// </summary>
    public static int Deliveries(WireKind kind, ReadOnlySpan<byte> frame)
    {
        if (kind != WireKind.SignalR)
        {
            return frame.Length > 0 ? 1 : 0;
        }

        int count = 0;
        while (frame.IndexOf(RecordSeparator) is int end and >= 0)
        {
            if (!frame.StartsWith("{\"type\":6"u8) && frame.IndexOf("\"target\":\"bcast\""u8) is >= 0 and int at && at < end)
            {
                count++;
            }

            frame = frame[(end + 1)..];
        }

        return count;
    }

    /// <summary>Whether <paramref name="frame"/> is a keep-alive to answer or ignore rather than a reply.</summary>
    public static bool IsKeepAlive(WireKind kind, ReadOnlySpan<byte> frame) => kind switch
    {
        WireKind.SocketIo => frame.Length == 1 && frame[0] == (byte)'2',
        WireKind.SignalR => IsOnlyPings(frame),
        _ => false,
    };

    private static bool IsOnlyPings(ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> ping = "{\"type\":6}\u001e"u8;
        while (frame.StartsWith(ping))
        {
            frame = frame[ping.Length..];
        }

        return frame.IsEmpty;
    }
}
