namespace TypedSocketIo.Server;

/// <summary>
/// Thrown by namespace middleware to refuse a connection: the client receives a connect_error
/// with <see cref="Exception.Message"/> as <c>err.message</c> and <see cref="ErrorData"/> as <c>err.data</c>.
/// </summary>
public sealed class ConnectionRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectionRejectedException(string message, object? errorData = null) : base(message)
    {
        ErrorData = errorData;
    }

    /// <summary>The value sent to the client as <c>err.data</c> (serialized as JSON).</summary>
    public object? ErrorData { get; }
}
