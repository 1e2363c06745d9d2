using System.Security.Cryptography;
using StackExchange.Redis;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis;

/// <summary>
/// The classic flavour (@socket.io/redis-adapter's <c>createAdapter</c>): broadcasts on
/// <c>key#nsp#</c> (or <c>key#nsp#room#</c> for a single room), heard through the pattern
/// <c>key#nsp#*</c>; requests on <c>key-request#nsp#</c>; answers on <c>key-response#nsp#</c> (and
/// <c>…#uid#</c>). The server count is the request channel's subscriber count.
/// </summary>
public sealed class ClassicRedisTransport : RedisTransport
{
    private const string UrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private string _channel = "";
    private string _requestChannel = "";
    private string _responseChannel = "";

    /// <summary>Creates the transport.</summary>
    public ClassicRedisTransport(RedisConnection connection, RedisAdapterOptions options)
        : base(connection, options)
    {
    }

    /// <inheritdoc />
    public override bool SupportsAllRooms => true;

    /// <summary>Six URL-safe characters, as the reference's uid2(6).</summary>
    protected override string NewUid() => RandomId(6);

    /// <inheritdoc />
    public override string NewRequestId() => RandomId(6);

    internal static string RandomId(int length)
    {
        Span<byte> bytes = stackalloc byte[length];
        RandomNumberGenerator.Fill(bytes);
        return string.Create(length, bytes.ToArray(), static (chars, b) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = UrlSafe[b[i] & 63];
            }
        });
    }

    /// <inheritdoc />
    protected override async Task SubscribeAsync()
    {
        _channel = $"{Options.Key}#{Namespace}#";
        _requestChannel = $"{Options.Key}-request#{Namespace}#";
        _responseChannel = $"{Options.Key}-response#{Namespace}#";
        await SubscribeAsync(RedisChannel.Pattern(_channel + "*"), OnBroadcast).ConfigureAwait(false);
        await SubscribeAsync(RedisChannel.Literal(_requestChannel), OnRequest).ConfigureAwait(false);
        await SubscribeAsync(RedisChannel.Literal(_responseChannel), OnResponse).ConfigureAwait(false);
        await SubscribeAsync(RedisChannel.Literal($"{_responseChannel}{Uid}#"), OnResponse).ConfigureAwait(false);
    }

    private void OnBroadcast(string channel, ReadOnlyMemory<byte> raw)
    {
        if (ClassicRedisCodec.DecodeBroadcast(raw, Namespace) is ClusterMessage message)
        {
            Handler.OnMessage(message);
        }
    }

    private void OnRequest(string channel, ReadOnlyMemory<byte> raw)
    {
        ClusterMessage? message = ClassicRedisCodec.DecodeRequest(raw, Namespace, out ClassicLegacyRequest? legacy);
        if (legacy is not null)
        {
            OnLegacyRequest(message, legacy);
        }
        else if (message is not null)
        {
            Handler.OnMessage(message);
        }
    }

    /// <summary>
    /// The legacy forms, as the reference still answers them: the server holding the single socket
    /// joins, leaves or disconnects it and answers <c>{requestId}</c> (the others stay silent); a
    /// SOCKETS query is answered by every server with its local socket ids in the rooms.
    /// </summary>
    private void OnLegacyRequest(ClusterMessage? message, ClassicLegacyRequest legacy)
    {
        if (Handler is not InMemoryAdapter adapter)
        {
            return;
        }

        if (legacy.IsSocketsQuery)
        {
            _ = AnswerSocketsQueryAsync(adapter, legacy);
            return;
        }

        if (message is null || legacy.Sid is null || !adapter.Namespace.Sockets.ContainsKey(legacy.Sid))
        {
            return;
        }

        Handler.OnMessage(message);
        _ = AnswerLegacyAsync(legacy, ClassicRedisCodec.EncodeLegacyAnswer(legacy.RequestId, null));
    }

    private async Task AnswerSocketsQueryAsync(InMemoryAdapter adapter, ClassicLegacyRequest legacy)
    {
        IReadOnlySet<string> ids = await adapter.Sockets(new HashSet<string>(legacy.Rooms, StringComparer.Ordinal)).ConfigureAwait(false);
        await AnswerLegacyAsync(legacy, ClassicRedisCodec.EncodeLegacyAnswer(legacy.RequestId, ids)).ConfigureAwait(false);
    }

    private async Task AnswerLegacyAsync(ClassicLegacyRequest legacy, byte[] answer)
    {
        // A requester without a uid has no channel of its own: it hears the shared one.
        string channel = Options.PublishOnSpecificResponseChannel && legacy.Uid is not null ? $"{_responseChannel}{legacy.Uid}#" : _responseChannel;
        try
        {
            await PublishRawAsync(RedisChannel.Literal(channel), answer).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // Redis is down (the connection logs it): the requester times out, as with any lost answer.
        }
    }

    private void OnResponse(string channel, ReadOnlyMemory<byte> raw)
    {
        if (ClassicRedisCodec.DecodeResponse(raw, Namespace) is ClusterMessage message)
        {
            Handler.OnResponse(message);
        }
    }

    /// <inheritdoc />
    public override Task PublishAsync(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Type == ClusterMessageType.Broadcast && message.RequestId is null)
        {
            string channel = message.Options is { Rooms.Count: 1 } options ? _channel + options.Rooms.First() + "#" : _channel;
            return PublishRawAsync(RedisChannel.Literal(channel), ClassicRedisCodec.EncodeBroadcast(message));
        }

        return PublishRawAsync(RedisChannel.Literal(_requestChannel), ClassicRedisCodec.EncodeRequest(message));
    }

    /// <inheritdoc />
    public override Task PublishResponseAsync(string requesterUid, ClusterMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        // The reference answers server-side emits on the shared channel whatever the option says.
        string channel = Options.PublishOnSpecificResponseChannel && response.Type != ClusterMessageType.ServerSideEmitResponse
            ? $"{_responseChannel}{requesterUid}#"
            : _responseChannel;
        return PublishRawAsync(RedisChannel.Literal(channel), ClassicRedisCodec.EncodeResponse(response));
    }

    /// <inheritdoc />
    public override Task<int> ServerCountAsync() => CountSubscribersAsync("NUMSUB", _requestChannel);

    /// <inheritdoc />
    public override string TimeoutMessage(ClusterMessageType type, int received, int expected) => type switch
    {
        ClusterMessageType.FetchSockets => "timeout reached while waiting for fetchSockets response",
        ClusterMessageType.AllRooms => "timeout reached while waiting for allRooms response",
        _ => base.TimeoutMessage(type, received, expected),
    };
}
