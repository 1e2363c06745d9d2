using StackExchange.Redis;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// The Redis Streams flavour (@socket.io/redis-streams-adapter 0.3): the cluster protocol with
/// broadcasts, joins, leaves and disconnects appended to a stream (<c>XADD … MAXLEN ~</c>) that
/// every node reads, acknowledged broadcasts, server-side emits and fetches over PUBLISH on
/// <c>prefix#nsp#</c> and answers on <c>prefix#nsp#uid#</c> (msgpack), and, for connection state
/// recovery across nodes, sessions under <c>sessionKeyPrefix + pid</c> and missed broadcasts read
/// back from the stream.
/// </summary>
public sealed class RedisStreamsTransport : RedisTransport, IRecoveryTransport
{
    private const int RangePage = 1000;
    private const int MaxRangePages = 100;
    private readonly RedisStreamsAdapterOptions _streams;
    private readonly RedisStreamReader _reader;
    private readonly Action<RedisStreamReader> _released;
    private string _channel = "";
    private string _responseChannel = "";
    private string _stream = "";

    internal RedisStreamsTransport(RedisConnection connection, RedisStreamsAdapterOptions options, RedisStreamReader reader, Action<RedisStreamReader> released)
        : base(connection, new RedisAdapterOptions { ChannelPrefix = options.ChannelPrefix, RequestsTimeout = options.RequestsTimeout })
    {
        _streams = options;
        _reader = reader;
        _released = released;
    }

    private IDatabase Database => Connection.Multiplexer.GetDatabase();

    /// <inheritdoc />
    protected override async Task SubscribeAsync()
    {
        _channel = $"{_streams.ChannelPrefix}#{Namespace}#";
        _responseChannel = $"{_channel}{Uid}#";
        _stream = _streams.StreamOf(Namespace);
        await SubscribeAsync(RedisChannel.Literal(_channel), OnRaw).ConfigureAwait(false);
        await SubscribeAsync(RedisChannel.Literal(_responseChannel), OnRaw).ConfigureAwait(false);
        _reader.Add(this);
        await _reader.Ready.ConfigureAwait(false);
    }

    private void OnRaw(string channel, ReadOnlyMemory<byte> raw) => OnClusterProtocolMessage(channel, raw, _responseChannel);

    /// <summary>An entry of the stream, for this namespace (from the reader, in stream order).</summary>
    internal void OnEntry(IReadOnlyDictionary<string, string> fields, string id)
    {
        ClusterMessage message;
        try
        {
            message = RedisStreamsCodec.DecodeEntry(fields, id);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or Protocol.SocketIoParseException or InvalidOperationException or KeyNotFoundException)
        {
            Handler.OnInvalidMessage(_stream, ex);
            return;
        }

        Handler.OnMessage(message);
    }

    /// <inheritdoc />
    public override Task PublishAsync(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (RedisStreamsCodec.IsEphemeral(message))
        {
            return PublishRawAsync(RedisChannel.Literal(_channel), RedisStreamsCodec.EncodeMessage(message));
        }

        return AppendAsync(message);
    }

    /// <inheritdoc />
    public override Task PublishResponseAsync(string requesterUid, ClusterMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return PublishRawAsync(RedisChannel.Literal($"{_channel}{requesterUid}#"), RedisStreamsCodec.EncodeMessage(response));
    }

    /// <inheritdoc />
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("NUMSUB", _channel);

    /// <inheritdoc />
    public async Task<string> AppendAsync(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Connection.ThrowIfDisconnected();
        RedisValue id = await Database.StreamAddAsync(_stream, RedisStreamsCodec.EncodeEntry(message), maxLength: _streams.MaxLen, useApproximateMaxLength: true).ConfigureAwait(false);
        return (string)id!;
    }

    /// <inheritdoc />
    public Task PersistSessionAsync(RecoverySession session, TimeSpan maxDisconnectionDuration)
    {
        ArgumentNullException.ThrowIfNull(session);
        Connection.ThrowIfDisconnected();
        return Database.StringSetAsync(_streams.SessionKeyPrefix + session.Pid, RedisStreamsCodec.EncodeSession(session), maxDisconnectionDuration);
    }

    /// <inheritdoc />
    public async Task<RecoverySession?> TakeSessionAsync(string pid, string offset)
    {
        ArgumentNullException.ThrowIfNull(pid);
        ArgumentNullException.ThrowIfNull(offset);
        if (!RedisStreamsCodec.IsEntryId(offset))
        {
            return null; // as the reference: "invalid offset"
        }

        Connection.ThrowIfDisconnected();
        Task<RedisValue> session = Database.StringGetDeleteAsync(_streams.SessionKeyPrefix + pid);
        Task<StreamEntry[]> known = Database.StreamRangeAsync(_stream, offset, offset);
        RedisValue raw = await session.ConfigureAwait(false);
        StreamEntry[] entries = await known.ConfigureAwait(false);
        if (raw.IsNullOrEmpty || entries.Length == 0)
        {
            return null; // unknown or expired session, or an offset the stream no longer holds
        }

        return RedisStreamsCodec.DecodeSession(raw!);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClusterMessage>> ReadLogAsync(string after, string until)
    {
        var messages = new List<ClusterMessage>();
        string from = after;
        for (int page = 0; page < MaxRangePages; page++)
        {
            StreamEntry[] entries = await Database.StreamRangeAsync(_stream, RedisStreamsCodec.Next(from), until, RangePage).ConfigureAwait(false);
            foreach (StreamEntry entry in entries)
            {
                from = (string)entry.Id!;
                var fields = new Dictionary<string, string>(entry.Values.Length, StringComparer.Ordinal);
                foreach (NameValueEntry value in entry.Values)
                {
                    fields[(string)value.Name!] = (string)value.Value!;
                }

                if (fields.TryGetValue("nsp", out string? nsp) && nsp == Namespace && fields.TryGetValue("type", out string? type) && type == "3")
                {
                    try
                    {
                        messages.Add(RedisStreamsCodec.DecodeEntry(fields, from));
                    }
                    catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or Protocol.SocketIoParseException)
                    {
                        Handler.OnInvalidMessage(_stream, ex);
                    }
                }
            }

            if (entries.Length < RangePage)
            {
                break;
            }
        }

        return messages;
    }

    /// <inheritdoc />
    public Task<T> RunBetweenDeliveriesAsync<T>(Func<string?, Task<T>> action) => _reader.RunBetweenDeliveriesAsync(action);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_reader.Remove(this))
        {
            _released(_reader);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
