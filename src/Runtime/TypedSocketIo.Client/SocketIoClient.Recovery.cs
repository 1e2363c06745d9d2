using System.Buffers;
using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>
/// The client's side of connection state recovery (socket.io 4.6+): the private session id the
/// server gave, the offset of the last event received, both sent back on reconnection; events the
/// server sends before its CONNECT answer (the missed ones) wait for it.
/// </summary>
public sealed partial class SocketIoClient
{
    /// <summary>The most events kept while the CONNECT answer is awaited (a server replaying what was missed sends them first).</summary>
    private const int MaxEarlyEvents = 100_000;

    private readonly List<SocketIoPacket> _receiveBuffer = new();
    private string? _pid;
    private string? _lastOffset;
    private bool _recovered;

    /// <summary>
    /// Whether the last connection recovered the previous session (connection state recovery on
    /// the server): the socket kept its id, rooms and data, and the events sent while it was away
    /// were delivered to its handlers.
    /// </summary>
    public bool Recovered
    {
        get
        {
            lock (_gate)
            {
                return _recovered;
            }
        }
    }

    /// <summary>
    /// The CONNECT payload: with a session to recover, <c>{pid, offset}</c> first, then the auth
    /// object's properties (the reference's <c>Object.assign({pid, offset}, auth)</c>). Caller holds the gate.
    /// </summary>
    private ReadOnlyMemory<byte> ConnectPayload(ReadOnlyMemory<byte> auth)
    {
        if (_pid is null)
        {
            return auth;
        }

        JsonElement? authObject = null;
        if (!auth.IsEmpty)
        {
            using JsonDocument document = JsonDocument.Parse(auth);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                authObject = document.RootElement.Clone();
            }
        }

        var buffer = new ArrayBufferWriter<byte>(auth.Length + 96);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonStringifyEncoder.Instance }))
        {
            writer.WriteStartObject();
            bool authHasPid = authObject?.TryGetProperty("pid", out _) == true;
            bool authHasOffset = authObject?.TryGetProperty("offset", out _) == true;
            if (!authHasPid)
            {
                writer.WriteString("pid", _pid);
            }

            if (!authHasOffset && _lastOffset is not null)
            {
                writer.WriteString("offset", _lastOffset);
            }

            if (authObject is { } properties)
            {
                foreach (JsonProperty property in properties.EnumerateObject())
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Reads the CONNECT answer's <c>pid</c>: recovered when it is the one sent. Caller holds the gate.</summary>
    private void OnSession(string? pid)
    {
        _recovered = pid is not null && pid == _pid;
        _pid = pid;
    }

    /// <summary>
    /// With a session, an event sent without acknowledgement carries the offset last (the server
    /// appends it): kept for the next reconnection and taken off before anyone sees the event.
    /// Caller holds the gate.
    /// </summary>
    private SocketIoPacket StripOffset(SocketIoPacket packet)
    {
        if (_pid is null || packet.Id is not null || !RecoveryOffset.TryStrip(packet.Data, out string offset, out ReadOnlyMemory<byte> rest))
        {
            return packet;
        }

        _lastOffset = offset;
        return packet.WithData(rest, removedArguments: 1);
    }

    /// <summary>Keeps an event that arrived before the CONNECT answer. Caller holds the gate.</summary>
    private void BufferEarly(SocketIoPacket packet)
    {
        if (_receiveBuffer.Count < MaxEarlyEvents)
        {
            _receiveBuffer.Add(packet);
        }
    }

    /// <summary>Takes the events that arrived before the CONNECT answer. Caller holds the gate.</summary>
    private SocketIoPacket[] TakeEarly()
    {
        if (_receiveBuffer.Count == 0)
        {
            return [];
        }

        SocketIoPacket[] early = [.. _receiveBuffer];
        _receiveBuffer.Clear();
        return early;
    }
}
