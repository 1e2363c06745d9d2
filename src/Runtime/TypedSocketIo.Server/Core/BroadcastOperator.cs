using TypedSocketIo.Protocol;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server;

/// <summary>
/// An immutable broadcast target: rooms to reach, rooms to skip and flags. Every call that adds
/// to it returns a new operator. Each broadcast packet is encoded once for all its recipients.
/// </summary>
public sealed class BroadcastOperator : ISocketIoBroadcastTarget
{
    private readonly Namespace[] _namespaces;
    private readonly IReadOnlySet<string> _rooms;
    private readonly IReadOnlySet<string> _except;
    private readonly EmitFlags _flags;

    internal BroadcastOperator(Namespace nsp, Namespace[]? namespaces = null)
        : this(namespaces ?? [nsp], InMemoryAdapter.EmptySet, InMemoryAdapter.EmptySet, default)
    {
    }

    private BroadcastOperator(Namespace[] namespaces, IReadOnlySet<string> rooms, IReadOnlySet<string> except, EmitFlags flags)
    {
        _namespaces = namespaces;
        _rooms = rooms;
        _except = except;
        _flags = flags;
    }

    /// <summary>The targeted rooms (all sockets when empty).</summary>
    public IReadOnlySet<string> Rooms => _rooms;

    /// <summary>The excluded rooms.</summary>
    public IReadOnlySet<string> ExceptRooms => _except;

    /// <summary>The flags.</summary>
    public EmitFlags Flags => _flags;

    private static IReadOnlySet<string> With(IReadOnlySet<string> set, IEnumerable<string> more)
    {
        var copy = new HashSet<string>(set, StringComparer.Ordinal);
        foreach (string room in more)
        {
            ArgumentNullException.ThrowIfNull(room);
            copy.Add(room);
        }

        return copy;
    }

    /// <summary>Also targets <paramref name="room"/>.</summary>
    public BroadcastOperator To(string room) => To([room]);

    /// <summary>Also targets <paramref name="rooms"/>.</summary>
    public BroadcastOperator To(IEnumerable<string> rooms) => new(_namespaces, With(_rooms, rooms), _except, _flags);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator In(string room) => To(room);

    /// <summary>Same as <see cref="To(IEnumerable{string})"/>.</summary>
    public BroadcastOperator In(IEnumerable<string> rooms) => To(rooms);

    /// <summary>Excludes the sockets in <paramref name="room"/> (a socket id is a room too).</summary>
    public BroadcastOperator Except(string room) => Except([room]);

    /// <summary>Excludes the sockets in <paramref name="rooms"/>.</summary>
    public BroadcastOperator Except(IEnumerable<string> rooms) => new(_namespaces, _rooms, With(_except, rooms), _flags);

    /// <summary>This node only (never published to a cluster).</summary>
    public BroadcastOperator Local => new(_namespaces, _rooms, _except, _flags with { Local = true });

    /// <summary>Dropped for each client whose transport is not ready to send.</summary>
    public BroadcastOperator Volatile => new(_namespaces, _rooms, _except, _flags with { Volatile = true });

    /// <summary>With compression set explicitly.</summary>
    public BroadcastOperator Compress(bool compress) => new(_namespaces, _rooms, _except, _flags with { Compress = compress });

    /// <summary>With acknowledgements collected for <paramref name="timeout"/> (required by <see cref="EmitWithAck(string, object?[], CancellationToken)"/>).</summary>
    public BroadcastOperator Timeout(TimeSpan timeout) => new(_namespaces, _rooms, _except, _flags with { Timeout = timeout });

    private BroadcastOptions Options => new(_rooms, _except, _flags);

    /// <summary>Emits to every targeted socket.</summary>
    /// <returns>Always true, as the reference.</returns>
    public bool Emit(string eventName, params object?[] args)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
        if (_namespaces.Length == 0)
        {
            return true;
        }

        return Emit(Pipeline.Encode(eventName, args, _namespaces[0].Server.JsonOptions));
    }

    private bool Emit(in EventData data)
    {
        foreach (Namespace nsp in _namespaces)
        {
            nsp.Adapter.Broadcast(Pipeline.EventPacket(nsp.Name, data, id: null), Options);
        }

        return true;
    }

    /// <summary>
    /// Emits to every targeted socket and collects one answer per socket. Completes when every
    /// socket answered; fails with <see cref="SocketIoTimeoutException"/> (carrying the answers
    /// that did arrive) when the <see cref="Timeout"/> passes first.
    /// </summary>
    /// <exception cref="InvalidOperationException">No timeout was set: broadcast acks need one.</exception>
    public Task<IReadOnlyList<SocketIoArgs>> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        EmitWithAck(eventName, [], cancellationToken);

    /// <summary>
    /// As <see cref="EmitWithAck(string, CancellationToken)"/>, with <paramref name="args"/>. The
    /// arguments are an array (<c>EmitWithAck("vote", ["proposal"], token)</c>), so a token is never
    /// taken for an argument.
    /// </summary>
    /// <exception cref="InvalidOperationException">No timeout was set: broadcast acks need one.</exception>
    public Task<IReadOnlyList<SocketIoArgs>> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default)
    {
        TimeSpan timeout = RequireTimeout();
        JsonSocketIoParser.ThrowIfReserved(eventName);
        return _namespaces.Length == 0
            ? Task.FromResult<IReadOnlyList<SocketIoArgs>>(Array.Empty<SocketIoArgs>())
            : EmitWithAcks(Pipeline.Encode(eventName, args, _namespaces[0].Server.JsonOptions), timeout, cancellationToken);
    }

    private TimeSpan RequireTimeout() => _flags.Timeout ??
        throw new InvalidOperationException("A broadcast with acknowledgements needs a timeout: call Timeout(…) first.");

    private Task<IReadOnlyList<SocketIoArgs>> EmitWithAcks(in EventData data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var collector = new AckCollector(_namespaces.Length);
        foreach (Namespace nsp in _namespaces)
        {
            SocketIoPacket packet = Pipeline.EventPacket(nsp.Name, data, nsp.NextAckId());
            nsp.Adapter.BroadcastWithAck(packet, Options, collector.AddExpected, (_, answer) => collector.Add(answer));
        }

        return collector.Run(timeout, cancellationToken);
    }

    System.Text.Json.JsonSerializerOptions ISocketIoEmitTarget.JsonOptions =>
        _namespaces.Length > 0 ? _namespaces[0].Server.JsonOptions : SocketIoJson.DefaultOptions;

    bool ISocketIoEmitTarget.Emit(in EventData data)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        return Emit(data);
    }

    Task<SocketIoArgs> ISocketIoEmitTarget.EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(
            $"\"{data.Name}\" expects an acknowledgement, and a broadcast gets one per client: use EmitWithAck on the broadcast (with a Timeout) to collect them.");

    Task<IReadOnlyList<SocketIoArgs>> ISocketIoBroadcastTarget.EmitWithAcks(in EventData data, CancellationToken cancellationToken)
    {
        TimeSpan timeout = RequireTimeout();
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        return EmitWithAcks(data, timeout, cancellationToken);
    }

    /// <summary>The ids of the targeted sockets.</summary>
    public async Task<IReadOnlySet<string>> AllSockets()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (Namespace nsp in _namespaces)
        {
            ids.UnionWith(await nsp.Adapter.Sockets(_rooms).ConfigureAwait(false));
        }

        return ids;
    }

    /// <summary>The targeted sockets as remote-socket views (id, handshake, rooms, data, emit, join, leave, disconnect).</summary>
    public async Task<IReadOnlyList<RemoteSocket>> FetchSockets()
    {
        var sockets = new List<RemoteSocket>();
        foreach (Namespace nsp in _namespaces)
        {
            sockets.AddRange(await nsp.Adapter.FetchSockets(Options).ConfigureAwait(false));
        }

        return sockets;
    }

    /// <summary>Makes the targeted sockets join <paramref name="rooms"/>.</summary>
    public void SocketsJoin(params string[] rooms)
    {
        foreach (Namespace nsp in _namespaces)
        {
            nsp.Adapter.AddSockets(Options, rooms);
        }
    }

    /// <summary>Makes the targeted sockets leave <paramref name="rooms"/>.</summary>
    public void SocketsLeave(params string[] rooms)
    {
        foreach (Namespace nsp in _namespaces)
        {
            nsp.Adapter.DelSockets(Options, rooms);
        }
    }

    /// <summary>Disconnects the targeted sockets; with <paramref name="close"/>, their whole connections.</summary>
    public void DisconnectSockets(bool close = false)
    {
        foreach (Namespace nsp in _namespaces)
        {
            nsp.Adapter.DisconnectSockets(Options, close);
        }
    }

    private sealed class AckCollector(int namespaces)
    {
        private readonly object _lock = new();
        private readonly List<SocketIoArgs> _answers = new();
        private readonly TaskCompletionSource<IReadOnlyList<SocketIoArgs>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected;
        private int _pendingCounts = namespaces;
        private ScheduledTimer? _timer;

        public void AddExpected(int count)
        {
            lock (_lock)
            {
                _expected += count;
                _pendingCounts--;
            }

            CheckComplete();
        }

        public void Add(SocketIoArgs answer)
        {
            lock (_lock)
            {
                _answers.Add(answer);
            }

            CheckComplete();
        }

        public Task<IReadOnlyList<SocketIoArgs>> Run(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                CancellationTokenRegistration registration = cancellationToken.Register(static s =>
                {
                    var (collector, token) = ((AckCollector, CancellationToken))s!;
                    if (collector._result.TrySetCanceled(token))
                    {
                        collector._timer?.Cancel();
                    }
                }, (this, cancellationToken));
                _result.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, TaskScheduler.Default);
            }

            if (!_result.Task.IsCompleted)
            {
                _timer = TimerScheduler.Shared.CreateTimer(static s => ((AckCollector)s).OnTimeout(), this);
                _timer.Schedule(timeout);
                CheckComplete();
            }

            return _result.Task;
        }

        private void CheckComplete()
        {
            IReadOnlyList<SocketIoArgs>? done = null;
            lock (_lock)
            {
                if (_pendingCounts == 0 && _answers.Count >= _expected)
                {
                    done = _answers.ToArray();
                }
            }

            if (done is not null && _result.TrySetResult(done))
            {
                _timer?.Cancel();
            }
        }

        private void OnTimeout()
        {
            SocketIoArgs[] partial;
            lock (_lock)
            {
                partial = _answers.ToArray();
            }

            _result.TrySetException(new SocketIoTimeoutException(partial));
        }
    }
}
