using System.Diagnostics.Metrics;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>
/// The Socket.IO instruments, on the Engine.IO layer's meter (one <see cref="SocketIoServer.MeterName"/>
/// meter for the whole server): connected sockets per namespace and the number of namespaces.
/// </summary>
internal sealed class SocketIoMetrics
{
    internal const string ConnectedSocketsName = "socketio.server.connected_sockets";
    internal const string NamespacesName = "socketio.server.namespaces";
    internal const string NamespaceTag = "socketio.namespace";

    private readonly UpDownCounter<long> _connectedSockets;

    public SocketIoMetrics(EngineMetrics engine)
    {
        Engine = engine;
        _connectedSockets = engine.Meter.CreateUpDownCounter<long>(ConnectedSocketsName, "{socket}",
            "Sockets connected to a namespace, tagged with socketio.namespace.");
    }

    /// <summary>The Engine.IO layer's instruments (and meter).</summary>
    public EngineMetrics Engine { get; }

    /// <summary>Observes the number of namespaces of <paramref name="server"/>.</summary>
    public void ObserveNamespaces(SocketIoServer server) =>
        Engine.Meter.CreateObservableUpDownCounter(NamespacesName, () => (long)server.Namespaces.Count, "{namespace}",
            "Namespaces of the server, dynamic children included.");

    public void SocketConnected(in KeyValuePair<string, object?> namespaceTag) => _connectedSockets.Add(1, namespaceTag);

    public void SocketDisconnected(in KeyValuePair<string, object?> namespaceTag) => _connectedSockets.Add(-1, namespaceTag);

    /// <summary>Counts a connection dropped for going past the limit named by the option <paramref name="option"/>.</summary>
    public void LimitExceeded(string option) => Engine.LimitExceeded(option);
}
