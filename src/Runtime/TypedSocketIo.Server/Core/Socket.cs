using System.Text.Json;
using TypedSocketIo.Events;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>
/// A client's connection to one namespace (the reference's server-side <c>Socket</c>). Emit and
/// change handlers from any thread; handlers run in the order packets arrive.
/// </summary>
public sealed partial class Socket : ISocketIoListenTarget
{
    private readonly object _lock = new();
    private readonly EventHandlerRegistry<SocketIoEvent> _handlers = new();
    private readonly ListenerList<Action<SocketIoEvent>> _anyListeners = new();
    private readonly ListenerList<Action<string, SocketIoArgs>> _anyOutgoingListeners = new();
    private readonly AckRegistry _acks;
    private readonly EventInbox<SocketIoEvent> _inbox;
    private Func<SocketIoEvent, Func<Task>, Task>[] _middleware = []; // replaced whole by Use, read without the lock
    private const int Pending = 0, Open = 1, Closed = 2;
    private int _state; // Pending while the middleware runs, then Open, then Closed for good
    private CancellationTokenSource? _aborted;
    private object? _typedView;

    internal Socket(Namespace nsp, SocketIoConnection client, Handshake handshake, string id, string? pid = null, bool recovered = false)
    {
        Namespace = nsp;
        Connection = client;
        Handshake = handshake;
        Id = id;
        Pid = pid;
        Recovered = recovered;
        SocketIoServerOptions options = nsp.Server.Options;
        _acks = new AckRegistry(options.MaxPendingAcks);
        _inbox = new EventInbox<SocketIoEvent>(static (socket, e) => ((Socket)socket).ProcessAsync(e), this, options.MaxPendingEvents, preferLocal: true, inReceiveTurn: true);
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

    IDisposable ISocketIoListenTarget.On(string eventName, Func<IncomingEvent, Task> handler) => On(eventName, handler);

    IDisposable ISocketIoListenTarget.On(string eventName, IncomingEventHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        return _handlers.Add(eventName, handler);
    }

    /// <summary>Raised when the socket is about to leave (its rooms are still visible), with the reason.</summary>
    public event Action<Socket, string>? Disconnecting;

    /// <summary>Raised when the socket has disconnected, with the reason and a description.</summary>
    public event Action<Socket, string, string?>? Disconnected;

    /// <summary>Raised when packet middleware fails.</summary>
    public event Action<Socket, Exception>? Error;

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
        PersistIfRecoverable(reason);
        Namespace.Adapter.DelAll(Id);
        Namespace.Remove(this);
        Connection.Remove(this);
        foreach (long id in _acks.Ids)
        {
            _acks.Fail(id, new SocketIoException("The socket disconnected before the acknowledgement arrived."));
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
                if (packet.Id is { } id)
                {
                    _acks.Complete(id, SocketIoArgs.FromPacket(packet, Server.JsonOptions));
                }

                break;
            case SocketIoPacketType.Disconnect:
                OnClose("client namespace disconnect", null);
                break;
        }
    }

    private void OnEvent(SocketIoPacket packet)
    {
        // The decoder read the name and counted the arguments as it validated the packet: neither is read again.
        string name = packet.EventName;
        var args = SocketIoArgs.FromPacket(packet, Server.JsonOptions);

        // Handlers run one event at a time per socket, in arrival order, once the read that carried
        // the event has been handled (the reference defers dispatch too): on the receive path's
        // thread at the end of its turn, without a thread hop, so an event followed by a DISCONNECT
        // in the same batch is dropped. What waits is bounded.
        if (!_inbox.TryPost(new SocketIoEvent(this, name, args, packet.Id)))
        {
            int limit = Server.Options.MaxPendingEvents;
            Connection.DropForLimit(nameof(SocketIoServerOptions.MaxPendingEvents), $"more than {limit} events waiting for their handlers");
        }
    }

    /// <summary>
    /// Runs one event of the inbox. Packet middleware that does not complete at once is awaited
    /// before the next event enters its middleware, so handlers see events in arrival order
    /// whatever the middleware awaits.
    /// </summary>
    private Task ProcessAsync(SocketIoEvent e)
    {
        if (!Connected)
        {
            return Task.CompletedTask;
        }

        Func<SocketIoEvent, Func<Task>, Task>[] middleware = System.Threading.Volatile.Read(ref _middleware);
        if (middleware.Length == 0)
        {
            Dispatch(e);
            return Task.CompletedTask;
        }

        return RunMiddlewareAsync(e, middleware);
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
        foreach (Action<SocketIoEvent> listener in _anyListeners.Items)
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

        _handlers.Invoke(e.Name, e, this, static (socket, eventName, ex) => socket.OnHandlerFailed(eventName, ex));
    }

    private void OnHandlerFailed(string eventName, Exception ex)
    {
        if (ex is OperationCanceledException && System.Threading.Volatile.Read(ref _state) == Closed)
        {
            Server.Log.HandlerCancelled(Id, eventName); // cancelled by Aborted as the socket left: not a failure
        }
        else
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
}
