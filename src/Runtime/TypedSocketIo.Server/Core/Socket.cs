using System.Collections.Concurrent;
using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.Engine;

namespace TypedSocketIo.Server;

/// <summary>
/// A client's connection to one namespace (the reference's server-side <c>Socket</c>). Emit and
/// change handlers from any thread; handlers run in the order packets arrive.
/// </summary>
public sealed class Socket : ISocketIoListenTarget
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Handler[]> _handlers = new(StringComparer.Ordinal); // arrays replaced, never changed: dispatch copies nothing
    private readonly ConcurrentDictionary<long, Action<SocketIoArgs?, Exception?>> _acks = new();
    private int _ackCount; // _acks.Count without locking every bucket
    private readonly List<Func<SocketIoEvent, Func<Task>, Task>> _middleware = new();
    private readonly Queue<SocketIoEvent> _inbox = new();
    private bool _draining;
    private List<Action<SocketIoEvent>> _anyListeners = new();
    private List<Action<string, SocketIoArgs>> _anyOutgoingListeners = new();
    private const int Pending = 0, Open = 1, Closed = 2;
    private int _state; // Pending while the middleware runs, then Open, then Closed for good
    private CancellationTokenSource? _aborted;
    private object? _typedView;

    internal Socket(Namespace nsp, SocketIoConnection client, Handshake handshake, string id)
    {
        Namespace = nsp;
        Connection = client;
        Handshake = handshake;
        Id = id;
    }

    /// <summary>The socket id (random; for protocol 3 clients, derived from the engine id as the reference does).</summary>
    public string Id { get; }

    /// <summary>The namespace.</summary>
    public Namespace Namespace { get; }

    /// <summary>The server.</summary>
    public SocketIoServer Server => Namespace.Server;

    /// <summary>The handshake details.</summary>
    public Handshake Handshake { get; }

    /// <summary>The authenticated user of the first request.</summary>
    public System.Security.Claims.ClaimsPrincipal User => Handshake.User;

    /// <summary>The Engine.IO session (shared by the sockets of every namespace of the connection; Node's <c>socket.conn</c>).</summary>
    public EngineSocket Conn => Connection.Conn;

    internal SocketIoConnection Connection { get; }

    /// <summary>Application data attached to the socket (visible to FetchSockets).</summary>
    public object? Data { get; set; }

    /// <summary>Whether the socket is connected.</summary>
    public bool Connected => System.Threading.Volatile.Read(ref _state) == Open;

    /// <summary>The rooms the socket is in, its own id included.</summary>
    public IReadOnlySet<string> Rooms => Namespace.Adapter.SocketRooms(Id) ?? (IReadOnlySet<string>)new HashSet<string>();

    /// <summary>Cancelled when the socket disconnects.</summary>
    public CancellationToken Aborted
    {
        get
        {
            if (System.Threading.Volatile.Read(ref _state) == Closed)
            {
                return new CancellationToken(canceled: true);
            }

            CancellationTokenSource? cts = System.Threading.Volatile.Read(ref _aborted);
            if (cts is null)
            {
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _aborted, created, null) ?? created;
                if (System.Threading.Volatile.Read(ref _state) == Closed)
                {
                    cts.Cancel();
                }
            }

            return cts.Token;
        }
    }

    /// <summary>The typed view of this socket (one per socket, created on first use).</summary>
    internal T GetTypedView<T>(Func<Socket, T> create)
        where T : class
    {
        if (System.Threading.Volatile.Read(ref _typedView) is T view)
        {
            return view;
        }

        T created = create(this);
        return Interlocked.CompareExchange(ref _typedView, created, null) as T ?? created;
    }

    JsonSerializerOptions ISocketIoListenTarget.JsonOptions => Server.JsonOptions;

    IDisposable ISocketIoListenTarget.On(string eventName, Func<IncomingEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(eventName, new Handler(null, handler));
    }

    /// <summary>Raised when the socket is about to leave (its rooms are still visible), with the reason.</summary>
    public event Action<Socket, string>? Disconnecting;

    /// <summary>Raised when the socket has disconnected, with the reason and a description.</summary>
    public event Action<Socket, string, string?>? Disconnected;

    /// <summary>Raised when packet middleware fails.</summary>
    public event Action<Socket, Exception>? Error;

    // ------------------------------------------------------------------ listening

    /// <summary>Adds a handler for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable On(string eventName, Action<SocketIoEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(eventName, new Handler(handler, null));
    }

    /// <summary>Adds an asynchronous handler for <paramref name="eventName"/>; dispose the result to remove it.</summary>
    public IDisposable On(string eventName, Func<SocketIoEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(eventName, new Handler(null, handler));
    }

    /// <summary>Adds a handler whose result is the acknowledgement (sent when the client asked for one).</summary>
    public IDisposable OnWithAck(string eventName, Func<SocketIoEvent, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On(eventName, async e =>
        {
            object? result = await handler(e).ConfigureAwait(false);
            e.Ack(result);
        });
    }

    /// <summary>Removes every handler of <paramref name="eventName"/>.</summary>
    public void Off(string eventName)
    {
        lock (_lock)
        {
            _handlers.Remove(eventName);
        }
    }

    /// <summary>How many handlers <paramref name="eventName"/> has.</summary>
    public int ListenerCount(string eventName)
    {
        lock (_lock)
        {
            return _handlers.TryGetValue(eventName, out Handler[]? list) ? list.Length : 0;
        }
    }

    private IDisposable AddHandler(string eventName, Handler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        lock (_lock)
        {
            _handlers[eventName] = _handlers.TryGetValue(eventName, out Handler[]? list) ? [.. list, handler] : [handler];
        }

        return new Subscription(() =>
        {
            lock (_lock)
            {
                if (_handlers.TryGetValue(eventName, out Handler[]? list) && Array.IndexOf(list, handler) is int index and >= 0)
                {
                    if (list.Length == 1)
                    {
                        _handlers.Remove(eventName);
                    }
                    else
                    {
                        _handlers[eventName] = [.. list.AsSpan(0, index), .. list.AsSpan(index + 1)];
                    }
                }
            }
        });
    }

    /// <summary>Adds a listener called for every incoming event, after the others already added.</summary>
    public IDisposable OnAny(Action<SocketIoEvent> listener)
    {
        AddAny(ref _anyListeners, listener, prepend: false);
        return new Subscription(() => OffAny(listener));
    }

    /// <summary>Adds a listener called for every incoming event, before the others.</summary>
    public IDisposable PrependAny(Action<SocketIoEvent> listener)
    {
        AddAny(ref _anyListeners, listener, prepend: true);
        return new Subscription(() => OffAny(listener));
    }

    /// <summary>Removes one catch-all listener, or all of them when <paramref name="listener"/> is null.</summary>
    public void OffAny(Action<SocketIoEvent>? listener = null) => RemoveAny(ref _anyListeners, listener);

    /// <summary>The catch-all listeners.</summary>
    public IReadOnlyList<Action<SocketIoEvent>> ListenersAny() => System.Threading.Volatile.Read(ref _anyListeners);

    /// <summary>Adds a listener called for every outgoing event (name and arguments), broadcasts included.</summary>
    public IDisposable OnAnyOutgoing(Action<string, SocketIoArgs> listener)
    {
        AddAny(ref _anyOutgoingListeners, listener, prepend: false);
        return new Subscription(() => OffAnyOutgoing(listener));
    }

    /// <summary>Adds an outgoing listener before the others.</summary>
    public IDisposable PrependAnyOutgoing(Action<string, SocketIoArgs> listener)
    {
        AddAny(ref _anyOutgoingListeners, listener, prepend: true);
        return new Subscription(() => OffAnyOutgoing(listener));
    }

    /// <summary>Removes one outgoing listener, or all of them.</summary>
    public void OffAnyOutgoing(Action<string, SocketIoArgs>? listener = null) => RemoveAny(ref _anyOutgoingListeners, listener);

    /// <summary>The outgoing catch-all listeners.</summary>
    public IReadOnlyList<Action<string, SocketIoArgs>> ListenersAnyOutgoing() => System.Threading.Volatile.Read(ref _anyOutgoingListeners);

    // Copy-on-write lists: dispatch reads them without a lock.
    private void AddAny<T>(ref List<T> field, T listener, bool prepend)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            var copy = new List<T>(field);
            if (prepend)
            {
                copy.Insert(0, listener);
            }
            else
            {
                copy.Add(listener);
            }

            System.Threading.Volatile.Write(ref field, copy);
        }
    }

    private void RemoveAny<T>(ref List<T> field, T? listener)
        where T : class
    {
        lock (_lock)
        {
            if (listener is null)
            {
                System.Threading.Volatile.Write(ref field, new List<T>());
                return;
            }

            var copy = new List<T>(field);
            copy.Remove(listener);
            System.Threading.Volatile.Write(ref field, copy);
        }
    }

    /// <summary>
    /// Adds packet middleware, run for every incoming event before its handlers. Throwing (or not
    /// calling next) stops the event; an exception raises <see cref="Error"/>.
    /// </summary>
    public Socket Use(Func<SocketIoEvent, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        lock (_lock)
        {
            _middleware.Add(middleware);
        }

        return this;
    }

    // ------------------------------------------------------------------ emitting

    /// <summary>Emits an event to this client.</summary>
    /// <returns>Always true, as the reference's emit (a dropped volatile packet included).</returns>
    /// <exception cref="ArgumentException">The event name is reserved.</exception>
    public bool Emit(string eventName, params object?[] args) => new SocketEmitter(this, default).Emit(eventName, args);

    /// <summary>Emits a <c>message</c> event (the reference's <c>socket.send</c>).</summary>
    public bool Send(params object?[] args) => Emit("message", args);

    /// <summary>Same as <see cref="Send(object?[])"/> (the reference's <c>socket.write</c>).</summary>
    public bool Write(params object?[] args) => Emit("message", args);

    /// <summary>Emits an event without arguments and waits for the client's acknowledgement.</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        new SocketEmitter(this, default).EmitWithAck(eventName, cancellationToken);

    /// <summary>
    /// Emits an event and waits for the client's acknowledgement. The arguments are an array
    /// (<c>EmitWithAck("ask", ["question"], token)</c>), so a token is never taken for an argument.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        new SocketEmitter(this, default).EmitWithAck(eventName, args, cancellationToken);

    /// <summary>Emits with acknowledgements that fail with <see cref="SocketIoTimeoutException"/> after <paramref name="timeout"/>.</summary>
    public SocketEmitter Timeout(TimeSpan timeout) => new(this, new EmitFlags { Timeout = timeout });

    /// <summary>Emits that are dropped when the transport is not ready to send.</summary>
    public SocketEmitter Volatile => new(this, new EmitFlags { Volatile = true });

    /// <summary>Emits whose compression is set explicitly (on by default).</summary>
    public SocketEmitter Compress(bool compress) => new(this, new EmitFlags { Compress = compress });

    /// <summary>Broadcasts to every socket of the namespace but this one.</summary>
    public BroadcastOperator Broadcast => Namespace.NewBroadcast().Except(Id);

    /// <summary>Broadcasts to <paramref name="room"/> (and further rooms added), this socket excluded.</summary>
    public BroadcastOperator To(string room) => Broadcast.To(room);

    /// <summary>Broadcasts to these rooms, this socket excluded.</summary>
    public BroadcastOperator To(IEnumerable<string> rooms) => Broadcast.To(rooms);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator In(string room) => Broadcast.To(room);

    /// <summary>Broadcasts to every socket but those in <paramref name="room"/> (and this one).</summary>
    public BroadcastOperator Except(string room) => Broadcast.Except(room);

    /// <summary>Broadcasts to this node's sockets only.</summary>
    public BroadcastOperator Local => Broadcast.Local;

    internal bool Send(string eventName, object?[] args, EmitFlags flags, long? ackId) =>
        Send(Pipeline.Encode(eventName, args, Server.JsonOptions), flags, ackId);

    internal bool Send(in EventData data, EmitFlags flags, long? ackId)
    {
        SocketIoPacket packet = Pipeline.EventPacket(Namespace.Name, data, ackId);
        NotifyOutgoing(packet);
        Connection.WritePacket(packet, flags.Volatile, flags.Compress ?? true);
        return true;
    }

    internal Task<SocketIoArgs> SendWithAck(string eventName, object?[] args, EmitFlags flags, CancellationToken cancellationToken) =>
        SendWithAck(Pipeline.Encode(eventName, args, Server.JsonOptions), flags, cancellationToken);

    internal Task<SocketIoArgs> SendWithAck(in EventData data, EmitFlags flags, CancellationToken cancellationToken)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        long id = Namespace.NextAckId();
        var result = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenRegistration registration = default;
        ScheduledTimer? timer = null;
        long deadline = flags.Timeout is { } t ? TimerScheduler.NowMs() + (long)t.TotalMilliseconds : long.MaxValue;
        if (!TryReserveAck())
        {
            return Task.FromException<SocketIoArgs>(new SocketIoException("The client owes too many acknowledgements (MaxPendingAcks) and was disconnected."));
        }

        _acks[id] = (args, error) =>
        {
            timer?.Cancel();
            registration.Dispose();
            if (error is null && TimerScheduler.NowMs() > deadline)
            {
                error = new SocketIoTimeoutException(); // answered, but after the deadline
            }

            if (error is not null)
            {
                result.TrySetException(error);
            }
            else
            {
                result.TrySetResult(args!);
            }
        };

        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.Register(static s =>
            {
                var (socket, ackId, token) = ((Socket, long, CancellationToken))s!;
                socket.FailAck(ackId, new OperationCanceledException(token));
            }, (this, id, cancellationToken));
        }

        if (!Connected)
        {
            FailAck(id, new SocketIoException("The socket is disconnected."));
            return result.Task;
        }

        Send(data, flags, id);
        if (flags.Timeout is { } timeout)
        {
            if (timeout <= TimeSpan.Zero)
            {
                FailAck(id, new SocketIoTimeoutException()); // as the reference's timeout(0): never in time
            }
            else
            {
                timer = TimerScheduler.Shared.CreateTimer(static s => { var (socket, ackId) = ((Socket, long))s; socket.FailAck(ackId, new SocketIoTimeoutException()); }, (this, id));
                timer.Schedule(timeout);
            }
        }

        return result.Task;
    }

    private void FailAck(long id, Exception error)
    {
        if (TryTakeAck(id, out Action<SocketIoArgs?, Exception?>? callback))
        {
            callback(null, error);
        }
    }

    /// <summary>
    /// Counts one more acknowledgement owed by the client; past MaxPendingAcks the client is
    /// disconnected instead (it does not answer, and what waits for it must not grow without end).
    /// </summary>
    private bool TryReserveAck()
    {
        int limit = Server.Options.MaxPendingAcks;
        if (Interlocked.Increment(ref _ackCount) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _ackCount);
        Connection.DropForLimit(nameof(SocketIoServerOptions.MaxPendingAcks), $"more than {limit} acknowledgements owed by the client");
        return false;
    }

    private bool TryTakeAck(long id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Action<SocketIoArgs?, Exception?>? callback)
    {
        if (_acks.TryRemove(id, out callback))
        {
            Interlocked.Decrement(ref _ackCount);
            return true;
        }

        return false;
    }

    /// <summary>Registers an ack expected for a broadcast packet with id <paramref name="id"/>; false when the client was dropped for owing too many.</summary>
    internal bool ExpectAck(long id, Action<SocketIoArgs?, Exception?> callback)
    {
        if (!TryReserveAck())
        {
            return false;
        }

        _acks[id] = callback;
        return true;
    }


    internal bool SendAckRaw(long id, ReadOnlyMemory<byte> data, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        if (!Connected)
        {
            return false;
        }

        Connection.WritePacket(new SocketIoPacket(SocketIoPacketType.Ack, Namespace.Name, id, data, attachments), isVolatile: false, compress: true);
        return true;
    }

    internal void NotifyOutgoing(SocketIoPacket packet)
    {
        List<Action<string, SocketIoArgs>> listeners = System.Threading.Volatile.Read(ref _anyOutgoingListeners);
        if (listeners.Count == 0 || packet.Type != SocketIoPacketType.Event)
        {
            return;
        }

        string name = SocketIoJson.ReadEventName(packet.Data.Span);
        var args = SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, Server.JsonOptions, skip: 1);
        foreach (Action<string, SocketIoArgs> listener in listeners)
        {
            try
            {
                listener(name, args);
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(Id, "any outgoing", ex);
            }
        }
    }

    // ------------------------------------------------------------------ rooms

    /// <summary>Joins <paramref name="room"/>. Completes synchronously with the in-memory adapter.</summary>
    /// <remarks>Allowed from connection middleware; ignored once the socket has disconnected.</remarks>
    public ValueTask Join(string room) => Join([room]);

    /// <summary>Joins every room of <paramref name="rooms"/> (ignored once the socket has disconnected).</summary>
    public ValueTask Join(IEnumerable<string> rooms) =>
        System.Threading.Volatile.Read(ref _state) == Closed ? ValueTask.CompletedTask : Namespace.Adapter.AddAll(Id, rooms.ToArray());

    /// <summary>Leaves <paramref name="room"/>.</summary>
    public ValueTask Leave(string room) => Namespace.Adapter.Del(Id, room);

    /// <summary>Leaves every room of <paramref name="rooms"/>.</summary>
    public async ValueTask Leave(IEnumerable<string> rooms)
    {
        foreach (string room in rooms.ToArray())
        {
            await Namespace.Adapter.Del(Id, room).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a socket whose connection was refused: it leaves the rooms its middleware joined.</summary>
    internal void Abandon()
    {
        System.Threading.Volatile.Write(ref _state, Closed);
        Namespace.Adapter.DelAll(Id);
    }

    /// <summary>Raises <see cref="Error"/> (for a connection-level error, before the connection closes).</summary>
    internal void RaiseError(Exception error)
    {
        Action<Socket, Exception>? handler = Error;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, error);
        }
        catch (Exception ex)
        {
            Server.Log.HandlerFailed(Id, "error", ex);
        }
    }

    // ------------------------------------------------------------------ life cycle

    /// <summary>
    /// Disconnects from the namespace (reason <c>server namespace disconnect</c>); with
    /// <paramref name="close"/>, closes the whole connection and so every namespace of the client.
    /// </summary>
    public Socket Disconnect(bool close = false)
    {
        if (!Connected)
        {
            return this;
        }

        if (close)
        {
            Connection.DisconnectAll();
            return this;
        }

        Connection.WritePacket(new SocketIoPacket(SocketIoPacketType.Disconnect, Namespace.Name), isVolatile: false, compress: true);
        OnClose("server namespace disconnect", null);
        return this;
    }

    internal void OnConnect()
    {
        System.Threading.Volatile.Write(ref _state, Open);
        _ = Namespace.Adapter.AddAll(Id, [Id]).AsTask(); // completes at once with the in-memory adapter
    }

    internal void OnClose(string reason, string? description)
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Open) != Open)
        {
            return;
        }

        System.Threading.Volatile.Read(ref _aborted)?.Cancel();
        Raise(Disconnecting, reason);
        Namespace.Adapter.DelAll(Id);
        Namespace.Remove(this);
        Connection.Remove(this);
        foreach (long id in _acks.Keys)
        {
            FailAck(id, new SocketIoException("The socket disconnected before the acknowledgement arrived."));
        }

        Server.Log.SocketDisconnected(Id, Namespace.Name, reason);
        Action<Socket, string, string?>? disconnected = Disconnected;
        if (disconnected is not null)
        {
            try
            {
                disconnected(this, reason, description);
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(Id, "disconnect", ex);
            }
        }
    }

    internal void OnPacket(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacketType.Event:
                OnEvent(packet);
                break;
            case SocketIoPacketType.Ack:
                if (packet.Id is { } id && TryTakeAck(id, out Action<SocketIoArgs?, Exception?>? ack))
                {
                    ack(SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, Server.JsonOptions), null);
                }

                break;
            case SocketIoPacketType.Disconnect:
                OnClose("client namespace disconnect", null);
                break;
        }
    }

    private void OnEvent(SocketIoPacket packet)
    {
        SocketIoArgs args;
        string name = SocketIoJson.ReadEventName(packet.Data.Span);
        args = SocketIoArgs.FromPacketData(packet.Data, packet.Attachments, Server.JsonOptions, skip: 1);
        var e = new SocketIoEvent(this, name, args, packet.Id);

        // Handlers run off the receive path, one event at a time per socket, in arrival order (the
        // reference defers dispatch too): a slow handler never holds up the transport, and an event
        // followed by a DISCONNECT in the same batch is dropped. What waits is bounded.
        int limit = Server.Options.MaxPendingEvents;
        lock (_inbox)
        {
            if (_inbox.Count >= limit)
            {
                goto Full;
            }

            _inbox.Enqueue(e);
            if (_draining)
            {
                return;
            }

            _draining = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static socket => socket.DrainInbox(), this, preferLocal: true);
        return;

    Full:
        Connection.DropForLimit(nameof(SocketIoServerOptions.MaxPendingEvents), $"more than {limit} events waiting for their handlers");
    }

    /// <summary>
    /// Dispatches the inbox in order. Packet middleware that does not complete at once is awaited
    /// before the next event enters its middleware, so handlers see events in arrival order
    /// whatever the middleware awaits.
    /// </summary>
    private void DrainInbox()
    {
        while (true)
        {
            SocketIoEvent e;
            lock (_inbox)
            {
                if (_inbox.Count == 0)
                {
                    _draining = false;
                    return;
                }

                e = _inbox.Dequeue();
            }

            if (!Connected)
            {
                continue;
            }

            Func<SocketIoEvent, Func<Task>, Task>[] middleware;
            lock (_lock)
            {
                middleware = _middleware.Count == 0 ? [] : _middleware.ToArray();
            }

            if (middleware.Length == 0)
            {
                Dispatch(e);
                continue;
            }

            Task run = RunMiddlewareAsync(e, middleware);
            if (!run.IsCompleted)
            {
                _ = DrainAfterAsync(run); // still draining: later events wait their turn
                return;
            }
        }
    }

    private async Task DrainAfterAsync(Task middleware)
    {
        await middleware.ConfigureAwait(false); // never throws: RunMiddlewareAsync handles its errors
        DrainInbox();
    }

    private async Task RunMiddlewareAsync(SocketIoEvent e, Func<SocketIoEvent, Func<Task>, Task>[] middleware)
    {
        try
        {
            if (await Pipeline.RunAsync(e, middleware).ConfigureAwait(false) && Connected)
            {
                Dispatch(e);
            }
        }
        catch (Exception ex)
        {
            Action<Socket, Exception>? error = Error;
            if (error is null)
            {
                Server.Log.HandlerFailed(Id, e.Name, ex);
                return;
            }

            try
            {
                error(this, ex);
            }
            catch (Exception inner)
            {
                Server.Log.HandlerFailed(Id, "error", inner);
            }
        }
    }

    private void Dispatch(SocketIoEvent e)
    {
        foreach (Action<SocketIoEvent> listener in System.Threading.Volatile.Read(ref _anyListeners))
        {
            try
            {
                listener(e);
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(Id, e.Name, ex);
            }
        }

        Handler[] handlers;
        lock (_lock)
        {
            handlers = _handlers.TryGetValue(e.Name, out Handler[]? list) ? list : [];
        }

        foreach (Handler handler in handlers)
        {
            try
            {
                if (handler.Sync is not null)
                {
                    handler.Sync(e);
                }
                else
                {
                    Task task = handler.Async!(e);
                    if (!task.IsCompletedSuccessfully)
                    {
                        _ = ObserveAsync(task, e.Name);
                    }
                }
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(Id, e.Name, ex);
            }
        }
    }

    private async Task ObserveAsync(Task task, string eventName)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (System.Threading.Volatile.Read(ref _state) == Closed)
        {
            Server.Log.HandlerCancelled(Id, eventName); // cancelled by Aborted as the socket left: not a failure
        }
        catch (Exception ex)
        {
            Server.Log.HandlerFailed(Id, eventName, ex);
        }
    }

    private void Raise(Action<Socket, string>? handler, string reason)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, reason);
        }
        catch (Exception ex)
        {
            Server.Log.HandlerFailed(Id, "disconnecting", ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Namespace.Name}#{Id}";

    private sealed record Handler(Action<SocketIoEvent>? Sync, Func<SocketIoEvent, Task>? Async);
}

/// <summary>Flags of one emit.</summary>
public readonly record struct EmitFlags
{
    /// <summary>Drop the packet when the transport is not ready to send.</summary>
    public bool Volatile { get; init; }

    /// <summary>Compress the packet (null: the default, on).</summary>
    public bool? Compress { get; init; }

    /// <summary>How long to wait for acknowledgements.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Broadcast to this node only.</summary>
    public bool Local { get; init; }
}

/// <summary>Emits to one socket with flags (<c>socket.Timeout(t)</c>, <c>socket.Volatile</c>, …).</summary>
public readonly struct SocketEmitter
{
    private readonly Socket _socket;
    private readonly EmitFlags _flags;

    internal SocketEmitter(Socket socket, EmitFlags flags)
    {
        _socket = socket;
        _flags = flags;
    }

    /// <summary>The flags.</summary>
    public EmitFlags Flags => _flags;

    /// <summary>Adds a timeout for acknowledgements.</summary>
    public SocketEmitter Timeout(TimeSpan timeout) => new(_socket, _flags with { Timeout = timeout });

    /// <summary>Makes the emit volatile.</summary>
    public SocketEmitter Volatile => new(_socket, _flags with { Volatile = true });

    /// <summary>Sets compression.</summary>
    public SocketEmitter Compress(bool compress) => new(_socket, _flags with { Compress = compress });

    /// <summary>Emits an event.</summary>
    public bool Emit(string eventName, params object?[] args) => _socket.Send(eventName, args, _flags, ackId: null);

    /// <summary>Emits an event without arguments and waits for the acknowledgement (bounded by the timeout, when set).</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(eventName, [], _flags, cancellationToken);

    /// <summary>Emits an event with <paramref name="args"/> and waits for the acknowledgement (bounded by the timeout, when set).</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        _socket.SendWithAck(eventName, args, _flags, cancellationToken);
}

/// <summary>A socket with flags, as the emit target of a generated emitter.</summary>
internal sealed class SocketTarget(Socket socket, EmitFlags flags) : ISocketIoEmitTarget
{
    public JsonSerializerOptions JsonOptions => socket.Server.JsonOptions;

    public bool Emit(in EventData data) => socket.Send(data, flags, ackId: null);

    public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) => socket.SendWithAck(data, flags, cancellationToken);
}

internal sealed class Subscription(Action dispose) : IDisposable
{
    private Action? _dispose = dispose;

    public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
}
