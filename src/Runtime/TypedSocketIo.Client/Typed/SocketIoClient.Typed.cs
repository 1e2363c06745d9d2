namespace TypedSocketIo.Client;

/// <summary>The typed facade's entry point on the client (the typed layer, above the untyped socket).</summary>
public sealed partial class SocketIoClient
{
    /// <summary>A typed socket: <typeparamref name="TListen"/> are the server's events to this client, <typeparamref name="TEmit"/> this client's events to the server.</summary>
    public static SocketIoClient<TListen, TEmit> Create<TListen, TEmit>(Uri uri, SocketIoClientOptions? options = null)
        where TListen : class
        where TEmit : class =>
        new(Create(uri, options));
}
