using System.Text;

namespace TypedSocketIo.EngineIO;

/// <summary>Engine.IO packet types (the digit that starts every text-encoded packet).</summary>
public enum EnginePacketType : byte
{
    /// <summary>Sent by the server when a session opens; carries the handshake JSON.</summary>
    Open = 0,
    /// <summary>Requests the close of the session.</summary>
    Close = 1,
    /// <summary>Heartbeat request (server to client in v4, client to server in v3; also <c>2probe</c>).</summary>
    Ping = 2,
    /// <summary>Heartbeat answer (also <c>3probe</c>).</summary>
    Pong = 3,
    /// <summary>An application message, text or binary.</summary>
    Message = 4,
    /// <summary>Completes a transport upgrade.</summary>
    Upgrade = 5,
    /// <summary>Does nothing; used to release a pending long-polling request.</summary>
    Noop = 6,
}

/// <summary>
/// One Engine.IO packet. <see cref="Data"/> holds UTF-8 text, or raw bytes when <see cref="IsBinary"/>
/// (only <see cref="EnginePacketType.Message"/> packets are ever binary).
/// </summary>
public readonly struct EnginePacket : IEquatable<EnginePacket>
{
    /// <summary>Creates a packet.</summary>
    public EnginePacket(EnginePacketType type, ReadOnlyMemory<byte> data = default, bool isBinary = false)
    {
        if (isBinary && type != EnginePacketType.Message)
        {
            throw new ArgumentException("Only message packets can carry binary data.", nameof(isBinary));
        }

        Type = type;
        Data = data;
        IsBinary = isBinary;
    }

    /// <summary>The packet type.</summary>
    public EnginePacketType Type { get; }

    /// <summary>UTF-8 text, or raw bytes when <see cref="IsBinary"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Whether <see cref="Data"/> is binary.</summary>
    public bool IsBinary { get; }

    /// <summary>The data decoded as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>A text packet of the given type.</summary>
    public static EnginePacket FromText(EnginePacketType type, string? text = null) =>
        new(type, text is null ? default : Encoding.UTF8.GetBytes(text));

    /// <summary>A text message packet.</summary>
    public static EnginePacket TextMessage(string text) => FromText(EnginePacketType.Message, text);

    /// <summary>A binary message packet.</summary>
    public static EnginePacket BinaryMessage(ReadOnlyMemory<byte> data) => new(EnginePacketType.Message, data, isBinary: true);

    /// <inheritdoc />
    public bool Equals(EnginePacket other) =>
        Type == other.Type && IsBinary == other.IsBinary && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EnginePacket other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, IsBinary, Data.Length);

    /// <summary>Compares two packets by content.</summary>
    public static bool operator ==(EnginePacket left, EnginePacket right) => left.Equals(right);

    /// <summary>Compares two packets by content.</summary>
    public static bool operator !=(EnginePacket left, EnginePacket right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() =>
        IsBinary ? $"{Type} <{Data.Length} bytes>" : $"{(int)Type}{Text}";
}

/// <summary>Thrown when Engine.IO input does not follow the protocol.</summary>
public sealed class EngineIOParseException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public EngineIOParseException(string message) : base(message)
    {
    }
}
