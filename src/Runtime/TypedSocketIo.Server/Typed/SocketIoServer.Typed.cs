namespace TypedSocketIo.Server;

/// <summary>The typed facade's entry points on the server (the typed layer, above the core).</summary>
public sealed partial class SocketIoServer
{
    /// <summary>
    /// The namespace called <paramref name="name"/> with typed events: <typeparamref name="TListen"/>
    /// the events clients send, <typeparamref name="TEmit"/> the events the server sends.
    /// </summary>
    public Namespace<TListen, TEmit> Of<TListen, TEmit>(string name)
        where TListen : class
        where TEmit : class => new(Of(name));

    /// <summary>
    /// The namespace called <paramref name="name"/> with typed events, typed inter-server events
    /// (<typeparamref name="TServerSide"/>) and typed socket data (<typeparamref name="TData"/>), as
    /// the reference's <c>Server&lt;ListenEvents, EmitEvents, ServerSideEvents, SocketData&gt;</c>.
    /// </summary>
    public Namespace<TListen, TEmit, TServerSide, TData> Of<TListen, TEmit, TServerSide, TData>(string name)
        where TListen : class
        where TEmit : class
        where TServerSide : class => new(Of(name));
}
