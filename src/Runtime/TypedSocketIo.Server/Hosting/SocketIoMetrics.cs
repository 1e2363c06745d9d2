using System.Diagnostics.Metrics;
using TypedSocketIo.Server.Engine;

namespace TypedSocketIo.Server.Hosting;

/// <summary>
/// The instruments of the <see cref="SocketIoServer.MeterName"/> meter (see docs/server.md). Adding
/// to an instrument nobody listens to costs a flag check.
/// </summary>
internal sealed class SocketIoMetrics
{
    internal const string ConnectedSocketsName = "socketio.server.connected_sockets";
    internal const string NamespacesName = "socketio.server.namespaces";
    internal const string PacketsReceivedName = "engineio.server.packets_received";
    internal const string PacketsSentName = "engineio.server.packets_sent";
    internal const string BytesReceivedName = "engineio.server.bytes_received";
    internal const string BytesSentName = "engineio.server.bytes_sent";
    internal const string HandshakeFailuresName = "engineio.server.handshake_failures";
    internal const string LimitsExceededName = "socketio.server.limits_exceeded";

    internal const string NamespaceTag = "socketio.namespace";
    internal const string TransportTag = "engineio.transport";
    internal const string ErrorCodeTag = "engineio.error_code";
    internal const string ErrorTag = "engineio.error";
    internal const string LimitTag = "socketio.limit";

    private static readonly KeyValuePair<string, object?> PollingTag = new(TransportTag, EngineIOOptions.Polling);
    private static readonly KeyValuePair<string, object?> WebSocketTag = new(TransportTag, EngineIOOptions.WebSocket);

    private readonly Counter<long> _packetsReceived;
    private readonly Counter<long> _packetsSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _limitsExceeded;
    private readonly UpDownCounter<long> _connectedSockets;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own.</summary>
    public SocketIoMetrics(IMeterFactory? meterFactory)
    {
        Meter = meterFactory?.Create(SocketIoServer.MeterName) ?? new Meter(SocketIoServer.MeterName);
        _connectedSockets = Meter.CreateUpDownCounter<long>(ConnectedSocketsName, "{socket}",
            "Sockets connected to a namespace, tagged with socketio.namespace.");
        _packetsReceived = Meter.CreateCounter<long>(PacketsReceivedName, "{packet}",
            "Engine.IO packets received, tagged with engineio.transport.");
        _packetsSent = Meter.CreateCounter<long>(PacketsSentName, "{packet}",
            "Engine.IO packets sent, tagged with engineio.transport.");
        _bytesReceived = Meter.CreateCounter<long>(BytesReceivedName, "By",
            "Bytes of Engine.IO payloads received (WebSocket messages, long-polling bodies), tagged with engineio.transport.");
        _bytesSent = Meter.CreateCounter<long>(BytesSentName, "By",
            "Bytes of Engine.IO payloads sent before HTTP or WebSocket compression, tagged with engineio.transport.");
        _handshakeFailures = Meter.CreateCounter<long>(HandshakeFailuresName, "{request}",
            "Engine.IO requests refused, tagged with engineio.error_code (0-5) and engineio.error.");
        _limitsExceeded = Meter.CreateCounter<long>(LimitsExceededName, "{connection}",
            "Connections dropped for going past a per-connection limit, tagged with socketio.limit (the option's name).");
    }

    public Meter Meter { get; }

    /// <summary>Observes the number of namespaces of <paramref name="server"/>.</summary>
    public void ObserveNamespaces(SocketIoServer server) =>
        Meter.CreateObservableUpDownCounter(NamespacesName, () => (long)server.Namespaces.Count, "{namespace}",
            "Namespaces of the server, dynamic children included.");

    public void SocketConnected(in KeyValuePair<string, object?> namespaceTag) => _connectedSockets.Add(1, namespaceTag);

    public void SocketDisconnected(in KeyValuePair<string, object?> namespaceTag) => _connectedSockets.Add(-1, namespaceTag);

    public void Received(bool webSocket, int packets, long bytes)
    {
        KeyValuePair<string, object?> tag = webSocket ? WebSocketTag : PollingTag;
        if (_packetsReceived.Enabled)
        {
            _packetsReceived.Add(packets, tag);
        }

        if (_bytesReceived.Enabled)
        {
            _bytesReceived.Add(bytes, tag);
        }
    }

    public void Sent(bool webSocket, int packets, long bytes)
    {
        KeyValuePair<string, object?> tag = webSocket ? WebSocketTag : PollingTag;
        if (_packetsSent.Enabled)
        {
            _packetsSent.Add(packets, tag);
        }

        if (_bytesSent.Enabled)
        {
            _bytesSent.Add(bytes, tag);
        }
    }

    public void HandshakeFailed(EngineErrorCode code)
    {
        if (_handshakeFailures.Enabled)
        {
            _handshakeFailures.Add(1, new KeyValuePair<string, object?>(ErrorCodeTag, (int)code), new KeyValuePair<string, object?>(ErrorTag, code.ToString()));
        }
    }

    /// <summary>Counts a connection dropped for going past the limit named by the option <paramref name="option"/>.</summary>
    public void LimitExceeded(string option)
    {
        if (_limitsExceeded.Enabled)
        {
            _limitsExceeded.Add(1, new KeyValuePair<string, object?>(LimitTag, option));
        }
    }
}
