// Longer than most files here on purpose: the frame header rules, the reassembly of fragmented
// messages and the drain after a failure share one parser state; split, that state would spread.

using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Unicode;
using TypedSocketIo.Buffers;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>What <see cref="FrameReader.ReadAsync"/> read.</summary>
internal enum FrameReadKind
{
    /// <summary>A whole text or binary message.</summary>
    Message,
    /// <summary>A ping: answer with a pong carrying its payload.</summary>
    Ping,
    /// <summary>A pong (nothing to do).</summary>
    Pong,
    /// <summary>The client's close frame; <see cref="FrameReadResult.Status"/> is its code (<see cref="WebSocketCloseStatus.Empty"/> when it had none).</summary>
    Close,
    /// <summary>The connection ended without a close frame.</summary>
    EndOfStream,
    /// <summary>The client broke the protocol: close with <see cref="FrameReadResult.Status"/>.</summary>
    Failed,
}

/// <summary>One result of <see cref="FrameReader.ReadAsync"/>; its payload stays valid until the next read.</summary>
internal readonly record struct FrameReadResult(
    FrameReadKind Kind,
    bool Binary = false,
    ReadOnlyMemory<byte> Payload = default,
    WebSocketCloseStatus Status = WebSocketCloseStatus.Empty,
    string? Error = null);

/// <summary>
/// Reads RFC 6455 client frames from a stream. Every frame already in the buffer of a read is
/// parsed without another read: a message held whole in one frame is unmasked in place and
/// handed out as a slice of the read buffer; a fragmented or larger message is put together in a
/// buffer that grows with the bytes that arrived (never with what a header announces). While
/// nothing is buffered it waits with a zero-byte read, holding no buffer.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private const int BufferSize = 4096;
    private const int MaxControlPayload = 125;

    private readonly Stream _stream;
    private readonly long _maxMessageSize;

    private byte[]? _buffer;
    private int _start;
    private int _end;

    // The frame whose payload is being read.
    private long _frameRemaining;
    private uint _mask;
    private int _maskOffset;
    private bool _frameFin;
    private bool _inFramePayload;

    // The message being put together (fragmented, or larger than what was buffered).
    private byte[]? _message;
    private int _messageLength;
    private FrameOpcode _messageOpcode;
    private bool _inMessage;
    private bool _messageDelivered;

    private bool _draining;

    // WaitForDataAsync's zero-byte read has been awaited: the next fill reads without waiting again.
    private bool _dataAwaited;

    public FrameReader(Stream stream, long maxMessageSize)
    {
        _stream = stream;
        _maxMessageSize = Math.Min(maxMessageSize, Array.MaxLength);
    }

    /// <summary>Whether a close frame was read (valid or not): nothing more is to come.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>Whether a read buffer is held (none while a connection waits idle).</summary>
    internal bool HoldsBuffer => _buffer is not null || _message is not null;

    /// <summary>
    /// From now on only looks for the client's close frame: payloads are skipped unread, and no
    /// rule but the frame structure applies (after a failure, while the close handshake ends).
    /// </summary>
    public void BeginDrain()
    {
        _draining = true;
        ReleaseMessage(force: true);
    }

    /// <summary>
    /// Completes when there are bytes to parse: at once when some are buffered, otherwise once the
    /// stream has some (a zero-byte read, holding no buffer while it waits; its result means nothing).
    /// The receive loop awaits this before <see cref="ReadAsync"/>, which then completes without
    /// waiting in the common case: an idle connection waits in one read of the stream, not in a
    /// chain of reader methods.
    /// </summary>
    public ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken)
    {
        if (_messageDelivered)
        {
            ReleaseMessage(force: true);
        }

        if (_end > _start)
        {
            return new ValueTask<int>(_end - _start);
        }

        ReturnEmptyBuffer();
        _dataAwaited = true;
        return _stream.ReadAsync(Memory<byte>.Empty, cancellationToken);
    }

    /// <summary>Reads until the next message, control frame, end of stream or failure.</summary>
    public async ValueTask<FrameReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        if (_messageDelivered)
        {
            ReleaseMessage(force: true);
        }

        while (true)
        {
            int before = _start;
            if (_inFramePayload)
            {
                if (_end > _start && ConsumePayload() is { } done)
                {
                    return done;
                }
            }
            else if (ParseFrame() is { } parsed)
            {
                return parsed;
            }

            if (_start != before && _end > _start)
            {
                continue; // progress, and bytes left to parse
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return new FrameReadResult(FrameReadKind.EndOfStream);
            }
        }
    }

    /// <summary>
    /// Parses the frame header at the buffer's start. Returns a result for a control frame, a
    /// message held whole in the buffer, or a failure; null when more bytes are needed or when a
    /// frame's payload is to be read (<see cref="_inFramePayload"/>).
    /// </summary>
    private FrameReadResult? ParseFrame()
    {
        int available = _end - _start;
        if (available < 2)
        {
            return null;
        }

        byte[] buffer = _buffer!;
        byte first = buffer[_start];
        byte second = buffer[_start + 1];
        bool fin = (first & 0x80) != 0;
        int reserved = first & 0x70;
        var opcode = (FrameOpcode)(first & 0x0F);
        bool masked = (second & 0x80) != 0;
        int length7 = second & 0x7F;
        int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (available < header)
        {
            return null;
        }

        long length = length7;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(_start + 2));
        }
        else if (length7 == 127)
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan(_start + 2));
            if (wide > long.MaxValue)
            {
                return Fail(WebSocketCloseStatus.ProtocolError, "The most significant bit of a 64-bit payload length must be 0.");
            }

            length = (long)wide;
        }

        bool control = ((int)opcode & 0x08) != 0;
        if (_draining)
        {
            return ParseWhileDraining(opcode, control, masked, header, length, available);
        }

        if (reserved != 0)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "RSV bits must be 0: no extension was negotiated.");
        }

        if (opcode is not (FrameOpcode.Continuation or FrameOpcode.Text or FrameOpcode.Binary or FrameOpcode.Close or FrameOpcode.Ping or FrameOpcode.Pong))
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Unknown opcode.");
        }

        if (!masked)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Client frames must be masked.");
        }

        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(_start + header - 4));
        if (control)
        {
            if (!fin)
            {
                return Fail(WebSocketCloseStatus.ProtocolError, "Control frames must not be fragmented.");
            }

            if (length > MaxControlPayload)
            {
                return Fail(WebSocketCloseStatus.ProtocolError, "Control frames carry at most 125 bytes.");
            }

            if (available < header + length)
            {
                return null; // a control frame is read whole: it always fits the buffer
            }

            Span<byte> payload = buffer.AsSpan(_start + header, (int)length);
            Masking.Apply(payload, mask, 0);
            CloseReceived |= opcode == FrameOpcode.Close;
            var memory = new ReadOnlyMemory<byte>(buffer, _start + header, (int)length);
            _start += header + (int)length;
            return opcode switch
            {
                FrameOpcode.Ping => new FrameReadResult(FrameReadKind.Ping, Payload: memory),
                FrameOpcode.Pong => new FrameReadResult(FrameReadKind.Pong, Payload: memory),
                _ => ReadClose(memory),
            };
        }

        if (opcode == FrameOpcode.Continuation ? !_inMessage : _inMessage)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, _inMessage ? "A new message started before the fragmented one ended." : "A continuation frame without a message to continue.");
        }

        if ((_inMessage ? _messageLength : 0) + length > _maxMessageSize)
        {
            return Fail(WebSocketCloseStatus.MessageTooBig, "payload too large");
        }

        if (fin && !_inMessage && available - header >= length)
        {
            // The common case: a whole message in the buffer, unmasked in place.
            Span<byte> payload = buffer.AsSpan(_start + header, (int)length);
            Masking.Apply(payload, mask, 0);
            _start += header + (int)length;
            if (opcode == FrameOpcode.Text && !Utf8.IsValid(payload))
            {
                return Fail(WebSocketCloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message.");
            }

            return new FrameReadResult(FrameReadKind.Message, opcode == FrameOpcode.Binary, new ReadOnlyMemory<byte>(buffer, _start - (int)length, (int)length));
        }

        if (!_inMessage)
        {
            _inMessage = true;
            _messageOpcode = opcode;
            _messageLength = 0;
        }

        _start += header;
        _frameRemaining = length;
        _mask = mask;
        _maskOffset = 0;
        _frameFin = fin;
        _inFramePayload = true;
        return length == 0 ? ConsumePayload() : null;
    }

    /// <summary>Copies the buffered part of the current frame's payload into the message.</summary>
    private FrameReadResult? ConsumePayload()
    {
        int count = (int)Math.Min(_frameRemaining, _end - _start);
        if (_draining)
        {
            _start += count;
            _frameRemaining -= count;
            _inFramePayload = _frameRemaining > 0;
            return null;
        }

        if (count > 0)
        {
            EnsureMessageCapacity(_messageLength + count);
            Span<byte> target = _message.AsSpan(_messageLength, count);
            _buffer.AsSpan(_start, count).CopyTo(target);
            _maskOffset = Masking.Apply(target, _mask, _maskOffset);
            _messageLength += count;
            _start += count;
            _frameRemaining -= count;
        }

        if (_frameRemaining > 0)
        {
            return null;
        }

        _inFramePayload = false;
        if (!_frameFin)
        {
            return null;
        }

        // The message is whole.
        _inMessage = false;
        _messageDelivered = true;
        ReadOnlySpan<byte> message = _message.AsSpan(0, _messageLength);
        if (_messageOpcode == FrameOpcode.Text && !Utf8.IsValid(message))
        {
            return Fail(WebSocketCloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message.");
        }

        return new FrameReadResult(FrameReadKind.Message, _messageOpcode == FrameOpcode.Binary, new ReadOnlyMemory<byte>(_message ?? [], 0, _messageLength));
    }

    private FrameReadResult? ParseWhileDraining(FrameOpcode opcode, bool control, bool masked, int header, long length, int available)
    {
        if (control && length <= MaxControlPayload)
        {
            if (available < header + length)
            {
                return null;
            }

            int start = _start;
            _start += header + (int)length;
            if (opcode != FrameOpcode.Close)
            {
                return new FrameReadResult(FrameReadKind.Pong); // nothing is answered while draining
            }

            CloseReceived = true;
            Span<byte> payload = _buffer.AsSpan(start + header, (int)length);
            if (masked)
            {
                Masking.Apply(payload, BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(start + header - 4)), 0);
            }

            return new FrameReadResult(FrameReadKind.Close, Status: length >= 2 ? (WebSocketCloseStatus)BinaryPrimitives.ReadUInt16BigEndian(payload) : WebSocketCloseStatus.Empty);
        }

        _start += header;
        _frameRemaining = length;
        _inFramePayload = length > 0;
        return null;
    }

    private static FrameReadResult ReadClose(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length == 0)
        {
            return new FrameReadResult(FrameReadKind.Close, Status: WebSocketCloseStatus.Empty);
        }

        if (payload.Length == 1)
        {
            return new FrameReadResult(FrameReadKind.Failed, Status: WebSocketCloseStatus.ProtocolError, Error: "A close frame's payload is empty or at least 2 bytes.");
        }

        int code = BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
        if (!IsValidCloseCode(code))
        {
            return new FrameReadResult(FrameReadKind.Failed, Status: WebSocketCloseStatus.ProtocolError, Error: "Invalid close code.");
        }

        if (!Utf8.IsValid(payload.Span[2..]))
        {
            return new FrameReadResult(FrameReadKind.Failed, Status: WebSocketCloseStatus.InvalidPayloadData, Error: "Invalid UTF-8 in a close reason.");
        }

        return new FrameReadResult(FrameReadKind.Close, Status: (WebSocketCloseStatus)code);
    }

    /// <summary>The codes a close frame may carry: 1000–1014 but 1004–1006 (reserved or never sent), and 3000–4999.</summary>
    internal static bool IsValidCloseCode(int code) =>
        code is (>= 1000 and <= 1014 and not (1004 or 1005 or 1006)) or (>= 3000 and <= 4999);

    /// <summary>
    /// A failure. Unless the frame's bytes were already taken, the header stays in the buffer, so
    /// that a drain that follows skips that frame by its length.
    /// </summary>
    private static FrameReadResult Fail(WebSocketCloseStatus status, string error) => new FrameReadResult(FrameReadKind.Failed, Status: status, Error: error);

    private void EnsureMessageCapacity(int needed)
    {
        if (_message is null)
        {
            _message = ReceiveBuffers.Rent(Math.Max(needed, BufferSize));
            return;
        }

        if (_message.Length >= needed)
        {
            return;
        }

        long grown = Math.Min(Math.Max((long)_message.Length * 2, needed), Math.Max(_maxMessageSize, needed));
        byte[] larger = ReceiveBuffers.Rent((int)grown);
        _message.AsSpan(0, _messageLength).CopyTo(larger);
        ReceiveBuffers.Return(_message);
        _message = larger;
    }

    private void ReleaseMessage(bool force)
    {
        if (force && _message is not null)
        {
            ReceiveBuffers.Return(_message);
            _message = null;
        }

        _messageLength = 0;
        _messageDelivered = false;
        if (force)
        {
            _inMessage = false;
        }
    }

    /// <summary>Reads more bytes; false at the end of the stream. Holds no buffer while it waits for the first byte.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            ReturnEmptyBuffer();

            // Wait for data without holding a buffer: idle connections keep nothing rented. Not
            // twice: after WaitForDataAsync the data is there.
            if (!_dataAwaited)
            {
                await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }

            _dataAwaited = false;
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }
        else if (_start > 0 && _buffer!.Length - _end < MaxControlPayload + 14)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }

        _end += read;
        return true;
    }

    /// <summary>Gives back the read buffer, which holds no unparsed bytes.</summary>
    private void ReturnEmptyBuffer()
    {
        _start = _end = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    public void Dispose()
    {
        ReleaseMessage(force: true);
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
