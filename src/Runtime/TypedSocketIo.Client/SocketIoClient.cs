using System.Text.Json;
using Microsoft.Extensions.Logging;
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
    private readonly Dictionary<string, Handlers<Func<ClientEvent, Task>>> _handlers = new(StringComparer.Ordinal);
    private readonly Handlers<Action<ClientEvent>> _any = new();
    private readonly Handlers<Action<string, SocketIoArgs>> _anyOutgoing = new();
    private readonly Handlers<Action> _connect = new();
    private readonly Handlers<Action<SocketIoConnectException>> _connectError = new();
    private readonly Handlers<Action<string, string?>> _disconnect = new();
    private readonly List<SocketIoPacket> _sendBuffer = new();
    private readonly Dictionary<long, PendingAck> _acks = new();
    private readonly List<QueuedEmit> _queue = new();
    private readonly Queue<ClientEvent> _inbox = new();
    private readonly List<TaskCompletionSource> _connectWaiters = new();
    private bool _draining;
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
    public IDisposable On(string eventName, Action<ClientEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On(eventName, e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    /// <summary>Handles the event <paramref name="eventName"/> asynchronously (its failure is logged).</summary>
    public IDisposable On(string eventName, Func<ClientEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        Handlers<Func<ClientEvent, Task>> handlers;
        lock (_gate)
        {
            if (!_handlers.TryGetValue(eventName, out handlers!))
            {
                handlers = new Handlers<Func<ClientEvent, Task>>();
                _handlers.Add(eventName, handlers);
            }
        }

        return handlers.Add(handler);
    }

    /// <inheritdoc />
    IDisposable ISocketIoListenTarget.On(string eventName, Func<IncomingEvent, Task> handler) => On(eventName, e => handler(e));

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Off(string eventName)
    {
        lock (_gate)
        {
            _handlers.Remove(eventName);
        }
    }

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int ListenerCount(string eventName)
    {
        lock (_gate)
        {
            return _handlers.TryGetValue(eventName, out Handlers<Func<ClientEvent, Task>>? handlers) ? handlers.Items.Length : 0;
        }
    }

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

    // ------------------------------------------------------------------ emitting

    /// <summary>
    /// Emits <paramref name="eventName"/> with <paramref name="args"/> (byte arrays travel as binary
    /// attachments). Sent at once when connected, else buffered until the socket connects.
    /// </summary>
    /// <returns>True (false only for a volatile emit that was dropped).</returns>
    public bool Emit(string eventName, params object?[] args) => new ClientEmitter(this, default).Emit(eventName, args);

    /// <summary>Emits a "message" event.</summary>
    public bool Send(params object?[] args) => Emit("message", args);

    /// <summary>
    /// Emits <paramref name="eventName"/> without arguments and waits for the server's acknowledgement
    /// (bounded by <see cref="SocketOptions.AckTimeout"/> when set), until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        new ClientEmitter(this, default).EmitWithAck(eventName, cancellationToken);

    /// <summary>
    /// Emits <paramref name="eventName"/> with <paramref name="args"/> and waits for the server's
    /// acknowledgement (bounded by <see cref="SocketOptions.AckTimeout"/> when set), until
    /// <paramref name="cancellationToken"/> fires. The arguments are an array
    /// (<c>EmitWithAck("join", ["lobby"], token)</c>), so a token is never taken for an argument.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        new ClientEmitter(this, default).EmitWithAck(eventName, args, cancellationToken);

    /// <summary>The next emit's acknowledgement must arrive within <paramref name="timeout"/>, else it fails with <see cref="SocketIoTimeoutException"/>.</summary>
    public ClientEmitter Timeout(TimeSpan timeout) => new(this, new ClientEmitFlags { Timeout = timeout });

    /// <summary>The next emit is dropped unless it can be sent at once (not buffered).</summary>
    public ClientEmitter Volatile => new(this, new ClientEmitFlags { Volatile = true });

    /// <inheritdoc />
    bool ISocketIoEmitTarget.Emit(in EventData data) => Send(data, default, null, CancellationToken.None);

    /// <inheritdoc />
    Task<SocketIoArgs> ISocketIoEmitTarget.EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
        SendWithAck(data, default, cancellationToken);

    internal Task<SocketIoArgs> SendWithAck(in EventData data, ClientEmitFlags flags, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        Send(data, flags, ack, cancellationToken);
        return ack.Task;
    }

    /// <summary>The emit path of every API: the retry queue, the ack registration, then send or buffer.</summary>
    internal bool Send(in EventData data, ClientEmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack, CancellationToken cancellationToken)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);

        if (_options.Retries > 0 && !flags.FromQueue && !flags.Volatile)
        {
            AddToQueue(data, flags, ack);
            return true;
        }

        bool writable = Io.Writable;
        lock (_gate)
        {
            if (flags.Volatile && !(writable && _connected))
            {
                Log.VolatileDropped(Io.Logger, Namespace, data.Name);
                return false;
            }

            long? id = null;
            if (ack is not null)
            {
                id = _ids++;
                RegisterAck(id.Value, data.Name, ack, flags.Timeout ?? _options.AckTimeout, cancellationToken);
            }

            var packet = new SocketIoPacket(SocketIoPacketType.Event, Namespace, id, data.Json, data.Attachments);
            if (_connected)
            {
                NotifyOutgoing(packet);
                Io.Packet(packet);
            }
            else
            {
                _sendBuffer.Add(packet);
            }
        }

        return true;
    }

    private void RegisterAck(long id, string eventName, TaskCompletionSource<SocketIoArgs> ack, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var pending = new PendingAck(eventName, ack) { Socket = this, Id = id };
        _acks.Add(id, pending);
        if (timeout is { } due)
        {
            pending.Timer = new Timer(static state =>
            {
                var expired = (PendingAck)state!;
                expired.Socket!.FailAck(expired.Id, removeFromBuffer: true, static name => new SocketIoTimeoutException(name, null));
            }, pending, due, System.Threading.Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.Cancellation = cancellationToken.Register(static state =>
            {
                var (socket, id, token) = ((SocketIoClient, long, CancellationToken))state!;
                socket.FailAck(id, removeFromBuffer: true, _ => new OperationCanceledException(token));
            }, (this, id, cancellationToken));
        }
    }

    private void FailAck(long id, bool removeFromBuffer, Func<string, Exception> error)
    {
        PendingAck? pending;
        lock (_gate)
        {
            if (!_acks.Remove(id, out pending))
            {
                return;
            }

            if (removeFromBuffer)
            {
                _sendBuffer.RemoveAll(p => p.Id == id);
            }
        }

        pending.Dispose();
        pending.Ack.TrySetException(error(pending.EventName));
    }

    private void NotifyOutgoing(SocketIoPacket packet)
    {
        if (_anyOutgoing.Items.Length == 0)
        {
            return;
        }

        string name = SocketIoJson.ReadEventName(packet.Data.Span);
        SocketIoArgs args = SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, JsonOptions, skip: 1);
        _anyOutgoing.Invoke(static (h, s) => h(s.name, s.args), (name, args), Io.HandlerFailed);
    }

    // ------------------------------------------------------------------ retries (at-least-once)

    private void AddToQueue(in EventData data, ClientEmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack)
    {
        var queued = new QueuedEmit(data, flags with { FromQueue = true }, ack);
        lock (_gate)
        {
            _queue.Add(queued);
        }

        DrainQueue(force: false);
    }

    private void DrainQueue(bool force)
    {
        QueuedEmit queued;
        lock (_gate)
        {
            if (!_connected || _queue.Count == 0)
            {
                return;
            }

            queued = _queue[0];
            if (queued.Pending && !force)
            {
                return;
            }

            queued.Pending = true;
            queued.TryCount++;
        }

        var attempt = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        attempt.Task.ContinueWith(
            static (task, state) =>
            {
                var (socket, queued) = ((SocketIoClient, QueuedEmit))state!;
                socket.OnQueuedAck(queued, task);
            },
            (this, queued),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Send(queued.Data, queued.Flags with { Timeout = queued.Flags.Timeout ?? _options.AckTimeout }, attempt, CancellationToken.None);
    }

    private void OnQueuedAck(QueuedEmit queued, Task<SocketIoArgs> attempt)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 || _queue[0] != queued)
            {
                return; // already acknowledged
            }

            if (attempt.IsCompletedSuccessfully)
            {
                _queue.RemoveAt(0);
                queued.Ack?.TrySetResult(attempt.Result);
            }
            else if (queued.TryCount > _options.Retries)
            {
                _queue.RemoveAt(0);
                queued.Ack?.TrySetException(attempt.Exception!.InnerException!);
            }

            queued.Pending = false;
        }

        DrainQueue(force: false);
    }

    // ------------------------------------------------------------------ from the manager

    internal void OnManagerOpen()
    {
        lock (_gate)
        {
            if (!_active || _connecting || _connected)
            {
                return;
            }

            _connecting = true;
        }

        _ = SendConnectAsync();
    }

    private async Task SendConnectAsync()
    {
        object? auth = _options.Auth;
        try
        {
            if (_options.AuthProvider is { } provider)
            {
                using var timeout = new CancellationTokenSource(Io.Options.Timeout);
                auth = await provider(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _connecting = false;
            }

            RaiseConnectError(new SocketIoConnectException("The auth provider failed: " + ex.Message, null, ex));
            return;
        }

#pragma warning disable IL2026, IL3050 // auth is serialized by its runtime type; the options may name a context
        ReadOnlyMemory<byte> data = auth is null ? default : JsonSerializer.SerializeToUtf8Bytes(auth, auth.GetType(), JsonOptions);
#pragma warning restore IL2026, IL3050
        lock (_gate)
        {
            if (!_active || !_connecting)
            {
                return;
            }
        }

        Io.Packet(new SocketIoPacket(SocketIoPacketType.Connect, Namespace, data: data));
    }

    internal void OnManagerError(Exception error)
    {
        lock (_gate)
        {
            if (_connected || !_active)
            {
                return;
            }

            _connecting = false;
        }

        RaiseConnectError(new SocketIoConnectException(error.Message, null, error));
    }

    internal void OnManagerClose(string reason, string? description)
    {
        lock (_gate)
        {
            if (!_active)
            {
                return;
            }
        }

        OnClose(reason, description);
    }

    internal void OnPacket(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                OnConnectPacket(packet);
                break;
            case SocketIoPacketType.Event:
            case SocketIoPacketType.BinaryEvent:
                OnEvent(packet);
                break;
            case SocketIoPacketType.Ack:
            case SocketIoPacketType.BinaryAck:
                OnAck(packet);
                break;
            case SocketIoPacketType.Disconnect:
                Log.ServerDisconnect(Io.Logger, Namespace);
                Destroy();
                OnClose("io server disconnect", null);
                break;
            case SocketIoPacketType.ConnectError:
                Destroy();
                RaiseConnectError(ConnectErrorOf(packet));
                break;
        }
    }

    private static SocketIoConnectException ConnectErrorOf(SocketIoPacket packet)
    {
        string message = "connect error";
        JsonElement? data = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(packet.Data);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String)
                {
                    message = TextOf(m);
                }

                if (root.TryGetProperty("data", out JsonElement d))
                {
                    data = d.Clone();
                }
            }
            else if (root.ValueKind == JsonValueKind.String)
            {
                message = TextOf(root); // Socket.IO v2 sent the message alone
            }
        }
        catch (JsonException)
        {
        }

        return SocketIoConnectException.Refusal(message, data);
    }

    /// <summary>
    /// A JSON string's text; one that .NET cannot decode (a lone surrogate escape, which JavaScript's
    /// JSON.stringify writes) is given as written, escapes and all, rather than failing.
    /// </summary>
    private static string TextOf(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            string raw = value.GetRawText();
            return raw[1..^1];
        }
    }

    private void OnConnectPacket(SocketIoPacket packet)
    {
        string? sid = null;
        try
        {
            if (!packet.Data.IsEmpty)
            {
                using JsonDocument document = JsonDocument.Parse(packet.Data);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("sid", out JsonElement s) && s.ValueKind == JsonValueKind.String)
                {
                    sid = TextOf(s);
                }
            }
        }
        catch (JsonException)
        {
        }

        if (sid is null)
        {
            RaiseConnectError(new SocketIoConnectException(
                "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"));
            return;
        }

        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            if (!_active)
            {
                return;
            }

            _id = sid;
            _connected = true;
            _connecting = false;
            if (_aborted.IsCancellationRequested)
            {
                _aborted.Dispose();
                _aborted = new CancellationTokenSource();
            }

            // What was emitted while disconnected goes out first, in order.
            foreach (SocketIoPacket buffered in _sendBuffer)
            {
                NotifyOutgoing(buffered);
                Io.Packet(buffered);
            }

            _sendBuffer.Clear();
            waiters = [.. _connectWaiters];
        }

        // The retry queue resumes before the connect handlers run: what they emit is queued behind
        // it and goes out once (the reference's order).
        DrainQueue(force: true);
        Log.Connected(Io.Logger, Namespace, sid);
        _connect.Invoke(static (h, _) => h(), 0, Io.HandlerFailed);
        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    private void RaiseConnectError(SocketIoConnectException error)
    {
        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            waiters = [.. _connectWaiters];
        }

        Log.ConnectError(Io.Logger, Namespace, error.Message);
        _connectError.Invoke(static (h, e) => h(e), error, Io.HandlerFailed);
        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetException(error);
        }
    }

    /// <summary>Stops following the manager (the reference's destroy): no reconnection for this socket.</summary>
    private void Destroy()
    {
        lock (_gate)
        {
            _active = false;
            _connecting = false;
        }

        Io.SocketClosed(this);
    }

    private void OnClose(string reason, string? description)
    {
        List<long> failed = new();
        lock (_gate)
        {
            _connected = false;
            _connecting = false;
            _id = null;
            _aborted.Cancel();

            // Acknowledgements still expected fail, except for packets still in the buffer (they
            // are sent on reconnection).
            foreach (KeyValuePair<long, PendingAck> ack in _acks)
            {
                if (!_sendBuffer.Exists(p => p.Id == ack.Key))
                {
                    failed.Add(ack.Key);
                }
            }
        }

        foreach (long id in failed)
        {
            FailAck(id, removeFromBuffer: false, static _ => new SocketIoException("socket has been disconnected"));
        }

        Log.Disconnected(Io.Logger, Namespace, reason);
        _disconnect.Invoke(static (h, s) => h(s.reason, s.description), (reason, description), Io.HandlerFailed);
    }

    private void OnAck(SocketIoPacket packet)
    {
        if (packet.Id is not { } id)
        {
            return;
        }

        PendingAck? pending;
        lock (_gate)
        {
            if (!_acks.Remove(id, out pending))
            {
                return;
            }
        }

        pending.Dispose();
        pending.Ack.TrySetResult(SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, JsonOptions));
    }

    private void OnEvent(SocketIoPacket packet)
    {
        CancellationToken aborted;
        lock (_gate)
        {
            if (!_connected)
            {
                return;
            }

            aborted = _aborted.Token;
        }

        string name = SocketIoJson.ReadEventName(packet.Data.Span);
        var e = new ClientEvent(this, name, SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, JsonOptions, skip: 1), packet.Id, aborted);
        lock (_inbox)
        {
            _inbox.Enqueue(e);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static socket => socket.DrainInbox(), this, preferLocal: false);
    }

    private void DrainInbox()
    {
        while (true)
        {
            ClientEvent e;
            lock (_inbox)
            {
                if (_inbox.Count == 0)
                {
                    _draining = false;
                    return;
                }

                e = _inbox.Dequeue();
            }

            Dispatch(e);
        }
    }

    private void Dispatch(ClientEvent e)
    {
        _any.Invoke(static (h, e) => h(e), e, Io.HandlerFailed);
        Handlers<Func<ClientEvent, Task>>? handlers;
        lock (_gate)
        {
            _handlers.TryGetValue(e.Name, out handlers);
        }

        if (handlers is null)
        {
            return;
        }

        foreach (Func<ClientEvent, Task> handler in handlers.Items)
        {
            Task task;
            try
            {
                task = handler(e);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(Io.Logger, Namespace, e.Name, ex);
                continue;
            }

            if (!task.IsCompletedSuccessfully)
            {
                _ = Observe(task, e.Name);
            }
        }
    }

    private async Task Observe(Task task, string eventName)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!Connected)
        {
            // the handler gave up because the socket disconnected
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(Io.Logger, Namespace, eventName, ex);
        }
    }

    internal bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        lock (_gate)
        {
            if (!_connected)
            {
                return false;
            }

            Io.Packet(new SocketIoPacket(SocketIoPacketType.Ack, Namespace, id, jsonArray, attachments));
            return true;
        }
    }

    internal void LogRejected(string eventName, string reason) => Log.EventRejected(Io.Logger, Namespace, eventName, reason);

    /// <inheritdoc />
    public override string ToString() => $"{Namespace}#{Id}";

    private sealed class PendingAck(string eventName, TaskCompletionSource<SocketIoArgs> ack) : IDisposable
    {
        public string EventName { get; } = eventName;

        public TaskCompletionSource<SocketIoArgs> Ack { get; } = ack;

        public SocketIoClient? Socket { get; init; }

        public long Id { get; init; }

        public Timer? Timer { get; set; }

        public CancellationTokenRegistration Cancellation { get; set; }

        public void Dispose()
        {
            Timer?.Dispose();
            Cancellation.Dispose();
        }
    }

    private sealed class QueuedEmit(EventData data, ClientEmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack)
    {
        public EventData Data { get; } = data;

        public ClientEmitFlags Flags { get; } = flags;

        public TaskCompletionSource<SocketIoArgs>? Ack { get; } = ack;

        public int TryCount { get; set; }

        public bool Pending { get; set; }
    }

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
