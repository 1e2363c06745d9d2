namespace TypedSocketIo.Client;

/// <summary>The Engine.IO connection could not be opened or broke (the reference's transport errors).</summary>
public sealed class EngineConnectException : SocketIoException
{
    /// <summary>Creates the exception.</summary>
    public EngineConnectException(string message, int? statusCode = null, byte[]? body = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        Body = body;
    }

    /// <summary>The HTTP status the server answered with, when it answered.</summary>
    public int? StatusCode { get; }

    /// <summary>The body of the server's error answer (Engine.IO errors are JSON: <c>{"code":…,"message":…}</c>).</summary>
    public byte[]? Body { get; }
}
