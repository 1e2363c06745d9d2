using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Server;

/// <summary>The Socket.IO server's log messages.</summary>
internal sealed partial class SocketIoLog
{
    private readonly ILogger _logger;

    public SocketIoLog(ILogger logger) => _logger = logger;

    [LoggerMessage(101, LogLevel.Debug, "Socket {SocketId} connected to {Namespace}.")]
    public partial void SocketConnected(string socketId, string @namespace);

    [LoggerMessage(102, LogLevel.Debug, "Socket {SocketId} left {Namespace}: {Reason}.")]
    public partial void SocketDisconnected(string socketId, string @namespace, string reason);

    [LoggerMessage(103, LogLevel.Error, "A handler of {SocketId} for '{EventName}' threw.")]
    public partial void HandlerFailed(string socketId, string eventName, Exception exception);

    [LoggerMessage(106, LogLevel.Warning, "Socket {SocketId} sent '{EventName}' with arguments its contract does not accept: {Reason}")]
    public partial void EventRejected(string socketId, string eventName, string reason);

    [LoggerMessage(107, LogLevel.Warning, "Connection {ConnectionId} was refused with data of type {DataType} that the JSON options cannot serialize; the refusal is sent without data.")]
    public partial void ErrorDataNotSerializable(string connectionId, string dataType, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "A handler of {SocketId} for '{EventName}' was cancelled: the socket disconnected.")]
    public partial void HandlerCancelled(string socketId, string eventName);

    [LoggerMessage(104, LogLevel.Debug, "Connection {ConnectionId} sent an invalid packet and is closed: {Message}")]
    public partial void ParseError(string connectionId, string message);

    [LoggerMessage(105, LogLevel.Debug, "Connection {ConnectionId} joined no namespace in time and is closed.")]
    public partial void ConnectTimeout(string connectionId);

    [LoggerMessage(109, LogLevel.Warning, "Connection {ConnectionId} is closed: {Description} ({Option}).")]
    public partial void LimitExceeded(string connectionId, string option, string description);

    [LoggerMessage(110, LogLevel.Error, "A middleware of namespace {Namespace} threw; the connection is refused with a generic message.")]
    public partial void MiddlewareFailed(string @namespace, Exception exception);

    [LoggerMessage(111, LogLevel.Warning, "The session of socket {SocketId} in {Namespace} could not be kept for recovery.")]
    public partial void PersistSessionFailed(string socketId, string @namespace, Exception exception);

    [LoggerMessage(112, LogLevel.Warning, "A session of {Namespace} could not be restored; the client gets a new one.")]
    public partial void RestoreSessionFailed(string @namespace, Exception exception);

    [LoggerMessage(113, LogLevel.Debug, "Socket {SocketId} of {Namespace} was recovered with {Missed} missed events.")]
    public partial void SocketRecovered(string socketId, string @namespace, int missed);
}
