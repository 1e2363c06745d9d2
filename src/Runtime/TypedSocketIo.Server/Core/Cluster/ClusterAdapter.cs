using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TypedSocketIo.Protocol;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The adapter of a namespace whose servers form a cluster (the reference's ClusterAdapter): the
/// in-memory adapter stays the local half of every operation, and this class publishes each
/// operation to the other servers through a <see cref="ClusterTransport"/>, applies what they
/// publish, and gathers their answers with timeouts. Nothing above it knows how many servers a
/// room spans. A publish that fails (the transport is down) is logged and counted; the local half
/// still runs and the caller is never blocked.
/// </summary>
public partial class ClusterAdapter : InMemoryAdapter, IClusterMessageHandler
{
    private readonly ConcurrentDictionary<string, PendingRequest> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AckRequest> _ackRequests = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly ClusterHeartbeat? _heartbeat;

    /// <summary>The uid external emitters publish with: they are not nodes.</summary>
    private const string EmitterUid = "emitter";
    private int _closed;

    /// <summary>Creates the adapter of <paramref name="nsp"/> over <paramref name="transport"/> and starts receiving.</summary>
    public ClusterAdapter(Namespace nsp, ClusterTransport transport, ClusterAdapterOptions? options = null, ILogger? logger = null, ClusterMetrics? metrics = null)
        : base(nsp)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Transport = transport;
        Options = options ?? new ClusterAdapterOptions();
        _logger = logger ?? NullLogger.Instance;
        Metrics = metrics ?? new ClusterMetrics();
        Uid = transport.CreateUid(nsp.Name);
        if (transport.Heartbeat is ClusterHeartbeatOptions heartbeat)
        {
            _heartbeat = new ClusterHeartbeat(heartbeat, () => _ = PublishAsync(Message(ClusterMessageType.Heartbeat)));
        }

        RoomCreated += room => Transport.OnRoomCreated(room, SocketRooms(room) is not null);
        RoomDeleted += room => Transport.OnRoomDeleted(room, SocketRooms(room) is not null);
        Started = StartAsync();
    }

    /// <summary>This node's id in the cluster, for this namespace.</summary>
    public string Uid { get; }

    /// <summary>The transport.</summary>
    public ClusterTransport Transport { get; }

    /// <summary>The options.</summary>
    public ClusterAdapterOptions Options { get; }

    /// <summary>The metrics the adapter reports to.</summary>
    public ClusterMetrics Metrics { get; }

    /// <summary>Completes once the transport listens (faults are logged, not thrown here).</summary>
    public Task Started { get; }

    private async Task StartAsync()
    {
        try
        {
            await Transport.StartAsync(this).ConfigureAwait(false);
            ClusterLog.Started(_logger, Uid, Namespace.Name);
            if (_heartbeat is not null && Volatile.Read(ref _closed) == 0)
            {
                _heartbeat.Start();
                await PublishAsync(Message(ClusterMessageType.InitialHeartbeat)).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            ClusterLog.SubscribeFailed(_logger, Uid, Namespace.Name, ex);
        }
    }

    // ------------------------------------------------------------------ publishing

    private ClusterMessage Message(ClusterMessageType type) => new(type, Uid, Namespace.Name);

    /// <summary>Publishes to every node; true when the transport took it. Never throws.</summary>
    private Task<bool> PublishAsync(ClusterMessage message)
    {
        _heartbeat?.Published();
        Task task;
        try
        {
            task = Transport.PublishAsync(message);
        }
        catch (Exception ex)
        {
            OnPublishFailed(message.Type, ex);
            return Task.FromResult(false);
        }

        if (task.IsCompletedSuccessfully)
        {
            Metrics.Published(message.Type);
            return Task.FromResult(true);
        }

        return ObserveAsync(task, message.Type);
    }

    private void Respond(string? requesterUid, ClusterMessage response)
    {
        Task task;
        try
        {
            task = Transport.PublishResponseAsync(requesterUid ?? "", response);
        }
        catch (Exception ex)
        {
            OnPublishFailed(response.Type, ex);
            return;
        }

        if (task.IsCompletedSuccessfully)
        {
            Metrics.Published(response.Type);
        }
        else
        {
            _ = ObserveAsync(task, response.Type);
        }
    }

    private async Task<bool> ObserveAsync(Task task, ClusterMessageType type)
    {
        try
        {
            await task.ConfigureAwait(false);
            Metrics.Published(type);
            return true;
        }
        catch (Exception ex)
        {
            OnPublishFailed(type, ex);
            return false;
        }
    }

    private void OnPublishFailed(ClusterMessageType type, Exception error)
    {
        Metrics.PublishFailed(type);
        ClusterLog.PublishFailed(_logger, Uid, type, Namespace.Name, error.Message);
    }

    // ------------------------------------------------------------------ operations (local half + publish)

    /// <inheritdoc />
    public override ValueTask<int> ServerCount() =>
        _heartbeat is null ? new(Transport.ServerCountAsync()) : ValueTask.FromResult(1 + _heartbeat.LiveNodes);

    /// <inheritdoc />
    public override void Broadcast(SocketIoPacket packet, BroadcastOptions options)
    {
        if (BroadcastToLog(packet, options))
        {
            return;
        }

        if (!options.Flags.Local && packet.Id is null) // an emit with ack (recovery sends socket emits through here) stays local
        {
            _ = PublishAsync(new ClusterMessage(ClusterMessageType.Broadcast, Uid, Namespace.Name)
            {
                Options = options,
                Payload = new JsonPayload(packet.Data, packet.Attachments),
            });
        }

        base.Broadcast(packet, options);
    }

    /// <inheritdoc />
    public override void BroadcastWithAck(SocketIoPacket packet, BroadcastOptions options, Action<int> clientCount, Action<Socket?, SocketIoArgs> onAck)
    {
        if (options.Flags.Local)
        {
            base.BroadcastWithAck(packet, options, clientCount, onAck);
            return;
        }

        string requestId = Transport.NewRequestId();
        var request = new AckRequest(clientCount, onAck);
        _ackRequests[requestId] = request;
        ScheduledTimer cleanup = TimerScheduler.Shared.CreateTimer(static s =>
        {
            var (adapter, id) = ((ClusterAdapter, string))s;
            adapter._ackRequests.TryRemove(id, out _);
        }, (this, requestId));
        cleanup.Schedule(options.Flags.Timeout ?? Options.RequestsTimeout);
        Task<bool> published = PublishAsync(new ClusterMessage(ClusterMessageType.Broadcast, Uid, Namespace.Name)
        {
            RequestId = requestId,
            Options = options,
            Payload = new JsonPayload(packet.Data, packet.Attachments),
        });
        base.BroadcastWithAck(packet, options, request.SetLocal, onAck);
        _ = ExpectNodesAsync(request, published);
    }

    private async Task ExpectNodesAsync(AckRequest request, Task<bool> published)
    {
        int nodes = 0;
        try
        {
            if (await published.ConfigureAwait(false))
            {
                nodes = await ServerCount().ConfigureAwait(false) - 1;
            }
        }
        catch (Exception ex)
        {
            OnPublishFailed(ClusterMessageType.Broadcast, ex);
        }

        request.SetExpectedNodes(nodes);
    }

    /// <inheritdoc />
    public override void AddSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        if (!options.Flags.Local)
        {
            _ = PublishAsync(new ClusterMessage(ClusterMessageType.SocketsJoin, Uid, Namespace.Name) { Options = options, Rooms = [.. rooms] });
        }

        base.AddSockets(options, rooms);
    }

    /// <inheritdoc />
    public override void DelSockets(BroadcastOptions options, IReadOnlyCollection<string> rooms)
    {
        if (!options.Flags.Local)
        {
            _ = PublishAsync(new ClusterMessage(ClusterMessageType.SocketsLeave, Uid, Namespace.Name) { Options = options, Rooms = [.. rooms] });
        }

        base.DelSockets(options, rooms);
    }

    /// <inheritdoc />
    public override void DisconnectSockets(BroadcastOptions options, bool close)
    {
        if (!options.Flags.Local)
        {
            _ = PublishAsync(new ClusterMessage(ClusterMessageType.DisconnectSockets, Uid, Namespace.Name) { Options = options, Close = close });
        }

        base.DisconnectSockets(options, close);
    }

    /// <inheritdoc />
    /// <exception cref="ClusterRequestTimeoutException">Not every other server answered in time.</exception>
    public override async ValueTask<IReadOnlyList<RemoteSocket>> FetchSockets(BroadcastOptions options)
    {
        IReadOnlyList<RemoteSocket> local = await base.FetchSockets(options).ConfigureAwait(false);
        if (options.Flags.Local)
        {
            return local;
        }

        int expected = await ServerCount().ConfigureAwait(false) - 1;
        if (expected <= 0)
        {
            return local;
        }

        var request = new PendingRequest(ClusterMessageType.FetchSockets, expected);
        request.Sockets.AddRange(local);
        await RunAsync(request, new ClusterMessage(ClusterMessageType.FetchSockets, Uid, Namespace.Name) { Options = options },
            options.Flags.Timeout ?? Options.RequestsTimeout, CancellationToken.None).ConfigureAwait(false);
        lock (request)
        {
            return request.Sockets.ToArray();
        }
    }

    /// <inheritdoc />
    public override void ServerSideEmit(EventData data) =>
        _ = PublishAsync(new ClusterMessage(ClusterMessageType.ServerSideEmit, Uid, Namespace.Name) { Payload = new JsonPayload(data.Json, data.Attachments) });

    /// <inheritdoc />
    /// <exception cref="ClusterRequestTimeoutException">Not every other server answered in time (<see cref="ClusterAdapterOptions.RequestsTimeout"/>).</exception>
    public override async Task<IReadOnlyList<SocketIoArgs>> ServerSideEmitWithAck(EventData data, CancellationToken cancellationToken)
    {
        int expected = await ServerCount().ConfigureAwait(false) - 1;
        if (expected <= 0)
        {
            return Array.Empty<SocketIoArgs>();
        }

        var request = new PendingRequest(ClusterMessageType.ServerSideEmit, expected);
        await RunAsync(request, new ClusterMessage(ClusterMessageType.ServerSideEmit, Uid, Namespace.Name) { Payload = new JsonPayload(data.Json, data.Attachments) },
            Options.RequestsTimeout, cancellationToken).ConfigureAwait(false);
        lock (request)
        {
            return request.Answers.ToArray();
        }
    }

    /// <summary>
    /// The rooms of every server of the cluster (the classic Redis flavour's <c>allRooms</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">The transport's protocol has no such request.</exception>
    /// <exception cref="ClusterRequestTimeoutException">Not every other server answered in time.</exception>
    public async Task<IReadOnlySet<string>> AllRooms()
    {
        if (!Transport.SupportsAllRooms)
        {
            throw new NotSupportedException("This cluster transport cannot list every server's rooms.");
        }

        var rooms = new HashSet<string>(Rooms.Keys, StringComparer.Ordinal);
        int expected = await ServerCount().ConfigureAwait(false) - 1;
        if (expected <= 0)
        {
            return rooms;
        }

        var request = new PendingRequest(ClusterMessageType.AllRooms, expected);
        request.Rooms.UnionWith(rooms);
        await RunAsync(request, new ClusterMessage(ClusterMessageType.AllRooms, Uid, Namespace.Name), Options.RequestsTimeout, CancellationToken.None).ConfigureAwait(false);
        lock (request)
        {
            return new HashSet<string>(request.Rooms, StringComparer.Ordinal);
        }
    }

    private async Task RunAsync(PendingRequest request, ClusterMessage template, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string requestId = Transport.NewRequestId();
        _requests[requestId] = request;
        request.Start(timeout, r => OnRequestTimeout(requestId, r));
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s => ((PendingRequest)s!).Cancel(default), request)
            : default;
        try
        {
            _ = PublishAsync(new ClusterMessage(template.Type, Uid, Namespace.Name)
            {
                RequestId = requestId,
                Options = template.Options,
                Payload = template.Payload,
            });
            await request.Task.ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    private void OnRequestTimeout(string requestId, PendingRequest request)
    {
        string message = Transport.TimeoutMessage(request.Type, request.Received, request.Expected);
        object partial;
        lock (request)
        {
            partial = request.Type switch
            {
                ClusterMessageType.FetchSockets => request.Sockets.ToArray(),
                ClusterMessageType.AllRooms => request.Rooms.ToArray(),
                _ => request.Answers.ToArray(),
            };
        }

        if (request.Fail(new ClusterRequestTimeoutException(message, partial)))
        {
            Metrics.TimedOut(request.Type);
            ClusterLog.RequestTimedOut(_logger, requestId, request.Type, Namespace.Name, message);
        }
    }

    /// <inheritdoc />
    public override void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        foreach (KeyValuePair<string, PendingRequest> request in _requests)
        {
            request.Value.Fail(new ObjectDisposedException(nameof(ClusterAdapter), "The server closed."));
        }

        _heartbeat?.Stop();
        _ = DisposeTransportAsync();
    }

    private async Task DisposeTransportAsync()
    {
        try
        {
            if (_heartbeat is not null)
            {
                // Goodbye first, so that the other nodes stop counting this one at once.
                await PublishAsync(Message(ClusterMessageType.AdapterClose)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }

            await Transport.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClusterLog.SubscribeFailed(_logger, Uid, Namespace.Name, ex);
        }
    }
}
