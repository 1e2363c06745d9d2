namespace TypedSocketIo.Protocol;

/// <summary>Socket.IO packet types (protocol 5).</summary>
public enum SocketIoPacketType : byte
{
    /// <summary>Connects to a namespace (client), or confirms it (server).</summary>
    Connect = 0,
    /// <summary>Leaves a namespace.</summary>
    Disconnect = 1,
    /// <summary>An event: <c>["name", args…]</c>.</summary>
    Event = 2,
    /// <summary>The answer to an event that asked for one.</summary>
    Ack = 3,
    /// <summary>A refused namespace connection.</summary>
    ConnectError = 4,
    /// <summary>An event with binary attachments.</summary>
    BinaryEvent = 5,
    /// <summary>An ack with binary attachments.</summary>
    BinaryAck = 6,
}

/// <summary>
/// A Socket.IO packet in the neutral form every parser decodes to and encodes from: the data as
/// UTF-8 JSON in which binary values stand as placeholders (<c>{"_placeholder":true,"num":n}</c>),
/// and the binary values themselves as <see cref="Attachments"/>.
/// </summary>
public sealed class SocketIoPacket
{
    /// <summary>Creates a packet.</summary>
    public SocketIoPacket(SocketIoPacketType type, string nsp = "/", long? id = null, ReadOnlyMemory<byte> data = default,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        Type = type;
        Namespace = nsp;
        Id = id;
        Data = data;
        Attachments = attachments ?? Array.Empty<ReadOnlyMemory<byte>>();
    }

    /// <summary>
    /// A packet whose decoder already read its event name and counted its arguments while it
    /// validated the data, so that nothing reads them again.
    /// </summary>
    internal SocketIoPacket(SocketIoPacketType type, string nsp, long? id, ReadOnlyMemory<byte> data,
        IReadOnlyList<ReadOnlyMemory<byte>>? attachments, string? eventName, int argumentCount)
        : this(type, nsp, id, data, attachments)
    {
        _eventName = eventName;
        _argumentCount = argumentCount;
    }

    private string? _eventName;
    private int _argumentCount = -1;

    /// <summary>The packet type. Decoders report binary packets as <see cref="SocketIoPacketType.Event"/>
    /// or <see cref="SocketIoPacketType.Ack"/> with attachments.</summary>
    public SocketIoPacketType Type { get; }

    /// <summary>The namespace, <c>/</c> by default.</summary>
    public string Namespace { get; }

    /// <summary>The ack id, if any.</summary>
    public long? Id { get; }

    /// <summary>The data as UTF-8 JSON, or empty when the packet has none.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The binary values the placeholders of <see cref="Data"/> refer to, in order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>
    /// The event name of an <see cref="SocketIoPacketType.Event"/> packet (the first item of its
    /// data), as <see cref="SocketIoJson.ReadEventName(ReadOnlySpan{byte})"/> reads it; empty for other packets. The
    /// built-in decoders read it while validating the packet; otherwise it is read once, when first asked.
    /// </summary>
    public string EventName => _eventName ??= IsEvent ? SocketIoJson.ReadEventName(Data.Span) : "";

    /// <summary>Whether the data starts with an event name (an event, binary or not).</summary>
    internal bool IsEvent => Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent;

    /// <summary>
    /// How many arguments the data holds: the items after the name for an event, every item for an
    /// ack. The built-in decoders count them while validating the packet; otherwise they are
    /// counted once, when first asked.
    /// </summary>
    public int ArgumentCount
    {
        get
        {
            if (_argumentCount < 0)
            {
                int items = SocketIoJson.CountItems(Data.Span);
                _argumentCount = IsEvent ? Math.Max(0, items - 1) : items;
            }

            return _argumentCount;
        }
    }

    /// <summary>
    /// The same packet with <paramref name="data"/> in place of its data, keeping the event name:
    /// for data that lost its last <paramref name="removedArguments"/> arguments.
    /// </summary>
    internal SocketIoPacket WithData(ReadOnlyMemory<byte> data, int removedArguments) =>
        new(Type, Namespace, Id, data, Attachments, _eventName, _argumentCount < 0 ? -1 : _argumentCount - removedArguments);

    /// <inheritdoc />
    public override string ToString() =>
        $"{(int)Type}{(Namespace == "/" ? "" : Namespace + ",")}{Id}{System.Text.Encoding.UTF8.GetString(Data.Span)}" +
        (Attachments.Count > 0 ? $" +{Attachments.Count} attachment(s)" : "");
}

/// <summary>Thrown when input does not follow the Socket.IO protocol.</summary>
public sealed class SocketIoParseException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public SocketIoParseException(string message) : base(message)
    {
    }
}
