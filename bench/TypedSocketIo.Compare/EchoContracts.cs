using TypedSocketIo;

namespace TypedSocketIo.Compare;

/// <summary>What the load generator sends to the typed peer (wire names <c>echo</c>, <c>echoBinary</c>, <c>bcast</c>).</summary>
[SocketIoEvents]
public interface ICompareClientEvents
{
    /// <summary>Answers with <paramref name="data"/>.</summary>
    Task<string> Echo(string data);

    /// <summary>Answers with <paramref name="data"/> (a binary attachment each way).</summary>
    Task<byte[]> EchoBinary(byte[] data);

    /// <summary>Sends <paramref name="data"/> to every connected client as <c>bcast</c>.</summary>
    void Bcast(string data);
}

/// <summary>What the typed peer sends to its clients.</summary>
[SocketIoEvents]
public interface ICompareServerEvents
{
    /// <summary>A broadcast.</summary>
    void Bcast(string data);
}
