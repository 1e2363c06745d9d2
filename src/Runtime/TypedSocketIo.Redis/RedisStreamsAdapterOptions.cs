namespace TypedSocketIo.Redis;

/// <summary>
/// Options of the Redis Streams cluster adapter, the wire of @socket.io/redis-streams-adapter 0.3
/// (configuration section <c>SocketIo:RedisStreams</c>). Every node of a cluster uses the same values.
/// </summary>
public sealed class RedisStreamsAdapterOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "SocketIo:RedisStreams";

    /// <summary>The stream's name (the reference's <c>streamName</c>). Default <c>socket.io</c>.</summary>
    public string StreamName { get; set; } = "socket.io";

    /// <summary>
    /// How many streams the namespaces are spread over (the reference's <c>streamCount</c>): with
    /// more than one, a namespace uses <c>StreamName-i</c>, i from a hash of its name. Default 1.
    /// </summary>
    public int StreamCount { get; set; } = 1;

    /// <summary>The prefix of the channels of ephemeral traffic (the reference's <c>channelPrefix</c>). Default <c>socket.io</c>.</summary>
    public string ChannelPrefix { get; set; } = "socket.io";

    /// <summary>The stream's approximate length cap (<c>XADD … MAXLEN ~</c>, the reference's <c>maxLen</c>). Default 10,000.</summary>
    public int MaxLen { get; set; } = 10_000;

    /// <summary>How many entries one read takes (the reference's <c>readCount</c>). Default 100.</summary>
    public int ReadCount { get; set; } = 100;

    /// <summary>How long one blocking read waits for entries (the reference's <c>blockTimeInMs</c>). Default 5 s.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The prefix of the keys sessions are kept under (the reference's <c>sessionKeyPrefix</c>). Default <c>sio:session:</c>.</summary>
    public string SessionKeyPrefix { get; set; } = "sio:session:";

    /// <summary>How long requests (fetch sockets, server-side acks) wait for the other servers. Default 5 s.</summary>
    public TimeSpan RequestsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws when a value cannot work.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(StreamName);
        ArgumentException.ThrowIfNullOrEmpty(ChannelPrefix);
        ArgumentException.ThrowIfNullOrEmpty(SessionKeyPrefix);
        if (StreamCount < 1 || MaxLen < 1 || ReadCount < 1 || BlockTime <= TimeSpan.Zero || RequestsTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StreamCount), "StreamCount, MaxLen and ReadCount must be positive, BlockTime and RequestsTimeout too.");
        }
    }

    /// <summary>The stream of namespace <paramref name="nsp"/> (the reference's <c>computeStreamName</c>).</summary>
    internal string StreamOf(string nsp)
    {
        if (StreamCount == 1)
        {
            return StreamName;
        }

        int hash = 0;
        foreach (char c in nsp)
        {
            hash = unchecked((hash * 31) + c); // JavaScript's (hash * 31 + chr) | 0
        }

        return StreamName + "-" + (hash % StreamCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
