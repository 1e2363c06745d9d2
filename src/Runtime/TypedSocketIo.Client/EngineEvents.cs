using TypedSocketIo.EngineIO;
using TypedSocketIo.Events;

namespace TypedSocketIo.Client;

/// <summary>
/// The events of the Engine.IO connection under a <see cref="Manager"/> (the reference's
/// <c>manager.engine.on(…)</c>): handlers stay registered across reconnections, each new Engine.IO
/// session raising them in turn. Raised on the connection's own threads; a handler that throws is
/// logged and does not stop the others.
/// </summary>
public sealed class EngineEvents
{
    private readonly Manager _manager;
    private readonly ListenerList<Action> _open = new();
    private readonly ListenerList<Action<string>> _upgrade = new();
    private readonly ListenerList<Action<Exception>> _upgradeError = new();
    private readonly ListenerList<Action<EnginePacket>> _packet = new();
    private readonly ListenerList<Action<EnginePacket>> _packetCreate = new();
    private readonly ListenerList<Action> _ping = new();
    private readonly ListenerList<Action<string, string?>> _close = new();

    internal EngineEvents(Manager manager) => _manager = manager;

    /// <summary>An Engine.IO session opened (the handshake is done; before the manager's own open).</summary>
    public IDisposable OnOpen(Action handler) => _open.Add(handler);

    /// <summary>The session moved from polling to another transport (its name, "websocket").</summary>
    public IDisposable OnUpgrade(Action<string> handler) => _upgrade.Add(handler);

    /// <summary>An upgrade probe failed (the WebSocket could not open, or did not answer the probe): the session stays on polling.</summary>
    public IDisposable OnUpgradeError(Action<Exception> handler) => _upgradeError.Add(handler);

    /// <summary>An Engine.IO packet arrived (the open packet, pings, messages, noops, close), before it is handled.</summary>
    public IDisposable OnPacket(Action<EnginePacket> handler) => _packet.Add(handler);

    /// <summary>An Engine.IO packet was queued to be sent (messages and the answers to pings).</summary>
    public IDisposable OnPacketCreate(Action<EnginePacket> handler) => _packetCreate.Add(handler);

    /// <summary>A ping arrived from the server (it is answered at once).</summary>
    public IDisposable OnPing(Action handler) => _ping.Add(handler);

    /// <summary>
    /// An open session closed: the reason ("transport close", "transport error", "ping timeout",
    /// "forced close" when this side closed it) and a description.
    /// </summary>
    public IDisposable OnClose(Action<string, string?> handler) => _close.Add(handler);

    internal bool HasPacketHandlers => _packet.Items.Length != 0;

    internal bool HasPacketCreateHandlers => _packetCreate.Items.Length != 0;

    internal void RaiseOpen() => _open.Invoke(static (h, _) => h(), 0, _manager.HandlerFailed);

    internal void RaiseUpgrade(string transport) => _upgrade.Invoke(static (h, t) => h(t), transport, _manager.HandlerFailed);

    internal void RaiseUpgradeError(Exception error) => _upgradeError.Invoke(static (h, e) => h(e), error, _manager.HandlerFailed);

    internal void RaisePacket(EnginePacket packet) => _packet.Invoke(static (h, p) => h(p), packet, _manager.HandlerFailed);

    internal void RaisePacketCreate(EnginePacket packet) => _packetCreate.Invoke(static (h, p) => h(p), packet, _manager.HandlerFailed);

    internal void RaisePing() => _ping.Invoke(static (h, _) => h(), 0, _manager.HandlerFailed);

    internal void RaiseClose(string reason, string? description) =>
        _close.Invoke(static (h, s) => h(s.reason, s.description), (reason, description), _manager.HandlerFailed);
}
