namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// Heartbeats between the nodes of a cluster (the cluster protocol's INITIAL_HEARTBEAT, HEARTBEAT
/// and ADAPTER_CLOSE), for transports that cannot count the nodes themselves: a transport that
/// returns these from <see cref="ClusterTransport.Heartbeat"/> has the adapter announce itself on
/// start, publish a heartbeat when it has published nothing for <see cref="Interval"/>, forget
/// nodes silent for <see cref="Timeout"/>, say goodbye on close, and count the servers as itself
/// plus the nodes it hears.
/// </summary>
public sealed record ClusterHeartbeatOptions
{
    /// <summary>How long after this node's last published message it publishes a heartbeat. Default 5 s (the reference's <c>heartbeatInterval</c>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a node may stay silent before it is no longer counted. Default 10 s (the reference's <c>heartbeatTimeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
