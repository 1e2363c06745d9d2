using System.ComponentModel;

namespace TypedSocketIo;

/// <summary>
/// Typed handler registration for the contract <typeparamref name="TContract"/>
/// (<c>socket.On.EventName(handler)</c>): the generator adds one extension method per event.
/// </summary>
/// <typeparam name="TContract">The interface of the events received.</typeparam>
public readonly struct Listeners<TContract>
    where TContract : class
{
    /// <summary>Creates the registration view over <paramref name="target"/>.</summary>
    public Listeners(ISocketIoListenTarget target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>The socket the handlers are added to.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ISocketIoListenTarget Target { get; }

    /// <summary>
    /// Adds every event of <paramref name="handler"/> (an object implementing the contract): each
    /// method handles its event, its return value is the acknowledgement. Dispose the result to
    /// remove them all.
    /// </summary>
    public IDisposable Add(TContract handler) => SocketIoContract<TContract>.Bind(this, handler);
}

/// <summary>
/// Typed broadcast with acknowledgements for the contract <typeparamref name="TContract"/>
/// (<c>io.Timeout(t).EmitWithAck.EventName(args)</c>): one typed answer per recipient. The
/// generator adds one extension method per event that expects an acknowledgement.
/// </summary>
public readonly struct BroadcastAcks<TContract>
    where TContract : class
{
    /// <summary>Creates the view over <paramref name="target"/>.</summary>
    public BroadcastAcks(ISocketIoBroadcastTarget target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>The broadcast.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ISocketIoBroadcastTarget Target { get; }
}
