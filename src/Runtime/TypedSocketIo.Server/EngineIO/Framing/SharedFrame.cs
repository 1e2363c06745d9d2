using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>
/// A message sent to many connections (a broadcast) with its WebSocket frame, header and payload,
/// built once per protocol on first use and then written as it is by every connection of the
/// server's own framing. The bytes are never changed once built, so any number of writers may
/// read them at once.
/// </summary>
internal sealed class SharedFrame
{
    private Built? _v4;
    private Built? _v3;

    public SharedFrame(EnginePacket packet) => Packet = packet;

    /// <summary>The message.</summary>
    public EnginePacket Packet { get; }

    /// <summary>One shared frame per message of <paramref name="messages"/>.</summary>
    public static SharedFrame[] For(EnginePacket[] messages)
    {
        var frames = new SharedFrame[messages.Length];
        for (int i = 0; i < messages.Length; i++)
        {
            frames[i] = new SharedFrame(messages[i]);
        }

        return frames;
    }

    /// <summary>The whole frame for <paramref name="protocol"/>, and the length of its payload.</summary>
    public ReadOnlyMemory<byte> Get(EngineIOProtocol protocol, out int payloadLength)
    {
        ref Built? slot = ref protocol == EngineIOProtocol.V3 ? ref _v3 : ref _v4;
        Built? built = Volatile.Read(ref slot);
        if (built is null)
        {
            // Two first writers may both build it: the bytes are the same, one array is kept.
            built = Build(protocol);
            built = Interlocked.CompareExchange(ref slot, built, null) ?? built;
        }

        payloadLength = built.PayloadLength;
        return built.Frame;
    }

    private Built Build(EngineIOProtocol protocol)
    {
        using var writer = new FrameWriter();
        writer.BeginFrame();
        bool binary = EngineIOCodec.WriteWebSocketFrame(writer, Packet, protocol);
        int payloadLength = writer.EndFrame(binary ? FrameOpcode.Binary : FrameOpcode.Text);
        return new Built(writer.WrittenMemory.ToArray(), payloadLength);
    }

    private sealed record Built(byte[] Frame, int PayloadLength);
}
