namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The messages the servers of a cluster exchange (the cluster protocol of socket.io-adapter; the
/// numbers are its wire values). <see cref="AllRooms"/> and <see cref="AllRoomsResponse"/> exist
/// only in transports whose protocol has them (the classic Redis flavour).
/// </summary>
public enum ClusterMessageType
{
    /// <summary>A node announces itself; every node answers with a heartbeat.</summary>
    InitialHeartbeat = 1,
    /// <summary>A node is alive.</summary>
    Heartbeat = 2,
    /// <summary>A broadcast (with acknowledgements when it has a request id).</summary>
    Broadcast = 3,
    /// <summary>Targeted sockets join rooms.</summary>
    SocketsJoin = 4,
    /// <summary>Targeted sockets leave rooms.</summary>
    SocketsLeave = 5,
    /// <summary>Targeted sockets are disconnected.</summary>
    DisconnectSockets = 6,
    /// <summary>A request for the targeted sockets.</summary>
    FetchSockets = 7,
    /// <summary>One node's answer to <see cref="FetchSockets"/>.</summary>
    FetchSocketsResponse = 8,
    /// <summary>A server-side event (expecting answers when it has a request id).</summary>
    ServerSideEmit = 9,
    /// <summary>One node's answer to an acknowledged <see cref="ServerSideEmit"/>.</summary>
    ServerSideEmitResponse = 10,
    /// <summary>How many clients one node sent an acknowledged broadcast to.</summary>
    BroadcastClientCount = 11,
    /// <summary>One client's answer to an acknowledged broadcast.</summary>
    BroadcastAck = 12,
    /// <summary>A node leaves the cluster.</summary>
    AdapterClose = 13,
    /// <summary>A request for every node's rooms (classic Redis flavour only).</summary>
    AllRooms = 101,
    /// <summary>One node's rooms (classic Redis flavour only).</summary>
    AllRoomsResponse = 102,
}
