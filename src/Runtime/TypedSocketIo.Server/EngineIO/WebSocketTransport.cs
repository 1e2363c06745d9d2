// Longer than most files here on purpose: the receive loop, the send queue with its back-pressure
// and the bounded close are one WebSocket's life and share its state; split, that state would spread.

using System.Buffers;
using System.Net.WebSockets;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// The WebSocket transport: one frame per packet. One receive loop that holds no buffer while
/// idle (a zero-byte read waits for data), and one writer that drains a queue and awaits each
/// send, so a slow client's back-pressure is respected rather than buffered in the socket.
/// </summary>
internal sealed class WebSocketTransport : EngineTransport
{
    private const int ReceiveChunk = 4096;

    /// <summary>How long a graceful close may take (queued packets, close frame, the client's answer) before the connection is cut.</summary>
    internal static readonly TimeSpan GracefulCloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a forced close may take (the write under way, close frame, the answer) before the connection is cut.</summary>
    internal static readonly TimeSpan ForcedCloseTimeout = TimeSpan.FromSeconds(1);

    private readonly WebSocket _webSocket;
    private readonly EngineIOProtocol _protocol;
    private readonly long _maxMessageSize;
    private readonly int _compressionThreshold;
    private readonly Queue<OutgoingPacket> _queue = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly Action? _abortConnection;

    // One writer for the life of the transport; its buffer is rented only while the send loop runs.
    private readonly PooledBufferWriter _writer = new(256);
    private long _queuedBytes;
    private bool _sending;
    private bool _writable = true;
    private bool _closeRequested;
    private bool _ended;
    private TaskCompletionSource? _writerExited;
    private int _closed;

    // abortConnection cuts the underlying connection (the HTTP request's abort): a close that does not
    // finish in time, or a failed write, must release the socket whatever is in flight.
    public WebSocketTransport(WebSocket webSocket, EngineIOProtocol protocol, long maxMessageSize, int? compressionThreshold, Action? abortConnection = null)
    {
        _webSocket = webSocket;
        _abortConnection = abortConnection;
        _protocol = protocol;
        _maxMessageSize = maxMessageSize;
        _compressionThreshold = compressionThreshold ?? int.MaxValue;
    }

    /// <summary>The instruments to report packets and bytes to, or null.</summary>
    public EngineMetrics? Metrics { get; init; }

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

    public override bool CanTakePackets => true;

    public override long QueuedBytes
    {
        get
        {
            lock (_queue)
            {
                return _queuedBytes;
            }
        }
    }

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
                _queuedBytes += packet.Packet.Data.Length + 1;
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

    /// <summary>
    /// Closes: a graceful close sends what is queued, then the close frame; a forced one drops the
    /// queue. Either way the connection is cut if the close has not finished in time (a client that
    /// stopped reading blocks the write under way forever otherwise).
    /// </summary>
    public override void Close(bool graceful)
    {
        bool startWriter;
        lock (_queue)
        {
            if (_closeRequested)
            {
                return;
            }

            _closeRequested = true;
            if (!graceful)
            {
                DropQueueLocked();
            }

            startWriter = !_sending; // otherwise the writer sends the close frame once its queue is drained
            _sending = true;
        }

        CutAfter(graceful ? GracefulCloseTimeout : ForcedCloseTimeout);
        if (startWriter)
        {
            _ = SendLoopAsync();
        }
    }

    /// <summary>Forgets the packets not yet written. Caller holds the queue's lock.</summary>
    private void DropQueueLocked()
    {
        _queue.Clear();
        _queuedBytes = 0;
    }

    /// <summary>Cancels every read and write and cuts the connection after <paramref name="delay"/>, unless the transport ended by then.</summary>
    private void CutAfter(TimeSpan delay)
    {
        try
        {
            _aborted.Token.Register(static s => ((WebSocketTransport)s!).Cut(), this);
            _aborted.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
    }

    private void Cut()
    {
        _webSocket.Abort();
        if (Volatile.Read(ref _ended))
        {
            return; // the request is over: the connection is not ours to abort any more
        }

        try
        {
            _abortConnection?.Invoke();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // The request is over: its connection went with it.
        }
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
                buffer = ReceiveBuffers.Rent(ReceiveChunk);
                while (!end)
                {
                    if (length == buffer.Length)
                    {
                        buffer = ReceiveBuffers.Grow(buffer, length, _maxMessageSize);
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
                    ReceiveBuffers.Return(buffer);
                    buffer = null;
                    await CloseAndDrainAsync(WebSocketCloseStatus.InvalidPayloadData, reason, description).ConfigureAwait(false);
                    return;
                }

                ReceiveBuffers.Return(buffer);
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
                ReceiveBuffers.Return(buffer);
            }

            Finish(reason, description);
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The receive loop is over and the request is about to end. A write still under way (a client
    /// that stopped reading) gets <see cref="ForcedCloseTimeout"/> to finish, then the connection is
    /// cut; the request never ends with a write still holding the connection. After that a pending
    /// cut no longer applies.
    /// </summary>
    private async Task EndAsync()
    {
        Task? writer = null;
        lock (_queue)
        {
            _closeRequested = true;
            DropQueueLocked();
            if (_sending)
            {
                _writerExited ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                writer = _writerExited.Task;
            }
        }

        if (writer is not null)
        {
            try
            {
                await writer.WaitAsync(ForcedCloseTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Cut();
            }
        }

        Volatile.Write(ref _ended, true);
        try
        {
            _aborted.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The writer is done for good (closed or failed): tell <see cref="EndAsync"/>.</summary>
    private void WriterExited()
    {
        TaskCompletionSource? exited;
        lock (_queue)
        {
            _sending = false;
            exited = _writerExited;
        }

        exited?.TrySetResult();
    }

    private async Task SendLoopAsync()
    {
        PooledBufferWriter writer = _writer;
        bool idle = false;
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
                            idle = true;
                            ThreadPool.UnsafeQueueUserWorkItem(static t => t.MarkWritable(), this, preferLocal: false);
                            return;
                        }

                        break;
                    }

                    next = _queue.Dequeue();
                    _queuedBytes -= next.Packet.Data.Length + 1;
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
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            writer.Dispose();
            Abort("transport error", ex.Message);
        }
        finally
        {
            if (!idle)
            {
                WriterExited();
            }
        }
    }

    /// <summary>Sends a close frame from the receive loop and waits, briefly, for the client's.</summary>
    private async Task CloseAndDrainAsync(WebSocketCloseStatus status, string reason, string? description)
    {
        lock (_queue)
        {
            _closeRequested = true;
            DropQueueLocked();
        }

        Finish(reason, description);
        CutAfter(TimeSpan.FromSeconds(2));
        await CloseOutputQuietlyAsync(status, null).ConfigureAwait(false); // an empty reason, as the reference's ws sends
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
            DropQueueLocked();
        }

        CutAfter(TimeSpan.Zero);
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
