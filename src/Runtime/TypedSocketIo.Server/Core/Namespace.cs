using System.Collections.Concurrent;
using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>
/// A Socket.IO namespace: its sockets, middleware, connection handlers, rooms (through its
/// adapter) and broadcasting.
/// </summary>
public partial class Namespace
{
    private readonly ConcurrentDictionary<string, Socket> _sockets = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly List<Func<Socket, Func<Task>, Task>> _middleware = new();
    private readonly List<Func<Socket, Task>> _connectionHandlers = new();
    private readonly Dictionary<string, List<Func<IncomingEvent, Task>>> _serverSideHandlers = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?> _metricTag;
    private long _ackIds;

    internal Namespace(SocketIoServer server, string name, ParentNamespace? parent = null)
    {
        Server = server;
        Name = name;
        _metricTag = new(SocketIoMetrics.NamespaceTag, name);
        Parent = parent;
        Adapter = server.Options.AdapterFactory?.Invoke(this) ?? new InMemoryAdapter(this);
    }

    /// <summary>The namespace name, e.g. <c>/</c> or <c>/admin</c>.</summary>
    public string Name { get; }

    /// <summary>The server.</summary>
    public SocketIoServer Server { get; }

    /// <summary>The dynamic namespace this one was created from, if any.</summary>
    public ParentNamespace? Parent { get; }

    /// <summary>The adapter that holds the rooms and runs broadcasts.</summary>
    public InMemoryAdapter Adapter { get; }

    /// <summary>The connected sockets, by id.</summary>
    public IReadOnlyDictionary<string, Socket> Sockets => _sockets;

    internal long NextAckId() => Interlocked.Increment(ref _ackIds) - 1;

    /// <summary>
    /// Adds connection middleware: run, in order, for every socket before it connects. Throwing
    /// refuses the connection with a connect_error carrying the exception's message (and
    /// <see cref="ConnectionRejectedException.ErrorData"/>); not calling next leaves it pending
    /// until the connect timeout.
    /// </summary>
    public Namespace Use(Func<Socket, Func<Task>, Task> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        lock (_lock)
        {
            _middleware.Add(middleware);
        }

        return this;
    }

    /// <summary>Adds a handler run for every socket that connects.</summary>
    public Namespace OnConnection(Action<Socket> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnConnection(socket =>
        {
            handler(socket);
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds an asynchronous handler run for every socket that connects.</summary>
    public Namespace OnConnection(Func<Socket, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            _connectionHandlers.Add(handler);
        }

        return this;
    }

    internal Func<Socket, Func<Task>, Task>[] GetMiddleware()
    {
        lock (_lock)
        {
            return Parent is null ? _middleware.ToArray() : [.. Parent.GetMiddleware(), .. _middleware];
        }
    }

    internal Func<Socket, Task>[] GetConnectionHandlers()
    {
        lock (_lock)
        {
            return Parent is null ? _connectionHandlers.ToArray() : [.. Parent.GetConnectionHandlers(), .. _connectionHandlers];
        }
    }

    /// <summary>Creates and connects a socket for <paramref name="client"/>, running the middleware first.</summary>
    internal async Task AddAsync(SocketIoConnection client, JsonElement auth)
    {
        (Socket socket, RestoredSession? restored) = await CreateSocketAsync(client, auth).ConfigureAwait(false);
        Func<Socket, Func<Task>, Task>[] middleware = SkipsMiddleware(client, restored) ? [] : GetMiddleware();
        try
        {
            bool reached = middleware.Length == 0 || await Pipeline.RunAsync(socket, middleware).ConfigureAwait(false);
            if (!reached)
            {
                Refuse(socket);
                return;
            }
        }
        catch (Exception ex)
        {
            try
            {
                // Only a refusal is meant for the client; any other exception is ours to log, and
                // its message stays on the server unless EnableDetailedErrors says otherwise.
                if (ex is ConnectionRejectedException rejected)
                {
                    client.SendConnectError(Name, rejected.Message, rejected.ErrorData);
                }
                else
                {
                    Server.Log.MiddlewareFailed(Name, ex);
                    client.SendConnectError(Name, Server.Options.EnableDetailedErrors ? ex.Message : "Internal server error", null);
                }
            }
            finally
            {
                Refuse(socket);
            }

            return;
        }

        // In the namespace first, then on the connection: once attached, the connection's close
        // reaches the socket and removes it; if the client left while the middleware ran, it is
        // never attached and leaves no trace.
        if (!(restored is null ? Attach(client, socket) : await AttachRecoveredAsync(client, socket, restored).ConfigureAwait(false)))
        {
            return;
        }

        Server.Log.SocketConnected(socket.Id, Name);
        foreach (Func<Socket, Task> handler in GetConnectionHandlers())
        {
            if (!socket.Connected)
            {
                break;
            }

            try
            {
                await handler(socket).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(socket.Id, "connection", ex);
            }
        }
    }

    internal void Remove(Socket socket)
    {
        if (_sockets.TryRemove(new KeyValuePair<string, Socket>(socket.Id, socket)))
        {
            Server.Metrics.SocketDisconnected(_metricTag);
        }

        CleanupIfEmpty();
    }

    /// <summary>A socket whose connection was refused leaves no trace: no rooms, no empty child namespace.</summary>
    private void Refuse(Socket socket)
    {
        socket.Abandon();
        CleanupIfEmpty();
    }

    private void CleanupIfEmpty()
    {
        if (Parent is not null && Server.Options.CleanupEmptyChildNamespaces && _sockets.IsEmpty)
        {
            Parent.RemoveChild(this);
        }
    }

    // ------------------------------------------------------------------ broadcasting

    internal virtual BroadcastOperator NewBroadcast() => new(this);

    /// <summary>Emits to every socket of the namespace.</summary>
    public bool Emit(string eventName, params object?[] args) => NewBroadcast().Emit(eventName, args);

    /// <summary>Emits a <c>message</c> event to every socket (the reference's <c>send</c>).</summary>
    public bool Send(params object?[] args) => Emit("message", args);

    /// <summary>Same as <see cref="Send"/> (the reference's <c>write</c>).</summary>
    public bool Write(params object?[] args) => Emit("message", args);

    /// <summary>Targets <paramref name="room"/>.</summary>
    public BroadcastOperator To(string room) => NewBroadcast().To(room);

    /// <summary>Targets these rooms.</summary>
    public BroadcastOperator To(IEnumerable<string> rooms) => NewBroadcast().To(rooms);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator In(string room) => NewBroadcast().To(room);

    /// <summary>Excludes <paramref name="room"/>.</summary>
    public BroadcastOperator Except(string room) => NewBroadcast().Except(room);

    /// <summary>Excludes these rooms.</summary>
    public BroadcastOperator Except(IEnumerable<string> rooms) => NewBroadcast().Except(rooms);

    /// <summary>This node only.</summary>
    public BroadcastOperator Local => NewBroadcast().Local;

    /// <summary>Dropped for clients whose transport is not ready.</summary>
    public BroadcastOperator Volatile => NewBroadcast().Volatile;

    /// <summary>With compression set explicitly.</summary>
    public BroadcastOperator Compress(bool compress) => NewBroadcast().Compress(compress);

    /// <summary>With acknowledgements collected for <paramref name="timeout"/>.</summary>
    public BroadcastOperator Timeout(TimeSpan timeout) => NewBroadcast().Timeout(timeout);

    /// <summary>The ids of the sockets in the targeted rooms (all when none).</summary>
    public Task<IReadOnlySet<string>> AllSockets() => NewBroadcast().AllSockets();

    /// <summary>The sockets of the namespace, as remote-socket views.</summary>
    public Task<IReadOnlyList<RemoteSocket>> FetchSockets() => NewBroadcast().FetchSockets();

    /// <summary>Makes every socket join <paramref name="rooms"/>.</summary>
    public void SocketsJoin(params string[] rooms) => NewBroadcast().SocketsJoin(rooms);

    /// <summary>Makes every socket leave <paramref name="rooms"/>.</summary>
    public void SocketsLeave(params string[] rooms) => NewBroadcast().SocketsLeave(rooms);

    /// <summary>Disconnects every socket.</summary>
    public void DisconnectSockets(bool close = false) => NewBroadcast().DisconnectSockets(close);

    /// <summary>
    /// Emits to the other servers of a cluster, where <see cref="OnServerSideEmit(string, Func{IncomingEvent, Task})"/>
    /// handlers receive it. With a single server there is nobody to tell: returns true and sends
    /// nothing (the reference's in-memory adapter does the same).
    /// </summary>
    public bool ServerSideEmit(string eventName, params object?[] args)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
        Adapter.ServerSideEmit(Pipeline.Encode(eventName, args, Server.JsonOptions));
        return true;
    }

    /// <summary>Emits to the other servers and collects their answers (one per server); with a single server, none.</summary>
    public Task<IReadOnlyList<SocketIoArgs>> ServerSideEmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        ServerSideEmitWithAck(eventName, [], cancellationToken);

    /// <summary>
    /// As <see cref="ServerSideEmitWithAck(string, CancellationToken)"/>, with <paramref name="args"/>.
    /// The arguments are an array, so a token is never taken for an argument.
    /// </summary>
    public Task<IReadOnlyList<SocketIoArgs>> ServerSideEmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
        return Adapter.ServerSideEmitWithAck(Pipeline.Encode(eventName, args, Server.JsonOptions), cancellationToken);
    }

    /// <summary>Handles a server-side event emitted by another server of the cluster; dispose the result to remove the handler.</summary>
    public IDisposable OnServerSideEmit(string eventName, Func<IncomingEvent, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            if (!_serverSideHandlers.TryGetValue(eventName, out List<Func<IncomingEvent, Task>>? list))
            {
                _serverSideHandlers[eventName] = list = new List<Func<IncomingEvent, Task>>();
            }

            list.Add(handler);
        }

        return new Subscription(() =>
        {
            lock (_lock)
            {
                if (_serverSideHandlers.TryGetValue(eventName, out List<Func<IncomingEvent, Task>>? list) && list.Remove(handler) && list.Count == 0)
                {
                    _serverSideHandlers.Remove(eventName);
                }
            }
        });
    }

    /// <summary>Handles a server-side event emitted by another server of the cluster.</summary>
    public IDisposable OnServerSideEmit(string eventName, Action<IncomingEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnServerSideEmit(eventName, e =>
        {
            handler(e);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Called by cluster adapters: delivers a server-side event that another server emitted to this
    /// namespace's handlers. <paramref name="ack"/>, when given, carries a handler's answer back.
    /// </summary>
    /// <exception cref="System.Text.Json.JsonException">The event data is not a JSON array.</exception>
    public void ReceiveServerSideEmit(EventData data, Action<EventData>? ack = null)
    {
        Func<IncomingEvent, Task>[] handlers;
        lock (_lock)
        {
            handlers = _serverSideHandlers.TryGetValue(data.Name, out List<Func<IncomingEvent, Task>>? list) ? list.ToArray() : [];
        }

        if (handlers.Length == 0)
        {
            return;
        }

        var e = new ServerSideEvent(this, data, ack);
        foreach (Func<IncomingEvent, Task> handler in handlers)
        {
            try
            {
                Task task = handler(e);
                if (!task.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(task, data.Name);
                }
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed("(server-side)", data.Name, ex);
            }
        }
    }

    private async Task ObserveAsync(Task task, string eventName)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Server.Log.HandlerFailed("(server-side)", eventName, ex);
        }
    }

    /// <summary>A server-side event from another server, with its optional answer.</summary>
    private sealed class ServerSideEvent(Namespace nsp, EventData data, Action<EventData>? ack)
        : IncomingEvent(data.Name, new SocketIoArgs(data.Json, data.Attachments, nsp.Server.JsonOptions, skip: 1), ack is null ? null : 0)
    {
        public override CancellationToken Aborted => CancellationToken.None;

        protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
        {
            ack!(new EventData("", jsonArray, attachments));
            return true;
        }

        protected override void LogRejected(string reason) => nsp.Server.Log.EventRejected("(server-side)", Name, reason);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A dynamic namespace (a regex or a predicate over names): every matching name becomes a child
/// namespace on first connection, with the parent's middleware and handlers.
/// </summary>
public sealed class ParentNamespace : Namespace
{
    private readonly Func<string, JsonElement, ValueTask<bool>> _matcher;
    private readonly ConcurrentDictionary<string, Namespace> _children = new(StringComparer.Ordinal);

    internal ParentNamespace(SocketIoServer server, string name, Func<string, JsonElement, ValueTask<bool>> matcher, System.Text.RegularExpressions.Regex? pattern = null)
        : base(server, name)
    {
        _matcher = matcher;
        Pattern = pattern;
    }

    /// <summary>The pattern, for a namespace created from a regex.</summary>
    public System.Text.RegularExpressions.Regex? Pattern { get; }

    /// <summary>The child namespaces created so far.</summary>
    public IReadOnlyCollection<Namespace> Children => (IReadOnlyCollection<Namespace>)_children.Values;

    internal ValueTask<bool> MatchesAsync(string name, JsonElement auth) => _matcher(name, auth);

    internal Namespace CreateChild(string name) => _children.GetOrAdd(name, n => new Namespace(Server, n, this));

    internal void RemoveChild(Namespace child)
    {
        if (_children.TryRemove(new KeyValuePair<string, Namespace>(child.Name, child)))
        {
            Server.RemoveNamespace(child);
            child.Adapter.Close();
        }
    }

    internal override BroadcastOperator NewBroadcast() => new(this, _children.Values.ToArray());
}
