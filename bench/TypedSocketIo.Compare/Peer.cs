namespace TypedSocketIo.Compare;

/// <summary>A server under comparison: its name in the results, the wire it speaks and how it is started.</summary>
/// <param name="Name">The name in the results.</param>
/// <param name="Wire">The protocol the generator speaks to it.</param>
/// <param name="HostKind">The .NET peer to host (<see cref="PeerHost"/>), or null for the Node peer.</param>
/// <param name="Inline">
/// Whether the .NET peer runs socket completions inline on the socket engine's epoll thread
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>) and, on Kestrel, its transport's
/// continuations too (<c>UnsafePreferInlineScheduling</c>): no thread-pool hop per read.
/// </param>
internal sealed record Peer(string Name, WireKind Wire, string? HostKind, bool Inline = false)
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

    /// <summary>
    /// Peers run only when named (<c>--peers</c>): the .NET peers with inline socket completions, and
    /// TypedSocketIo with its WebSockets taken from the listener (<c>UseSocketIoWebSockets</c>), and
    /// served on their bare sockets by the server's transport (<c>UseSocketIoTransport</c>, "-bare").
    /// </summary>
    public static readonly Peer[] Extra =
    [
        new("tsio-untyped-inline", WireKind.SocketIo, "tsio", Inline: true),
        new("tsio-typed-inline", WireKind.SocketIo, "tsio-typed", Inline: true),
        new("signalr-inline", WireKind.SignalR, "signalr", Inline: true),
        new("raw-websocket-inline", WireKind.Raw, "raw", Inline: true),
        new("raw-socket-inline", WireKind.Raw, "raw-socket", Inline: true),
        new("tsio-untyped-direct", WireKind.SocketIo, "tsio-direct"),
        new("tsio-typed-direct", WireKind.SocketIo, "tsio-typed-direct"),
        new("tsio-typed-direct-inline", WireKind.SocketIo, "tsio-typed-direct", Inline: true),
        new("tsio-untyped-bare", WireKind.SocketIo, "tsio-bare"),
        new("tsio-typed-bare", WireKind.SocketIo, "tsio-typed-bare"),
        new("tsio-typed-bare-inline", WireKind.SocketIo, "tsio-typed-bare", Inline: true),
    ];
}
