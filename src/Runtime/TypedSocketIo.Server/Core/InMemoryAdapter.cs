using TypedSocketIo.Protocol;
using TypedSocketIo.Server.EngineIO.Framing;

namespace TypedSocketIo.Server;

/// <summary>Where a broadcast goes: rooms (all sockets when empty), rooms excluded, and flags.</summary>
public sealed record BroadcastOptions(IReadOnlySet<string> Rooms, IReadOnlySet<string> Except, EmitFlags Flags);

/// <summary>
/// The rooms of one namespace and the broadcasts over them, in memory (the reference's default
/// adapter). Room names are exact strings. Operations complete synchronously; they return
/// ValueTask so that cluster adapters can be asynchronous.
/// </summary>
public partial class InMemoryAdapter
{
    private readonly object _lock = new();
    private readonly Dictionary<string, RoomSet> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoomSet> _sids = new(StringComparer.Ordinal);

    /// <summary>Creates the adapter of <paramref name="nsp"/>.</summary>
    public InMemoryAdapter(Namespace nsp) => Namespace = nsp;

    /// <summary>The namespace.</summary>
    public Namespace Namespace { get; }

    /// <summary>Raised when a room gets its first member.</summary>
    public event Action<string>? RoomCreated;

    /// <summary>Raised when a room loses its last member.</summary>
    public event Action<string>? RoomDeleted;

    /// <summary>Raised when a socket joins a room (room, socket id).</summary>
    public event Action<string, string>? RoomJoined;

    /// <summary>Raised when a socket leaves a room (room, socket id).</summary>
    public event Action<string, string>? RoomLeft;

    /// <summary>The rooms and their members (a snapshot).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Rooms
    {
        get
        {
            lock (_lock)
            {
                return _rooms.ToDictionary(static r => r.Key, static r => (IReadOnlySet<string>)new HashSet<string>(r.Value), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Adds socket <paramref name="id"/> to <paramref name="rooms"/>.</summary>
    public virtual ValueTask AddAll(string id, IReadOnlyCollection<string> rooms)
    {
        var created = new List<string>();
        var joined = new List<string>();
        lock (_lock)
        {
            if (!_sids.TryGetValue(id, out RoomSet? socketRooms))
            {
                _sids[id] = socketRooms = new RoomSet();
            }

            foreach (string room in rooms)
            {
                ArgumentNullException.ThrowIfNull(room);
                if (!socketRooms.Add(room))
                {
                    continue;
                }

                if (!_rooms.TryGetValue(room, out RoomSet? members))
                {
                    _rooms[room] = members = new RoomSet();
                    created.Add(room);
                }

                members.Add(id);
                joined.Add(room);
            }
        }

        foreach (string room in created)
        {
            RoomCreated?.Invoke(room);
        }

        foreach (string room in joined)
        {
            RoomJoined?.Invoke(room, id);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Removes socket <paramref name="id"/> from <paramref name="room"/>.</summary>
    public virtual ValueTask Del(string id, string room)
    {
        bool left = false, deleted = false;
        lock (_lock)
        {
            if (_sids.TryGetValue(id, out RoomSet? socketRooms))
            {
                left = socketRooms.Remove(room);
            }

            if (left && _rooms.TryGetValue(room, out RoomSet? members))
            {
                members.Remove(id);
                if (members.Count == 0)
                {
                    _rooms.Remove(room);
                    deleted = true;
                }
            }
        }

        if (deleted)
        {
            RoomDeleted?.Invoke(room);
        }

        if (left)
        {
            RoomLeft?.Invoke(room, id);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Removes socket <paramref name="id"/> from every room.</summary>
    public virtual void DelAll(string id)
    {
        string[] rooms;
        lock (_lock)
        {
            rooms = _sids.TryGetValue(id, out RoomSet? socketRooms) ? socketRooms.ToArray() : [];
        }

        foreach (string room in rooms)
        {
            _ = Del(id, room);
        }

        lock (_lock)
        {
            _sids.Remove(id);
        }
    }

    /// <summary>The rooms of socket <paramref name="id"/>, or null when it is unknown.</summary>
    public virtual IReadOnlySet<string>? SocketRooms(string id)
    {
        lock (_lock)
        {
            return _sids.TryGetValue(id, out RoomSet? rooms) ? new HashSet<string>(rooms, StringComparer.Ordinal) : null;
        }
    }

    /// <summary>The ids of the sockets in <paramref name="rooms"/> (all sockets when empty).</summary>
    public virtual ValueTask<IReadOnlySet<string>> Sockets(IReadOnlySet<string> rooms)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (Socket socket in Targets(new BroadcastOptions(rooms, EmptySet, default)))
        {
            ids.Add(socket.Id);
        }

        return ValueTask.FromResult<IReadOnlySet<string>>(ids);
    }

    /// <summary>How many servers the cluster has: one.</summary>
    public virtual ValueTask<int> ServerCount() => ValueTask.FromResult(1);

    /// <summary>Sends <paramref name="packet"/> to the targeted sockets, encoded once for all of them.</summary>
    /// <remarks>With connection state recovery on, an event sent without acknowledgement and not
    /// volatile is logged first and carries its offset (<see cref="LogForRecovery"/>).</remarks>
    public virtual void Broadcast(SocketIoPacket packet, BroadcastOptions options)
    {
        if (!CarriesOffset(packet, options))
        {
            Deliver(packet, packet, options);
            return;
        }

        lock (RecoveryLock)
        {
            // Logged and delivered as one step: every socket gets logged events in log order, so
            // the last offset a client saw means it saw everything before it.
            Deliver(LogForRecovery(packet, options), packet, options);
        }
    }

    /// <summary>
    /// Sends <paramref name="wire"/> to the targeted sockets of this server, encoded once; their
    /// outgoing listeners are told of <paramref name="visible"/> (the same event without its offset).
    /// </summary>
    protected void Deliver(SocketIoPacket wire, SocketIoPacket visible, BroadcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(wire);
        ArgumentNullException.ThrowIfNull(visible);
        ArgumentNullException.ThrowIfNull(options);
        SharedFrame[]? encoded = null; // encoded once, and each message framed once per protocol
        foreach (Socket socket in Targets(options))
        {
            encoded ??= SharedFrame.For(Namespace.Server.Options.Parser.Encode(wire));
            socket.NotifyOutgoing(visible);
            socket.Connection.WriteShared(encoded, options.Flags.Volatile, options.Flags.Compress ?? true);
        }
    }

    /// <summary>
    /// Sends <paramref name="packet"/> (whose id every target shares) and reports each answer;
    /// <paramref name="clientCount"/> is told how many sockets were sent to.
    /// </summary>
    /// <remarks>In a cluster, answers from sockets of other servers come with a null socket.</remarks>
    public virtual void BroadcastWithAck(SocketIoPacket packet, BroadcastOptions options, Action<int> clientCount, Action<Socket?, SocketIoArgs> onAck)
    {
        SharedFrame[]? encoded = null;
        int count = 0;
        long id = packet.Id ?? throw new ArgumentException("A broadcast with acks needs a packet id.", nameof(packet));
        foreach (Socket socket in Targets(options))
        {
            Socket target = socket;
            if (!socket.ExpectAck(id, (args, error) =>
            {
                if (error is null)
                {
                    onAck(target, args!);
                }
            }))
            {
                continue; // it owed too many acknowledgements and was disconnected: no answer to wait for
            }

            encoded ??= SharedFrame.For(Namespace.Server.Options.Parser.Encode(packet));
            count++;
            socket.NotifyOutgoing(packet);
            socket.Connection.WriteShared(encoded, options.Flags.Volatile, options.Flags.Compress ?? true);
        }

        clientCount(count);
    }

    /// <summary>
    /// Sends a server-side event to the other servers of the cluster (the reference's
    /// <c>serverSideEmit</c>). A single server has no one to tell; cluster adapters override this
    /// and hand the event to <see cref="Namespace.ReceiveServerSideEmit"/> on the other servers.
    /// </summary>
    public virtual void ServerSideEmit(EventData data)
    {
    }

    /// <summary>
    /// Sends a server-side event and collects one answer per other server (the adapter decides how
    /// long to wait). A single server has no one to answer: completes at once with none.
    /// </summary>
    public virtual Task<IReadOnlyList<SocketIoArgs>> ServerSideEmitWithAck(EventData data, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SocketIoArgs>>(Array.Empty<SocketIoArgs>());

    /// <summary>The remote-socket views of the targeted sockets.</summary>
    public virtual ValueTask<IReadOnlyList<RemoteSocket>> FetchSockets(BroadcastOptions options) =>
        ValueTask.FromResult<IReadOnlyList<RemoteSocket>>(Targets(options).Select(static s => new RemoteSocket(s)).ToList());

    /// <summary>Makes the targeted sockets join <paramref name="rooms"/>.</summary>
    public virtual void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        foreach (Socket socket in Targets(options))
        {
            _ = AddAll(socket.Id, rooms);
        }
    }

    /// <summary>Makes the targeted sockets leave <paramref name="rooms"/>.</summary>
    public virtual void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        foreach (Socket socket in Targets(options))
        {
            foreach (string room in rooms)
            {
                _ = Del(socket.Id, room);
            }
        }
    }

    /// <summary>Disconnects the targeted sockets.</summary>
    public virtual void DisconnectSockets(BroadcastOptions options, bool close)
    {
        foreach (Socket socket in Targets(options))
        {
            socket.Disconnect(close);
        }
    }

    /// <summary>Called once when the server closes or the namespace goes away: a cluster adapter leaves the cluster.</summary>
    public virtual void Close()
    {
    }

    /// <summary>The connected sockets that <paramref name="options"/> target, each once.</summary>
    protected List<Socket> Targets(BroadcastOptions options)
    {
        var result = new List<Socket>();
        IReadOnlyDictionary<string, Socket> sockets = Namespace.Sockets;
        lock (_lock)
        {
            HashSet<string>? except = null;
            if (options.Except.Count > 0)
            {
                except = new HashSet<string>(StringComparer.Ordinal);
                foreach (string room in options.Except)
                {
                    if (_rooms.TryGetValue(room, out RoomSet? members))
                    {
                        except.UnionWith(members);
                    }
                }
            }

            if (options.Rooms.Count > 0)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (string room in options.Rooms)
                {
                    if (!_rooms.TryGetValue(room, out RoomSet? members))
                    {
                        continue;
                    }

                    foreach (string id in members)
                    {
                        if (seen.Add(id) && (except is null || !except.Contains(id)) && sockets.TryGetValue(id, out Socket? socket))
                        {
                            result.Add(socket);
                        }
                    }
                }

                return result;
            }

            foreach (string id in _sids.Keys)
            {
                if ((except is null || !except.Contains(id)) && sockets.TryGetValue(id, out Socket? socket))
                {
                    result.Add(socket);
                }
            }
        }

        return result;
    }

    internal static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();
}
