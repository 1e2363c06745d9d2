using System.Buffers;
using System.Buffers.Binary;
using TypedSocketIo.Buffers;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>
/// Builds server frames (unmasked, RSV bits 0, never fragmented) one after another in one pooled
/// buffer, so that a burst of messages leaves in one write. A frame's payload is written through
/// the <see cref="IBufferWriter{T}"/> between <see cref="BeginFrame"/> and <see cref="EndFrame"/>:
/// room for the longest header is kept in front of it, and the header is put right before the
/// payload once its length is known.
/// </summary>
internal sealed class FrameWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>The longest server header: 2 bytes and a 64-bit length (no mask).</summary>
    public const int MaxHeaderLength = 10;

    private readonly PooledBufferWriter _output = new(512);
    private int _frameStart = -1;

    /// <summary>The frames built so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _output.WrittenMemory;

    /// <summary>How many bytes the frames built so far take.</summary>
    public int WrittenCount => _output.WrittenCount;

    /// <summary>Forgets the frames built, keeping the buffer.</summary>
    public void Clear()
    {
        _output.Clear();
        _frameStart = -1;
    }

    /// <summary>Starts a frame: what is written next is its payload.</summary>
    public void BeginFrame()
    {
        _frameStart = _output.WrittenCount;
        _output.GetSpan(MaxHeaderLength);
        _output.Advance(MaxHeaderLength);
    }

    /// <summary>Ends the frame begun by <see cref="BeginFrame"/> and returns its payload's length.</summary>
    public int EndFrame(FrameOpcode opcode)
    {
        int payloadStart = _frameStart + MaxHeaderLength;
        int length = _output.WrittenCount - payloadStart;
        int header = HeaderLength(length);
        Span<byte> buffer = _output.WrittenSpanToUpdate;
        if (header < MaxHeaderLength)
        {
            // Move the payload down against its header (Span.CopyTo handles the overlap).
            buffer.Slice(payloadStart, length).CopyTo(buffer[(_frameStart + header)..]);
            _output.Truncate(_output.WrittenCount - (MaxHeaderLength - header));
        }

        WriteHeader(buffer[_frameStart..], opcode, length);
        _frameStart = -1;
        return length;
    }

    /// <summary>Writes a whole frame with <paramref name="payload"/>.</summary>
    public void WriteFrame(FrameOpcode opcode, ReadOnlySpan<byte> payload)
    {
        BeginFrame();
        payload.CopyTo(GetSpan(payload.Length));
        Advance(payload.Length);
        EndFrame(opcode);
    }

    /// <summary>The header length of an unmasked frame of <paramref name="payloadLength"/> bytes.</summary>
    public static int HeaderLength(long payloadLength) => payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;

    /// <summary>Writes a final, unmasked frame header and returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, FrameOpcode opcode, long payloadLength)
    {
        destination[0] = (byte)(0x80 | (byte)opcode);
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    /// <inheritdoc />
    public void Advance(int count) => _output.Advance(count);

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0) => _output.GetMemory(sizeHint);

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => _output.GetSpan(sizeHint);

    /// <summary>Returns the buffer to the pool (an idle connection holds none); the writer stays usable.</summary>
    public void Dispose()
    {
        _output.Dispose();
        _frameStart = -1;
    }
}
