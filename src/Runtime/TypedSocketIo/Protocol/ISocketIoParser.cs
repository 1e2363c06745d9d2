using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Protocol;

/// <summary>
/// Turns Socket.IO packets into Engine.IO messages and back (the reference's "provide your own
/// parser"). The default is <see cref="JsonSocketIoParser"/>.
/// </summary>
public interface ISocketIoParser
{
    /// <summary>Encodes <paramref name="packet"/> into the Engine.IO messages that carry it.</summary>
    EnginePacket[] Encode(SocketIoPacket packet);

    /// <summary>Creates a decoder for one connection (decoders keep state between messages).</summary>
    ISocketIoDecoder CreateDecoder();
}

/// <summary>Decodes the Engine.IO messages of one connection into Socket.IO packets.</summary>
public interface ISocketIoDecoder
{
    /// <summary>
    /// Takes one Engine.IO message. Returns the packet it completes, or null while a binary packet
    /// waits for more attachments.
    /// </summary>
    /// <exception cref="SocketIoParseException">The message is not valid here.</exception>
    SocketIoPacket? Add(EnginePacket message);
}
