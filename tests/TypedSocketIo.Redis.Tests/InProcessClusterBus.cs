using TypedSocketIo.Server.Cluster;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// A cluster transport within one process, for the adapter's own rules (heartbeats): every message
/// goes through the cluster protocol's wire form (<see cref="ClusterProtocolCodec"/>) to every
/// attached transport, answers to the requester only. A transport can be cut off, as a node whose
/// process froze: it neither sends nor receives.
/// </summary>
public sealed class InProcessClusterBus
{
    private readonly List<InProcessTransport> _members = new();
    private readonly List<(string? Uid, ClusterMessageType Type)> _log = new();

    public InProcessTransport Attach(ClusterHeartbeatOptions? heartbeat)
    {
        var transport = new InProcessTransport(this, heartbeat);
        lock (_members)
        {
            _members.Add(transport);
        }

        return transport;
    }

    /// <summary>How many messages of <paramref name="type"/> <paramref name="uid"/> published.</summary>
    public int Count(string uid, ClusterMessageType type)
    {
        lock (_log)
        {
            return _log.Count(m => m.Uid == uid && m.Type == type);
        }
    }

    internal void Publish(InProcessTransport from, byte[] wire, string? requester)
    {
        ClusterMessage decoded = ClusterProtocolCodec.Decode(wire, from.Namespace);
        lock (_log)
        {
            _log.Add((decoded.Uid, decoded.Type));
        }

        InProcessTransport[] members;
        lock (_members)
        {
            members = _members.ToArray();
        }

        foreach (InProcessTransport member in members)
        {
            if (member.CutOff || member.Disposed || (requester is not null && member.Uid != requester))
            {
                continue;
            }

            ClusterMessage copy = ClusterProtocolCodec.Decode(wire, member.Namespace);
            ThreadPool.QueueUserWorkItem(static s =>
            {
                var (m, message, isResponse) = ((InProcessTransport, ClusterMessage, bool))s!;
                m.Deliver(message, isResponse);
            }, (member, copy, requester is not null), preferLocal: false);
        }
    }
}

/// <summary>One node's end of an <see cref="InProcessClusterBus"/>.</summary>
public sealed class InProcessTransport(InProcessClusterBus bus, ClusterHeartbeatOptions? heartbeat) : ClusterTransport
{
    private readonly object _order = new();

    public override ClusterHeartbeatOptions? Heartbeat => heartbeat;

    /// <summary>Neither sends nor receives (a frozen node).</summary>
    public bool CutOff { get; set; }

    public bool Disposed { get; private set; }

    private volatile bool _subscribed;

    protected override Task SubscribeAsync()
    {
        _subscribed = true;
        return Task.CompletedTask;
    }

    public override Task PublishAsync(ClusterMessage message)
    {
        if (!CutOff)
        {
            bus.Publish(this, ClusterProtocolCodec.Encode(message), null);
        }

        return Task.CompletedTask;
    }

    public override Task PublishResponseAsync(string requesterUid, ClusterMessage response)
    {
        if (!CutOff)
        {
            bus.Publish(this, ClusterProtocolCodec.Encode(response), requesterUid);
        }

        return Task.CompletedTask;
    }

    public override Task<int> ServerCountAsync() => throw new NotSupportedException("Heartbeats count the nodes.");

    internal void Deliver(ClusterMessage message, bool isResponse)
    {
        lock (_order)
        {
            // As on a real wire, a node hears nothing before it has subscribed, nor once it is gone.
            if (!_subscribed || Disposed)
            {
                return;
            }

            if (isResponse)
            {
                Handler.OnResponse(message);
            }
            else
            {
                Handler.OnMessage(message);
            }
        }
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
