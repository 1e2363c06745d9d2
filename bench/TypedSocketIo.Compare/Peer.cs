namespace TypedSocketIo.Compare;

/// <summary>A server under comparison: its name in the results, the wire it speaks and how it is started.</summary>
/// <param name="Name">The name in the results.</param>
/// <param name="Wire">The protocol the generator speaks to it.</param>
/// <param name="HostKind">The .NET peer to host (<see cref="PeerHost"/>), or null for the Node peer.</param>
internal sealed record Peer(string Name, WireKind Wire, string? HostKind)
{
    public bool Node => HostKind is null;

    /// <summary>Every peer, the reference first.</summary>
    public static readonly Peer[] All =
    [
        new("node-socket.io", WireKind.SocketIo, null),
        new("tsio-untyped", WireKind.SocketIo, "tsio"),
        new("tsio-typed", WireKind.SocketIo, "tsio-typed"),
        new("signalr", WireKind.SignalR, "signalr"),
        new("raw-websocket", WireKind.Raw, "raw"),
        new("raw-socket", WireKind.Raw, "raw-socket"),
    ];
}
