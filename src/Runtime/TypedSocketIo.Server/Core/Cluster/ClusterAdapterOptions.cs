namespace TypedSocketIo.Server.Cluster;

/// <summary>Options of a <see cref="ClusterAdapter"/>.</summary>
public sealed class ClusterAdapterOptions
{
    /// <summary>How long a request (fetch sockets, server-side emit with acknowledgements, all rooms) waits for the other servers' answers. Default 5 s.</summary>
    public TimeSpan RequestsTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
