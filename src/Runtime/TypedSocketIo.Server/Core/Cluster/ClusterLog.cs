using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Server.Cluster;

/// <summary>The cluster adapter's log messages.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Cluster adapter {Uid} of namespace {Namespace} started.")]
    public static partial void Started(ILogger logger, string uid, string @namespace);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Cluster adapter {Uid} of namespace {Namespace} could not subscribe.")]
    public static partial void SubscribeFailed(ILogger logger, string uid, string @namespace, Exception error);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Cluster adapter {Uid} could not publish {Type} on namespace {Namespace}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string uid, ClusterMessageType type, string @namespace, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Cluster adapter {Uid} ignored an unreadable message on {Channel}.")]
    public static partial void InvalidMessage(ILogger logger, string uid, string channel, Exception error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Cluster adapter {Uid} failed to handle {Message}.")]
    public static partial void HandleFailed(ILogger logger, string uid, ClusterMessage message, Exception error);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Cluster request {RequestId} ({Type}) on namespace {Namespace} timed out: {Reason}")]
    public static partial void RequestTimedOut(ILogger logger, string requestId, ClusterMessageType type, string @namespace, string reason);
}
