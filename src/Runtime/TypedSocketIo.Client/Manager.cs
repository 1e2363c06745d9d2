using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TypedSocketIo.Client.EngineIO;
using TypedSocketIo.Events;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>
/// One connection to a Socket.IO server, shared by the namespace sockets created from it, with
/// reconnection (the reference's Manager). Its events are its own: sockets do not forward them.
/// </summary>
public sealed partial class Manager : IAsyncDisposable
{
    private enum State
    {
        Closed,
        Opening,
        Open,
    }

    private readonly object _gate = new();
    private readonly Dictionary<string, SocketIoClient> _sockets = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly Backoff _backoff;
    private readonly ListenerList<Action> _open = new();
    private readonly ListenerList<Action<Exception>> _error = new();
    private readonly ListenerList<Action<string, string?>> _close = new();
    private readonly ListenerList<Action> _ping = new();
    private readonly ListenerList<Action<SocketIoPacket>> _packet = new();
    private readonly ListenerList<Action<int>> _reconnectAttempt = new();
    private readonly ListenerList<Action<int>> _reconnect = new();
    private readonly ListenerList<Action<Exception>> _reconnectError = new();
    private readonly ListenerList<Action> _reconnectFailed = new();
    private EngineClient? _engine;
    // Every session not ended yet (the current one and those still saying goodbye): disposal waits for them.
    private readonly HashSet<EngineClient> _sessions = new();
    private ISocketIoDecoder _decoder;
    private State _state;
    private Task<Exception?>? _opening;
    private bool _skipReconnect;
    private bool _reconnectOnOpenFailure;
    private bool _disposed;
    private bool _reconnecting;
    private CancellationTokenSource? _reconnectDelay;

    /// <summary>Creates a manager for the server at <paramref name="uri"/> (its path is not a namespace here: sockets name theirs).</summary>
    public Manager(Uri uri, ManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new ArgumentException("The server URI must be absolute, with the scheme http, https, ws or wss.", nameof(uri));
        }

        Options = options ?? new ManagerOptions();
        Options.Validate();
        Uri = uri;
        JsonOptions = Options.JsonOptions ?? SocketIoJson.DefaultOptions;
        _decoder = Options.Parser.CreateDecoder();
        Logger = (ILogger?)Options.LoggerFactory?.CreateLogger("TypedSocketIo.Client") ?? NullLogger.Instance;
        _backoff = new Backoff(Options.ReconnectionDelay, Options.ReconnectionDelayMax, Options.RandomizationFactor);
        _http = new HttpClient(Options.HttpHandler ?? new SocketsHttpHandler { UseCookies = false }, disposeHandler: Options.HttpHandler is null)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        Engine = new EngineEvents(this);
    }

    /// <summary>The server's address (its query is sent with every request).</summary>
    public Uri Uri { get; }

    /// <summary>The options given.</summary>
    public ManagerOptions Options { get; }

    /// <summary>Whether a reconnection is under way.</summary>
    public bool Reconnecting
    {
        get
        {
            lock (_gate)
            {
                return _reconnecting;
            }
        }
    }

    /// <summary>The Engine.IO session id, while connected.</summary>
    public string? EngineId => Volatile.Read(ref _engine)?.Id;

    /// <summary>The transport in use ("polling" or "websocket"), while connected.</summary>
    public string? Transport => Volatile.Read(ref _engine)?.TransportName;

    /// <summary>
    /// The events of the Engine.IO connection underneath (the reference's <c>manager.engine</c>
    /// events): open, upgrade, upgradeError, packet, packetCreate, ping, close.
    /// </summary>
    public EngineEvents Engine { get; }

    internal JsonSerializerOptions JsonOptions { get; }

    internal ILogger Logger { get; }

    internal bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Open;
            }
        }
    }

    /// <summary>Whether a packet sent now would go out at once (volatile packets are dropped otherwise).</summary>
    internal bool Writable => Volatile.Read(ref _engine) is { } engine && IsOpen && engine.Writable;

    /// <summary>The socket of namespace <paramref name="nsp"/> on this connection (the same one for the same namespace).</summary>
    public SocketIoClient Socket(string nsp = "/", SocketOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nsp);
        nsp = nsp.Length == 0 ? "/" : nsp[0] == '/' ? nsp : "/" + nsp;
        SocketIoClient? socket;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sockets.TryGetValue(nsp, out socket))
            {
                socket = new SocketIoClient(this, nsp, options ?? new SocketOptions());
                _sockets.Add(nsp, socket);
            }
        }

        if (Options.AutoConnect)
        {
            socket.Connect();
        }

        return socket;
    }

    internal bool HasSocket(string nsp)
    {
        lock (_gate)
        {
            return _sockets.ContainsKey(nsp);
        }
    }

    /// <summary>Connects (the reference's open(callback)): completes once connected, throws when the attempt fails (no reconnection follows).</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        Exception? error = await StartOpen().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw error;
        }
    }

    /// <summary>
    /// Closes the connection (the goodbye goes out in the background; <see cref="DisposeAsync"/>
    /// waits for it); no reconnection follows. The manager and its connected sockets see "forced close".
    /// </summary>
    public void Close()
    {
        EngineClient? engine;
        lock (_gate)
        {
            _skipReconnect = true;
            _reconnecting = false;
            _reconnectDelay?.Cancel();
            engine = _engine;
        }

        OnClose(engine, "forced close", null, closedByEngine: false);
        engine?.Close();
    }

    /// <summary>
    /// Disconnects every socket, closes the connection and releases its resources; the manager
    /// cannot connect again. Completes once the goodbye (each socket's DISCONNECT, then the close)
    /// has gone out, or after a bounded wait (about 2 s, 3 s on a WebSocket) when the server does
    /// not take it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        SocketIoClient[] sockets;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            sockets = [.. _sockets.Values];
        }

        foreach (SocketIoClient socket in sockets)
        {
            socket.Disconnect();
        }

        Close();
        SocketIoClient.Forget(this);

        // The HTTP client carries the goodbye over polling: it is disposed only once every session
        // has ended (each ends within its goodbye timeout; the wait below is only a backstop).
        Task ended;
        lock (_gate)
        {
            ended = _sessions.Count == 0 ? Task.CompletedTask : Task.WhenAll(_sessions.Select(static e => e.Ended));
        }

        try
        {
            await ended.WaitAsync(EngineClient.GoodbyeTimeout * 3).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.GoodbyeTimedOut(Logger, Uri);
        }

        _http.Dispose();
    }

    /// <summary>A socket was disposed: once every socket of the manager is, the manager is too.</summary>
    internal ValueTask SocketDisposed(SocketIoClient socket)
    {
        lock (_gate)
        {
            if (_sockets.TryGetValue(socket.Namespace, out SocketIoClient? current) && current == socket)
            {
                _sockets.Remove(socket.Namespace);
            }

            if (_sockets.Count > 0)
            {
                return ValueTask.CompletedTask;
            }
        }

        return DisposeAsync();
    }

    /// <summary>The connection opened (and after each reconnection).</summary>
    public IDisposable OnOpen(Action handler) => _open.Add(handler);

    /// <summary>A connection attempt failed.</summary>
    public IDisposable OnError(Action<Exception> handler) => _error.Add(handler);

    /// <summary>The connection closed: the reason ("transport close", "transport error", "ping timeout", "parse error", "forced close") and a description.</summary>
    public IDisposable OnClose(Action<string, string?> handler) => _close.Add(handler);

    /// <summary>A ping arrived from the server.</summary>
    public IDisposable OnPing(Action handler) => _ping.Add(handler);

    /// <summary>A Socket.IO packet arrived (any namespace).</summary>
    public IDisposable OnPacket(Action<SocketIoPacket> handler) => _packet.Add(handler);

    /// <summary>A reconnection attempt starts (its number, from 1).</summary>
    public IDisposable OnReconnectAttempt(Action<int> handler) => _reconnectAttempt.Add(handler);

    /// <summary>A reconnection succeeded (after that many attempts).</summary>
    public IDisposable OnReconnect(Action<int> handler) => _reconnect.Add(handler);

    /// <summary>A reconnection attempt failed.</summary>
    public IDisposable OnReconnectError(Action<Exception> handler) => _reconnectError.Add(handler);

    /// <summary>No reconnection attempt is left.</summary>
    public IDisposable OnReconnectFailed(Action handler) => _reconnectFailed.Add(handler);

    /// <summary>Opens unless open or opening; a failure is followed by reconnection when enabled (the reference's open() without callback).</summary>
    internal void Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_reconnecting)
            {
                return;
            }

            _reconnectOnOpenFailure = true;
        }

        _ = StartOpen();
    }

    /// <summary>Sends a Socket.IO packet.</summary>
    internal void Packet(SocketIoPacket packet)
    {
        EngineClient? engine = Volatile.Read(ref _engine);
        engine?.Send(Options.Parser.Encode(packet));
    }

    /// <summary>A socket no longer active: when none is left, the connection closes (the reference's _destroy).</summary>
    internal void SocketClosed(SocketIoClient socket)
    {
        lock (_gate)
        {
            foreach (SocketIoClient other in _sockets.Values)
            {
                if (other.Active)
                {
                    return;
                }
            }
        }

        Close();
    }

    private SocketIoClient[] SocketsSnapshot()
    {
        lock (_gate)
        {
            return [.. _sockets.Values];
        }
    }

    internal void HandlerFailed(Exception ex) => Log.HandlerFailed(Logger, ex);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connected to {Uri} (session {Sid}, {Transport}).")]
        public static partial void Opened(ILogger logger, Uri uri, string? sid, string? transport);

        [LoggerMessage(2, LogLevel.Information, "Could not connect to {Uri}: {Reason}")]
        public static partial void OpenFailed(ILogger logger, Uri uri, string reason);

        [LoggerMessage(3, LogLevel.Information, "Connection to {Uri} closed: {Reason} ({Description}).")]
        public static partial void Closed(ILogger logger, Uri uri, string reason, string? description);

        [LoggerMessage(4, LogLevel.Debug, "Reconnecting to {Uri}: attempt {Attempt}.")]
        public static partial void ReconnectAttempt(ILogger logger, Uri uri, int attempt);

        [LoggerMessage(5, LogLevel.Warning, "Gave up reconnecting to {Uri}.")]
        public static partial void ReconnectFailed(ILogger logger, Uri uri);

        [LoggerMessage(6, LogLevel.Warning, "A packet from the server could not be decoded: {Reason}")]
        public static partial void ParseError(ILogger logger, string reason);

        [LoggerMessage(7, LogLevel.Error, "An event handler threw.")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(8, LogLevel.Warning, "The connection to {Uri} did not end in time while the manager was disposed.")]
        public static partial void GoodbyeTimedOut(ILogger logger, Uri uri);

        [LoggerMessage(9, LogLevel.Debug, "The connection to {Uri} upgraded to {Transport}.")]
        public static partial void Upgraded(ILogger logger, Uri uri, string transport);

        [LoggerMessage(10, LogLevel.Debug, "The connection to {Uri} could not upgrade: {Reason}")]
        public static partial void UpgradeFailed(ILogger logger, Uri uri, string reason);
    }
}
