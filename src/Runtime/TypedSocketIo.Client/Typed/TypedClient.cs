using System.Text.Json;

namespace TypedSocketIo.Client;

/// <summary>
/// A typed client socket: <typeparamref name="TListen"/> declares the events the server sends
/// (handled with <c>On.EventName(…)</c>), <typeparamref name="TEmit"/> the events this client sends
/// (<c>Emit.EventName(…)</c>); the code behind both is generated from the contracts.
/// </summary>
public sealed class SocketIoClient<TListen, TEmit> : IAsyncDisposable
    where TListen : class
    where TEmit : class
{
    private TEmit? _emit;

    /// <summary>Wraps an untyped client socket.</summary>
    public SocketIoClient(SocketIoClient socket) => Untyped = socket ?? throw new ArgumentNullException(nameof(socket));

    /// <summary>The untyped socket underneath.</summary>
    public SocketIoClient Untyped { get; }

    /// <summary>The connection.</summary>
    public Manager Io => Untyped.Io;

    /// <inheritdoc cref="SocketIoClient.Id" />
    public string? Id => Untyped.Id;

    /// <inheritdoc cref="SocketIoClient.Connected" />
    public bool Connected => Untyped.Connected;

    /// <inheritdoc cref="SocketIoClient.Recovered" />
    public bool Recovered => Untyped.Recovered;

    /// <inheritdoc cref="SocketIoClient.Active" />
    public bool Active => Untyped.Active;

    /// <summary>Typed handler registration: <c>client.On.Message(m => …)</c> (generated per event).</summary>
    public Listeners<TListen> On => new(Untyped);

    /// <summary>Typed emits: <c>client.Emit.Typing(true)</c>; events returning a task wait for the acknowledgement.</summary>
    public TEmit Emit => _emit ??= SocketIoContract<TEmit>.CreateEmitter(Untyped);

    /// <summary>Typed emits whose acknowledgements must arrive within <paramref name="timeout"/>.</summary>
    public ClientEmitter<TEmit> Timeout(TimeSpan timeout) => new(Untyped.Timeout(timeout));

    /// <summary>Typed emits dropped unless they can be sent at once.</summary>
    public ClientEmitter<TEmit> Volatile => new(Untyped.Volatile);

    /// <inheritdoc cref="SocketIoClient.JsonOptions" />
    public JsonSerializerOptions JsonOptions => Untyped.JsonOptions;

    /// <inheritdoc cref="SocketIoClient.Connect" />
    public SocketIoClient<TListen, TEmit> Connect()
    {
        Untyped.Connect();
        return this;
    }

    /// <inheritdoc cref="SocketIoClient.ConnectAsync" />
    public Task ConnectAsync(CancellationToken cancellationToken = default) => Untyped.ConnectAsync(cancellationToken);

    /// <inheritdoc cref="SocketIoClient.Disconnect" />
    public SocketIoClient<TListen, TEmit> Disconnect()
    {
        Untyped.Disconnect();
        return this;
    }

    /// <inheritdoc cref="SocketIoClient.OnConnect" />
    public IDisposable OnConnect(Action handler) => Untyped.OnConnect(handler);

    /// <inheritdoc cref="SocketIoClient.OnConnectError" />
    public IDisposable OnConnectError(Action<SocketIoConnectException> handler) => Untyped.OnConnectError(handler);

    /// <inheritdoc cref="SocketIoClient.OnDisconnect" />
    public IDisposable OnDisconnect(Action<string, string?> handler) => Untyped.OnDisconnect(handler);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Untyped.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => Untyped.ToString();
}

/// <summary>
/// Typed emits from a client with flags (<c>client.Timeout(t).Emit.EventName(args)</c>), the same
/// shape as the server's <c>socket.Timeout(t).Emit.EventName(args)</c>.
/// </summary>
public readonly struct ClientEmitter<TEmit>
    where TEmit : class
{
    private readonly ClientEmitter _untyped;

    internal ClientEmitter(ClientEmitter untyped) => _untyped = untyped;

    /// <summary>Emits with these flags.</summary>
    public TEmit Emit => SocketIoContract<TEmit>.CreateEmitter(_untyped.Target);

    /// <summary>Adds a timeout for acknowledgements.</summary>
    public ClientEmitter<TEmit> Timeout(TimeSpan timeout) => new(_untyped.Timeout(timeout));

    /// <summary>Makes the emit volatile: dropped rather than buffered when the socket cannot send now.</summary>
    public ClientEmitter<TEmit> Volatile => new(_untyped.Volatile);
}
