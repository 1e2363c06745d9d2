using System.Security.Cryptography;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// How the servers of a cluster reach each other, for one namespace: publish to every node,
/// answer one node, receive, and count the nodes. The <see cref="ClusterAdapter"/> above it holds
/// every rule of the cluster protocol (what to publish when, how answers are gathered, timeouts);
/// a transport only moves <see cref="ClusterMessage"/>s and encodes them in its wire format.
/// A transport that also keeps sessions and a packet log (for connection state recovery) extends
/// this class with them.
/// </summary>
public abstract class ClusterTransport : IAsyncDisposable
{
    private IClusterMessageHandler? _handler;

    /// <summary>The adapter's node id, set by <see cref="CreateUid"/> before <see cref="StartAsync"/>.</summary>
    public string Uid { get; private set; } = "";

    /// <summary>The namespace this transport serves.</summary>
    public string Namespace { get; private set; } = "/";

    /// <summary>Where received messages go.</summary>
    protected IClusterMessageHandler Handler => _handler ?? throw new InvalidOperationException("The transport was not started.");

    /// <summary>Whether the transport has a way to gather every node's rooms (<see cref="ClusterMessageType.AllRooms"/>).</summary>
    public virtual bool SupportsAllRooms => false;

    /// <summary>
    /// Heartbeat settings when the adapter must keep track of the other nodes itself (the transport
    /// cannot count them), in which case <see cref="ServerCountAsync"/> is not used; null (the
    /// default) when the transport counts the nodes.
    /// </summary>
    public virtual ClusterHeartbeatOptions? Heartbeat => null;

    /// <summary>Whether the transport can publish now (false while its connection is down).</summary>
    public virtual bool IsConnected => true;

    /// <summary>A new node id in the transport's format (default: 16 hexadecimal digits).</summary>
    protected virtual string NewUid() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A new request id in the transport's format (default: 16 hexadecimal digits).</summary>
    public virtual string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    internal string CreateUid(string nsp)
    {
        Namespace = nsp;
        Uid = NewUid();
        return Uid;
    }

    /// <summary>Starts receiving: every message goes to <paramref name="handler"/>.</summary>
    public Task StartAsync(IClusterMessageHandler handler)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        return SubscribeAsync();
    }

    /// <summary>Subscribes to what the namespace's node must hear; received messages go to <see cref="Handler"/>.</summary>
    protected abstract Task SubscribeAsync();

    /// <summary>Sends <paramref name="message"/> to every node (including, on some wires, this one: the adapter skips its own).</summary>
    public abstract Task PublishAsync(ClusterMessage message);

    /// <summary>Sends the answer <paramref name="response"/> to the node <paramref name="requesterUid"/>.</summary>
    public abstract Task PublishResponseAsync(string requesterUid, ClusterMessage response);

    /// <summary>How many nodes serve the namespace, this one included (not called when <see cref="Heartbeat"/> is set).</summary>
    public abstract Task<int> ServerCountAsync();

    /// <summary>A room got its first local member (transports that subscribe per room use it).</summary>
    /// <param name="room">The room.</param>
    /// <param name="isSocketId">Whether the room is a socket's own room.</param>
    public virtual void OnRoomCreated(string room, bool isSocketId)
    {
    }

    /// <summary>A room lost its last local member.</summary>
    /// <param name="room">The room.</param>
    /// <param name="isSocketId">Whether the room is a socket's own room.</param>
    public virtual void OnRoomDeleted(string room, bool isSocketId)
    {
    }

    /// <summary>The message of the error a request fails with when its answers do not all arrive in time (the reference's wording).</summary>
    /// <param name="type">The request.</param>
    /// <param name="received">Answers received.</param>
    /// <param name="expected">Answers expected.</param>
    public virtual string TimeoutMessage(ClusterMessageType type, int received, int expected) =>
        $"timeout reached: only {received} responses received out of {expected}";

    /// <summary>Stops receiving and releases what the transport holds.</summary>
    public abstract ValueTask DisposeAsync();
}

/// <summary>What a <see cref="ClusterTransport"/> hands received messages to (the <see cref="ClusterAdapter"/>).</summary>
public interface IClusterMessageHandler
{
    /// <summary>A message published to every node.</summary>
    void OnMessage(ClusterMessage message);

    /// <summary>An answer meant for this node.</summary>
    void OnResponse(ClusterMessage response);

    /// <summary>A message could not be read (logged and counted; nothing else happens).</summary>
    void OnInvalidMessage(string channel, Exception error);
}
