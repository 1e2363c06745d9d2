using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Server.Engine;

/// <summary>The Engine.IO server's log messages.</summary>
internal sealed partial class EngineLog
{
    private readonly ILogger _logger;

    public EngineLog(ILogger logger) => _logger = logger;

    [LoggerMessage(1, LogLevel.Debug, "Engine.IO session {SessionId} opened over {Transport} (protocol {Protocol}).")]
    public partial void SessionOpened(string sessionId, string transport, int protocol);

    [LoggerMessage(2, LogLevel.Debug, "Engine.IO session {SessionId} closed: {Reason} ({Description}).")]
    public partial void SessionClosed(string sessionId, string reason, string? description);

    [LoggerMessage(3, LogLevel.Debug, "Engine.IO request refused with code {Code}: {Message}.")]
    public partial void RequestRefused(EngineErrorCode code, string message);

    [LoggerMessage(4, LogLevel.Error, "An Engine.IO handler of session {SessionId} threw.")]
    public partial void HandlerFailed(string sessionId, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "The Engine.IO connection handler threw; the session is closed.")]
    public partial void ConnectionHandlerFailed(Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "The Engine.IO session id generator threw; the handshake is refused.")]
    public partial void IdGenerationFailed(Exception exception);
}
