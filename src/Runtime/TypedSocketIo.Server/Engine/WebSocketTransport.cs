using System.Buffers;
using System.Net.WebSockets;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.Engine;

/// <summary>
/// The WebSocket transport: one frame per packet. One receive loop that holds no buffer while
/// idle (a zero-byte read waits for data), and one writer that drains a queue and awaits each
/// send, so a slow client's back-pressure is respected rather than buffered in the socket.
/// </summary>
internal sealed class WebSocketTransport : EngineTransport
{
    private const int ReceiveChunk = 4096;

    private readonly WebSocket _webSocket;
    private readonly int _protocol;
    private readonly long _maxMessageSize;
    private readonly int _compressionThreshold;
    private readonly Queue<OutgoingPacket> _queue = new();
    private readonly CancellationTokenSource _aborted = new();

    // One writer for the life of the transport; its buffer is rented only while the send loop runs.
    private readonly PooledBufferWriter _writer = new(256);
    private bool _sending;
    private bool _writable = true;
    private bool _closeRequested;
    private int _closed;

    public WebSocketTransport(WebSocket webSocket, int protocol, long maxMessageSize, int? compressionThreshold)
    {
        _webSocket = webSocket;
        _protocol = protocol;
        _maxMessageSize = maxMessageSize;
        _compressionThreshold = compressionThreshold ?? int.MaxValue;
    }

    /// <summary>The instruments to report packets and bytes to, or null.</summary>
    public Hosting.SocketIoMetrics? Metrics { get; init; }

    /// <summary>Receives packets; raised on the receive loop, one at a time.</summary>
    public Action<WebSocketTransport, EnginePacket>? PacketReceived { get; set; }

    /// <summary>Raised once when the transport ends: the reason (the reference's) and a description.</summary>
    public Action<WebSocketTransport, string, string?>? Closed { get; set; }

    public override string Name => EngineIOOptions.WebSocket;

    public override bool IsWritable
    {
        get
        {
            lock (_queue)
            {
                return _writable && !_sending && !_closeRequested && _closed == 0;
            }
        }
    }

    public override bool CanWrite => true;

    public override void Write(List<OutgoingPacket> buffer)
    {
        lock (_queue)
        {
            if (_closeRequested)
            {
                return;
            }

            foreach (OutgoingPacket packet in buffer)
            {
                _queue.Enqueue(packet);
            }

            _writable = false;
        }
    }

    /// <summary>
    /// Writable again once the queue drained and the current turn is over (queued work), as Node's
    /// send callback: a volatile packet emitted right after another is dropped.
    /// </summary>
    private void MarkWritable()
    {
        lock (_queue)
        {
            if (!_sending && _queue.Count == 0)
            {
                _writable = true;
            }
        }
    }

    public override void StartWriting()
    {
        lock (_queue)
        {
            if (_sending || _queue.Count == 0)
            {
                return;
            }

            _sending = true;
        }

        _ = SendLoopAsync();
    }

    public override void Close(bool graceful)
    {
        lock (_queue)
        {
            if (_closeRequested)
            {
                return;
            }

            _closeRequested = true;
            if (!graceful)
            {
                _queue.Clear();
            }

            if (_sending)
            {
                return; // the writer sends the close frame once its queue is drained
            }

            _sending = true;
        }

        _ = SendLoopAsync();
    }

    /// <summary>Runs the receive loop until the WebSocket ends.</summary>
    public async Task RunAsync()
    {
        string reason = "transport close";
        string? description = null;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer: idle connections keep nothing rented.
                ValueWebSocketReceiveResult peek = await _webSocket.ReceiveAsync(Memory<byte>.Empty, _aborted.Token).ConfigureAwait(false);
                if (peek.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                int length = 0;
                WebSocketMessageType type = peek.MessageType;
                bool end = peek.EndOfMessage;
                buffer = ArrayPool<byte>.Shared.Rent(ReceiveChunk);
                while (!end)
                {
                    if (length == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(buffer.AsMemory(length), _aborted.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        type = WebSocketMessageType.Close;
                        break;
                    }

                    length += result.Count;
                    end = result.EndOfMessage;
                    if (length > _maxMessageSize)
                    {
                        reason = "transport error";
                        description = "payload too large";
                        await CloseAndDrainAsync(WebSocketCloseStatus.MessageTooBig, reason, description).ConfigureAwait(false);
                        return;
                    }
                }

                if (type == WebSocketMessageType.Close)
                {
                    break;
                }

                EnginePacket packet;
                try
                {
                    packet = type == WebSocketMessageType.Binary
                        ? EngineIOCodec.DecodeBinaryFrame(buffer.AsSpan(0, length), _protocol)
                        : EngineIOCodec.DecodeTextPacket(buffer.AsSpan(0, length), _protocol);
                }
                catch (EngineIOParseException ex)
                {
                    reason = "parse error";
                    description = ex.Message;
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    await CloseAndDrainAsync(WebSocketCloseStatus.InvalidPayloadData, reason, description).ConfigureAwait(false);
                    return;
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
                Metrics?.Received(webSocket: true, 1, length);
                PacketReceived?.Invoke(this, packet);
            }

            // The client closed: complete the closing handshake.
            await CloseOutputQuietlyAsync(WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            reason = "forced close";
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            reason = "transport close";
            description = ex.Message;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Finish(reason, description);
        }
    }

    private async Task SendLoopAsync()
    {
        PooledBufferWriter writer = _writer;
        try
        {
            while (true)
            {
                OutgoingPacket next;
                lock (_queue)
                {
                    if (_queue.Count == 0)
                    {
                        if (!_closeRequested)
                        {
                            writer.Dispose(); // idle: hold no rented buffer
                            _sending = false;
                            ThreadPool.UnsafeQueueUserWorkItem(static t => t.MarkWritable(), this, preferLocal: false);
                            return;
                        }

                        break;
                    }

                    next = _queue.Dequeue();
                }

                writer.Clear();
                bool binary = EngineIOCodec.WriteWebSocketFrame(writer, next.Packet, _protocol);
                WebSocketMessageFlags flags = WebSocketMessageFlags.EndOfMessage;
                if (!next.Compress || writer.WrittenCount < _compressionThreshold)
                {
                    flags |= WebSocketMessageFlags.DisableCompression;
                }

                await _webSocket.SendAsync(
                    writer.WrittenMemory,
                    binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text,
                    flags,
                    _aborted.Token).ConfigureAwait(false);
                Metrics?.Sent(webSocket: true, 1, writer.WrittenCount);
            }

            // Close requested and everything sent. The receive loop ends when the client answers
            // the close frame; a client that never does is cut off.
            writer.Dispose();
            await CloseOutputQuietlyAsync(WebSocketCloseStatus.NormalClosure, null).ConfigureAwait(false);
            Finish("forced close", null);
            _aborted.CancelAfter(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            writer.Dispose();
            Abort("transport error", ex.Message);
        }
    }

    /// <summary>Sends a close frame from the receive loop and waits, briefly, for the client's.</summary>
    private async Task CloseAndDrainAsync(WebSocketCloseStatus status, string reason, string? description)
    {
        lock (_queue)
        {
            _closeRequested = true;
            _queue.Clear();
        }

        Finish(reason, description);
        await CloseOutputQuietlyAsync(status, status == WebSocketCloseStatus.MessageTooBig ? "Max payload size exceeded" : null).ConfigureAwait(false);
        _aborted.CancelAfter(TimeSpan.FromSeconds(2));
        byte[] scratch = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(scratch.AsMemory(), _aborted.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Gone, or slow to answer: either way the socket is done.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task CloseOutputQuietlyAsync(WebSocketCloseStatus status, string? description)
    {
        try
        {
            if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _webSocket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone already.
        }
    }

    private void Abort(string reason, string? description)
    {
        lock (_queue)
        {
            _closeRequested = true;
            _queue.Clear();
        }

        _aborted.Cancel();
        _webSocket.Abort();
        Finish(reason, description);
    }

    private void Finish(string reason, string? description)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Closed?.Invoke(this, reason, description);
        }
    }
}
