using System.Diagnostics.Metrics;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// The Engine.IO instruments of the <see cref="EngineIOServer.MeterName"/> meter (see
/// docs/server.md): packets and bytes in and out, refused requests, connections dropped for a
/// limit. Adding to an instrument nobody listens to costs a flag check.
/// </summary>
internal sealed class EngineMetrics
{
    internal const string PacketsReceivedName = "engineio.server.packets_received";
    internal const string PacketsSentName = "engineio.server.packets_sent";
    internal const string BytesReceivedName = "engineio.server.bytes_received";
    internal const string BytesSentName = "engineio.server.bytes_sent";
    internal const string HandshakeFailuresName = "engineio.server.handshake_failures";
    internal const string LimitsExceededName = "engineio.server.limits_exceeded";

    internal const string TransportTag = "engineio.transport";
    internal const string ErrorCodeTag = "engineio.error_code";
    internal const string ErrorTag = "engineio.error";
    internal const string LimitTag = "engineio.limit";

    private static readonly KeyValuePair<string, object?> PollingTag = new(TransportTag, EngineIOOptions.Polling);
    private static readonly KeyValuePair<string, object?> WebSocketTag = new(TransportTag, EngineIOOptions.WebSocket);

    private readonly Counter<long> _packetsReceived;
    private readonly Counter<long> _packetsSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _limitsExceeded;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own.</summary>
    public EngineMetrics(IMeterFactory? meterFactory)
    {
        Meter = meterFactory?.Create(EngineIOServer.MeterName) ?? new Meter(EngineIOServer.MeterName);
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
            "Connections dropped for going past a per-connection limit, tagged with engineio.limit (the option's name).");
    }

    /// <summary>The meter; the layers above add their instruments to it.</summary>
    public Meter Meter { get; }

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
