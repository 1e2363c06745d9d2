namespace TypedSocketIo.TestContracts;

/// <summary>Events the servers of a cluster send each other.</summary>
[SocketIoEvents]
public interface IClusterEvents
{
    void CacheInvalidated(string key, int version);

    Task<int> CountClients(string room);
}

/// <summary>What the server keeps on each socket.</summary>
public sealed record SessionData(string User, int Level);
