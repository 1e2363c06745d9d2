using System.Text.Json;

namespace TypedSocketIo.Client;

/// <summary>
/// A namespace socket could not connect (the reference's connect_error): the server's middleware
/// refused it (with its message and <see cref="RefusalData"/>), or the connection itself failed.
/// </summary>
public sealed class SocketIoConnectException : SocketIoException
{
    /// <summary>Creates the exception.</summary>
    public SocketIoConnectException(string message, JsonElement? data = null, Exception? innerException = null)
        : base(message, innerException)
    {
        RefusalData = data;
    }

    /// <summary>
    /// The data the server's middleware attached to its refusal, if any (the reference's
    /// <c>err.data</c>; <see cref="Exception.Data"/> is the usual dictionary of every exception).
    /// </summary>
    public JsonElement? RefusalData { get; }

    /// <summary>Whether the server refused the connection (a CONNECT_ERROR packet), rather than the connection failing.</summary>
    public bool RefusedByServer { get; private init; }

    /// <summary>The server's refusal, with its message and data.</summary>
    internal static SocketIoConnectException Refusal(string message, JsonElement? data) => new(message, data) { RefusedByServer = true };
}
