using System.Text.Json;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Events;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>
/// A client socket of one namespace (the reference's socket.io-client Socket): connects through its
/// <see cref="Manager"/>, buffers emits while disconnected, reconnects with the manager, and
/// dispatches the server's events to handlers, one at a time in arrival order, off the receive path
/// (so a handler that waits for an acknowledgement does not hold up that acknowledgement).
/// </summary>
public sealed partial class SocketIoClient : ISocketIoEmitTarget, ISocketIoListenTarget, IAsyncDisposable
{
    private static readonly Dictionary<string, Manager> s_managers = new(StringComparer.Ordinal);

    private readonly object _gate = new();
    private readonly SocketOptions _options;
    private readonly EventHandlerRegistry<ClientEvent> _handlers = new();
    private readonly ListenerList<Action<ClientEvent>> _any = new();
    private readonly ListenerList<Action<string, SocketIoArgs>> _anyOutgoing = new();
    private readonly ListenerList<Action> _connect = new();
    private readonly ListenerList<Action<SocketIoConnectException>> _connectError = new();
    private readonly ListenerList<Action<string, string?>> _disconnect = new();
    private readonly List<SocketIoPacket> _sendBuffer = new();
    private readonly AckRegistry _acks;
    private readonly List<QueuedEmit> _queue = new();
    private readonly EventInbox<ClientEvent> _inbox;
    private readonly List<TaskCompletionSource> _connectWaiters = new();
    private bool _active;
    private bool _connecting;
    private bool _connected;
    private string? _id;
    private long _ids;
    private CancellationTokenSource _aborted = new();

    internal SocketIoClient(Manager io, string nsp, SocketOptions options)
    {
        Io = io;
        Namespace = nsp;
        _options = options;
        if (options.Retries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Retries must not be negative.");
        }

        _acks = new AckRegistry(abandoned: DropBuffered);
        _inbox = new EventInbox<ClientEvent>(
            static (client, e) =>
            {
                ((SocketIoClient)client).Dispatch(e);
                return Task.CompletedTask;
            },
            this,
            limit: int.MaxValue, // the server sets the pace: what it sent is handled, in order
            preferLocal: false);
    }

    /// <summary>
    /// A socket for the namespace in <paramref name="uri"/>'s path ("/" when none), on a connection
    /// shared with the other namespaces of the same server unless <see cref="SocketIoClientOptions.ForceNew"/>
    /// or <see cref="SocketIoClientOptions.Multiplex"/> say otherwise (the reference's io(url, options)).
    /// Connects at once unless <see cref="ManagerOptions.AutoConnect"/> is false.
    /// </summary>
    public static SocketIoClient Create(Uri uri, SocketIoClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new SocketIoClientOptions();
        string nsp = string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath;
        var server = new UriBuilder(uri) { Path = "/", Fragment = "" }.Uri;
        string key = server.GetLeftPart(UriPartial.Authority) + "|" + options.Path;
        Manager io;
        lock (s_managers)
        {
            bool sameNamespace = s_managers.TryGetValue(key, out Manager? cached) && cached.HasSocket(nsp);
            if (options.ForceNew || !options.Multiplex || sameNamespace || cached is null)
            {
                io = new Manager(server, options);
                if (options.Multiplex && !options.ForceNew && !sameNamespace)
                {
                    s_managers[key] = io;
                }
            }
            else
            {
                io = cached;
            }
        }

        return io.Socket(nsp, options.ToSocketOptions());
    }

    /// <summary>The connection this socket uses.</summary>
    public Manager Io { get; }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>The socket's id on the server, while connected.</summary>
    public string? Id
    {
        get
        {
            lock (_gate)
            {
                return _id;
            }
        }
    }

    /// <summary>Whether the socket is connected to its namespace.</summary>
    public bool Connected
    {
        get
        {
            lock (_gate)
            {
                return _connected;
            }
        }
    }

    /// <summary>Whether the socket is connected or trying to (it reconnects with its manager); false once disconnected by either side.</summary>
    public bool Active
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>How payloads are serialized.</summary>
    public JsonSerializerOptions JsonOptions => Io.JsonOptions;

    /// <summary>Starts connecting (the reference's connect()/open()); returns at once.</summary>
    public SocketIoClient Connect()
    {
        lock (_gate)
        {
            if (_connected)
            {
                return this;
            }

            _active = true;
        }

        if (!Io.Reconnecting)
        {
            Io.Open();
        }

        if (Io.IsOpen)
        {
            OnManagerOpen();
        }

        return this;
    }

    /// <summary>
    /// Connects and waits for the connection. Throws <see cref="SocketIoConnectException"/> at the
    /// first connect error (a refusal by the server's middleware, or a failed connection attempt;
    /// the socket goes on reconnecting in the latter case while it is <see cref="Active"/>).
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_connected)
            {
                return;
            }

            _connectWaiters.Add(waiter);
        }

        Connect();
        try
        {
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _connectWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>Disconnects from the namespace (the connection closes when no socket uses it); no reconnection follows.</summary>
    public SocketIoClient Disconnect()
    {
        bool connected;
        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            connected = _connected;
            if (connected)
            {
                Io.Packet(new SocketIoPacket(SocketIoPacketType.Disconnect, Namespace));
            }

            _active = false;
            _connecting = false;
            waiters = [.. _connectWaiters];
        }

        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetException(new SocketIoConnectException("The socket was disconnected before it connected (io client disconnect)."));
        }

        Io.SocketClosed(this);
        if (connected)
        {
            OnClose("io client disconnect", null);
        }

        return this;
    }

    /// <summary>Disconnects; the manager is disposed with its last socket.</summary>
    public ValueTask DisposeAsync()
    {
        Disconnect();
        return Io.SocketDisposed(this);
    }

    /// <summary>Drops a disposed manager from the shared ones.</summary>
    internal static void Forget(Manager io)
    {
        lock (s_managers)
        {
            foreach (KeyValuePair<string, Manager> entry in s_managers)
            {
                if (entry.Value == io)
                {
                    s_managers.Remove(entry.Key);
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle events

    /// <summary>The socket connected to its namespace (again after each reconnection).</summary>
    public IDisposable OnConnect(Action handler) => _connect.Add(handler);

    /// <summary>The socket could not connect: the server refused it, or the connection failed.</summary>
    public IDisposable OnConnectError(Action<SocketIoConnectException> handler) => _connectError.Add(handler);

    /// <summary>
    /// The socket disconnected: the reason ("io server disconnect", "io client disconnect",
    /// "forced close", "ping timeout", "transport close", "transport error", "parse error") and a description.
    /// </summary>
    public IDisposable OnDisconnect(Action<string, string?> handler) => _disconnect.Add(handler);

    // ------------------------------------------------------------------ listening

    /// <summary>Handles the event <paramref name="eventName"/>; several handlers may share one event. Dispose the result to remove it.</summary>
    public IDisposable On(string eventName, Action<ClientEvent> handler) => _handlers.Add(eventName, handler);

    /// <summary>Handles the event <paramref name="eventName"/> asynchronously (its failure is logged).</summary>
    public IDisposable On(string eventName, Func<ClientEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _handlers.Add(eventName, handler);
    }

    /// <inheritdoc />
    IDisposable ISocketIoListenTarget.On(string eventName, Func<IncomingEvent, Task> handler) => On(eventName, handler);

    /// <inheritdoc />
    IDisposable ISocketIoListenTarget.On(string eventName, IncomingEventHandler handler) => _handlers.Add(eventName, handler);

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Off(string eventName) => _handlers.Remove(eventName);

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int ListenerCount(string eventName) => _handlers.Count(eventName);

    /// <summary>Hears every incoming event, before its handlers.</summary>
    public IDisposable OnAny(Action<ClientEvent> listener) => _any.Add(listener);

    /// <summary>Hears every incoming event, before the other catch-all listeners.</summary>
    public IDisposable PrependAny(Action<ClientEvent> listener) => _any.Add(listener, prepend: true);

    /// <summary>Removes a catch-all listener, or all of them.</summary>
    public void OffAny(Action<ClientEvent>? listener = null) => _any.Remove(listener);

    /// <summary>The catch-all listeners.</summary>
    public IReadOnlyList<Action<ClientEvent>> ListenersAny() => _any.Items;

    /// <summary>Hears every outgoing event as it is sent: its name and arguments.</summary>
    public IDisposable OnAnyOutgoing(Action<string, SocketIoArgs> listener) => _anyOutgoing.Add(listener);

    /// <summary>Hears every outgoing event, before the other outgoing listeners.</summary>
    public IDisposable PrependAnyOutgoing(Action<string, SocketIoArgs> listener) => _anyOutgoing.Add(listener, prepend: true);

    /// <summary>Removes an outgoing listener, or all of them.</summary>
    public void OffAnyOutgoing(Action<string, SocketIoArgs>? listener = null) => _anyOutgoing.Remove(listener);

    /// <summary>The outgoing listeners.</summary>
    public IReadOnlyList<Action<string, SocketIoArgs>> ListenersAnyOutgoing() => _anyOutgoing.Items;

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Debug, "Socket {Namespace} connected as {Id}.")]
        public static partial void Connected(ILogger logger, string @namespace, string id);

        [LoggerMessage(21, LogLevel.Information, "Socket {Namespace} could not connect: {Message}")]
        public static partial void ConnectError(ILogger logger, string @namespace, string message);

        [LoggerMessage(22, LogLevel.Debug, "Socket {Namespace} disconnected: {Reason}.")]
        public static partial void Disconnected(ILogger logger, string @namespace, string reason);

        [LoggerMessage(23, LogLevel.Debug, "Socket {Namespace}: the server disconnected it.")]
        public static partial void ServerDisconnect(ILogger logger, string @namespace);

        [LoggerMessage(24, LogLevel.Error, "Socket {Namespace}: a handler of \"{EventName}\" failed.")]
        public static partial void HandlerFailed(ILogger logger, string @namespace, string eventName, Exception exception);

        [LoggerMessage(25, LogLevel.Warning, "Socket {Namespace}: the event \"{EventName}\" was rejected: {Reason}")]
        public static partial void EventRejected(ILogger logger, string @namespace, string eventName, string reason);

        [LoggerMessage(26, LogLevel.Debug, "Socket {Namespace}: the volatile event \"{EventName}\" was dropped (not connected or the transport is busy).")]
        public static partial void VolatileDropped(ILogger logger, string @namespace, string eventName);
    }
}
