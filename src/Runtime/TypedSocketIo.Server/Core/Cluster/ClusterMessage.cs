using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// One message between the servers of a cluster, in a transport-neutral form: each transport
/// encodes it in its own wire format. Payloads (event packets, acknowledgement values) are in the
/// library's JSON form: UTF-8 JSON with binary values as placeholders, plus the binary values.
/// </summary>
public sealed class ClusterMessage
{
    /// <summary>Creates a message.</summary>
    public ClusterMessage(ClusterMessageType type, string? uid, string nsp)
    {
        Type = type;
        Uid = uid;
        Namespace = nsp;
    }

    /// <summary>What the message is.</summary>
    public ClusterMessageType Type { get; }

    /// <summary>The sending node's id; <c>emitter</c> for an external emitter, null when the wire form has none.</summary>
    public string? Uid { get; }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>Present when answers are wanted (requests) or to match an answer to its request (responses).</summary>
    public string? RequestId { get; init; }

    /// <summary>The targeted sockets (broadcast, join, leave, disconnect, fetch).</summary>
    public BroadcastOptions? Options { get; init; }

    /// <summary>
    /// The payload: the event array <c>["name", args…]</c> of a broadcast or a server-side event, or
    /// the single value answered by an acknowledgement (null when the answer had no value).
    /// </summary>
    public JsonPayload? Payload { get; init; }

    /// <summary>The rooms to join or leave, or a node's rooms (<see cref="ClusterMessageType.AllRoomsResponse"/>).</summary>
    public IReadOnlyList<string>? Rooms { get; init; }

    /// <summary>Whether a disconnect closes the whole connection.</summary>
    public bool Close { get; init; }

    /// <summary>How many clients a node sent an acknowledged broadcast to.</summary>
    public int ClientCount { get; init; }

    /// <summary>The sockets of a <see cref="ClusterMessageType.FetchSocketsResponse"/>.</summary>
    public IReadOnlyList<ClusterSocket>? Sockets { get; init; }

    /// <summary>Where the transport logged the message (a Redis stream entry id), for connection state recovery; null when it keeps no log.</summary>
    public string? Offset { get; init; }

    /// <summary>True for the four kinds that answer a request.</summary>
    public bool IsResponse => Type is ClusterMessageType.FetchSocketsResponse or ClusterMessageType.ServerSideEmitResponse
        or ClusterMessageType.BroadcastClientCount or ClusterMessageType.BroadcastAck or ClusterMessageType.AllRoomsResponse;

    /// <inheritdoc />
    public override string ToString() => $"{Type} from {Uid ?? "(none)"} on {Namespace}{(RequestId is null ? "" : " request " + RequestId)}";
}
