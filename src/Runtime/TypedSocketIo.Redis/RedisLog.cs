using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Redis connection lost ({FailureType}, {ConnectionType} to {EndPoint}): cross-server traffic stops until it is back; local clients are still served.")]
    public static partial void ConnectionFailed(ILogger logger, string failureType, string connectionType, string endPoint, Exception? error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Redis connection restored ({ConnectionType} to {EndPoint}); {Channels} channel subscription(s) renewed.")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType, string endPoint, int channels);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Redis subscription to {Channel} failed.")]
    public static partial void SubscribeFailed(ILogger logger, string channel, Exception error);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Reading the Redis stream {Stream} failed; retrying.")]
    public static partial void StreamReadFailed(ILogger logger, string stream, Exception error);
}
