using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>The Engine.IO server's log messages.</summary>
internal sealed partial class EngineLog
{
    private readonly ILogger _logger;

    public EngineLog(ILogger logger) => _logger = logger;

    [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} opened over {Transport} (protocol {Protocol}).")]
    public partial void SessionOpened(string sessionId, string transport, int protocol);

    /// <summary>Logs a closed session, with its description when it has one.</summary>
    public void SessionClosed(string sessionId, string reason, string? description)
    {
        if (description is null)
        {
            SessionClosedWithoutDescription(sessionId, reason);
        }
        else
        {
            SessionClosedWithDescription(sessionId, reason, description);
        }
    }

    [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} closed: {Reason}.")]
    private partial void SessionClosedWithoutDescription(string sessionId, string reason);

    [LoggerMessage(7, LogLevel.Debug, "Engine.IO session {SessionId} closed: {Reason} ({Description}).")]
    private partial void SessionClosedWithDescription(string sessionId, string reason, string description);

    /// <summary>Logs a refusal with the protocol's numeric code (0-5), the one clients see, and its name.</summary>
    public void RequestRefused(EngineErrorCode code, string message) => RequestRefused((int)code, code, message);

    [LoggerMessage(3, LogLevel.Debug, "Engine.IO request refused with code {Code} ({CodeName}): {Message}.")]
    private partial void RequestRefused(int code, EngineErrorCode codeName, string message);

    [LoggerMessage(8, LogLevel.Warning, "Engine.IO session {SessionId} closed: its client is not reading and {QueuedBytes} bytes wait to be written (MaxSendBufferSize {Limit}).")]
    public partial void SendBufferFull(string sessionId, long queuedBytes, long limit);

    [LoggerMessage(4, LogLevel.Error, "An Engine.IO handler of session {SessionId} threw.")]
    public partial void HandlerFailed(string sessionId, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "The Engine.IO connection handler threw; the session is closed.")]
    public partial void ConnectionHandlerFailed(Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "The Engine.IO session id generator threw; the handshake is refused.")]
    public partial void IdGenerationFailed(Exception exception);
}
