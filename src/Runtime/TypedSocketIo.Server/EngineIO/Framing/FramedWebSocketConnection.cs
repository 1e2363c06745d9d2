using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>
/// RFC 6455 framed by the server itself over the upgraded HTTP/1.1 connection's stream: every
/// frame of a read parsed in one pass (<see cref="FrameReader"/>), and a burst of outgoing
/// messages built into one buffer and written, and flushed, once (<see cref="FrameWriter"/>).
/// No extension is negotiated (no permessage-deflate: that stays with ASP.NET Core's WebSocket).
/// </summary>
internal sealed class FramedWebSocketConnection : WebSocketConnection
{
    private readonly Stream _stream;
    private readonly EngineIOProtocol _protocol;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer = new();

    // Writes come from the writer loop (messages, its close frame) and the receive loop (pongs,
    // the answer to a close, a failure's close frame): one at a time. A count of the writes that
    // hold or want the turn; a write that finds another waits on a semaphore made then, so that a
    // session whose writes never meet keeps none (a semaphore is about 90 bytes).
    private int _writers;
    private SemaphoreSlim? _turn;
    private bool _closeSent;

    public FramedWebSocketConnection(Stream stream, EngineIOProtocol protocol, long maxMessageSize)
    {
        _stream = stream;
        _protocol = protocol;
        _reader = new FrameReader(stream, maxMessageSize);
    }

    public override async ValueTask<WebSocketReceived> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            FrameReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            switch (result.Kind)
            {
                case FrameReadKind.Message:
                    return new WebSocketReceived(WebSocketReceiveKind.Message, result.Binary, result.Payload);
                case FrameReadKind.Ping:
                    await WriteControlAsync(FrameOpcode.Pong, result.Payload, cancellationToken).ConfigureAwait(false);
                    break;
                case FrameReadKind.Pong:
                    break;
                case FrameReadKind.Close:
                    return new WebSocketReceived(WebSocketReceiveKind.Close, Status: result.Status);
                case FrameReadKind.EndOfStream:
                    return new WebSocketReceived(WebSocketReceiveKind.EndOfStream, Error: "The remote party closed the WebSocket connection without completing the close handshake.");
                default:
                    _reader.BeginDrain();
                    return new WebSocketReceived(WebSocketReceiveKind.Failed, Status: result.Status, Error: result.Error);
            }
        }
    }

    public override ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken) => _reader.WaitForDataAsync(cancellationToken);

    /// <summary>The reader's buffers are reused by the next read; nothing to give back here.</summary>
    public override void ReleaseReceived()
    {
    }

    public override async ValueTask<long> SendAsync(List<OutgoingPacket> packets, CancellationToken cancellationToken)
    {
        await TakeTurnAsync().ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return 0;
            }

            int payloadLength;
            if (packets.Count == 1 && packets[0].Frame is { } alone)
            {
                // A broadcast's message on its own: its shared frame goes out as it is, no copy.
                await _stream.WriteAsync(alone.Get(_protocol, out payloadLength), cancellationToken).ConfigureAwait(false);
                return payloadLength;
            }

            long bytes = 0;
            FrameWriter writer = _writer;
            writer.Clear();
            foreach (OutgoingPacket packet in packets)
            {
                if (packet.Frame is { } shared)
                {
                    writer.Write(shared.Get(_protocol, out payloadLength).Span);
                    bytes += payloadLength;
                    continue;
                }

                writer.BeginFrame();
                bool binary = EngineIOCodec.WriteWebSocketFrame(writer, packet.Packet, _protocol);
                bytes += writer.EndFrame(binary ? FrameOpcode.Binary : FrameOpcode.Text);
            }

            await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
        finally
        {
            EndTurn();
        }
    }

    public override void ReleaseSendBuffers() => _writer.Dispose();

    public override async ValueTask CloseOutputAsync(WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        byte[] code = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(code, (ushort)status);
        await WriteControlAsync(FrameOpcode.Close, status == WebSocketCloseStatus.Empty ? ReadOnlyMemory<byte>.Empty : code, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Echoes the client's code (RFC 6455 section 5.5.1); a close without a code is answered without one.</summary>
    public override ValueTask AnswerCloseAsync(WebSocketCloseStatus received, CancellationToken cancellationToken) =>
        CloseOutputAsync(received, cancellationToken);

    public override async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        _reader.BeginDrain();
        while (!_reader.CloseReceived) // a client whose close frame was the failure has nothing more to say
        {
            FrameReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.Kind is FrameReadKind.Close or FrameReadKind.EndOfStream or FrameReadKind.Failed)
            {
                return;
            }
        }
    }

    /// <summary>Reads and writes under way are cancelled by their tokens, and the connection is cut by the request's abort.</summary>
    public override void Abort()
    {
    }

    private async ValueTask WriteControlAsync(FrameOpcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // A frame of at most 127 bytes, built apart so as not to disturb a burst being written.
        byte[] frame = new byte[2 + payload.Length];
        FrameWriter.WriteHeader(frame, opcode, payload.Length);
        payload.Span.CopyTo(frame.AsSpan(2));
        await TakeTurnAsync().ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return;
            }

            _closeSent = opcode == FrameOpcode.Close;
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            EndTurn();
        }
    }

    public override void ReceiveEnded() => _reader.Dispose();

    /// <summary>
    /// The turn to write: at once when no other write holds it, else after the write before ends
    /// it. Not cancellable: the write that holds it ends in bounded time (it fails when the
    /// connection is cut, and a session's end cuts it).
    /// </summary>
    private ValueTask TakeTurnAsync()
    {
        if (Interlocked.Increment(ref _writers) == 1)
        {
            return ValueTask.CompletedTask;
        }

        return new ValueTask(Turn().WaitAsync());
    }

    /// <summary>Ends the turn: the next write waiting, if any, takes it.</summary>
    private void EndTurn()
    {
        if (Interlocked.Decrement(ref _writers) > 0)
        {
            Turn().Release();
        }
    }

    private SemaphoreSlim Turn()
    {
        if (Volatile.Read(ref _turn) is { } turn)
        {
            return turn;
        }

        var made = new SemaphoreSlim(0);
        return Interlocked.CompareExchange(ref _turn, made, null) ?? made;
    }
}
