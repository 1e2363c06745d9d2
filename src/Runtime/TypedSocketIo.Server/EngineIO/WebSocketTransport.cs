// Longer than most files here on purpose: the receive loop, the send queue with its back-pressure
// and the bounded close are one WebSocket's life and share its state; split, that state would spread.

using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>
/// The WebSocket transport: one message per packet. One receive loop that holds no buffer while
/// idle (a zero-byte read waits for data), and one writer that drains a queue and awaits each
/// send, so a slow client's back-pressure is respected rather than buffered in the socket. The
/// writer takes what is queued in bursts of up to <see cref="MaxBurstBytes"/>: the server's own
/// framing writes a burst at once, ASP.NET Core's WebSocket one message at a time.
/// </summary>
internal sealed class WebSocketTransport : EngineTransport
{
    /// <summary>The most bytes of packets the writer takes from the queue at once (a larger packet goes alone).</summary>
    internal const int MaxBurstBytes = 64 * 1024;

    /// <summary>How long a graceful close may take (queued packets, close frame, the client's answer) before the connection is cut.</summary>
    internal static readonly TimeSpan GracefulCloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a forced close may take (the write under way, close frame, the answer) before the connection is cut.</summary>
    internal static readonly TimeSpan ForcedCloseTimeout = TimeSpan.FromSeconds(1);

    private readonly WebSocketConnection _connection;
    private readonly EngineIOProtocol _protocol;
    private readonly Queue<OutgoingPacket> _queue = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly IHttpRequestLifetimeFeature? _request;

    // The packets of the burst being written; used by the writer only.
    private readonly List<OutgoingPacket> _burst = new();
    private long _queuedBytes;
    private bool _sending;
    private bool _writable = true;
    private bool _closeRequested;
    private bool _ended;
    private TaskCompletionSource? _writerExited;
    private int _closed;

    // request cuts the underlying connection (the HTTP request's abort): a close that does not finish
    // in time, or a failed write, must release the socket whatever is in flight.
    public WebSocketTransport(WebSocketConnection connection, EngineIOProtocol protocol, IHttpRequestLifetimeFeature? request = null)
    {
        _connection = connection;
        _request = request;
        _protocol = protocol;
    }

    /// <summary>The instruments to report packets and bytes to, or null.</summary>
    public EngineMetrics? Metrics { get; init; }

    /// <summary>
    /// The session the transport serves: it hears of every packet (on the receive loop, one at a
    /// time) and, once, of the transport's end. A reference, not delegates: an idle session keeps
    /// no closures between its transport and itself.
    /// </summary>
    public EngineSocket? Session { get; set; }

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
    /// Writable again once the queue drained and the current turn is over, as Node's send callback:
    /// a volatile packet emitted right after another is dropped. The turn is the receive turn the
    /// writes were made in (<see cref="ReceiveTurn"/>), or else the emitter's own work item.
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
        // Runs as a cancellation callback, on a timer thread: an exception here would end the
        // process. Once the request is over its HttpContext is gone, and aborting ASP.NET Core's
        // WebSocket then aborts a disposed context.
        if (Volatile.Read(ref _ended))
        {
            return; // the request is over: the connection is not ours to abort any more
        }

        try
        {
            _connection.Abort();
            _request?.Abort();
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
        try
        {
            while (true)
            {
                // No token on the wait: a cut (Cut, below) ends it by aborting the connection, and an
                // idle session then keeps no registration on the token.
                await _connection.WaitForDataAsync(CancellationToken.None).ConfigureAwait(false);
                WebSocketReceived received = await _connection.ReceiveAsync(_aborted.Token).ConfigureAwait(false);
                if (received.Kind == WebSocketReceiveKind.Close)
                {
                    // The client closed: complete the closing handshake.
                    await CloseOutputQuietlyAsync(received.Status, answer: true).ConfigureAwait(false);
                    break;
                }

                if (received.Kind == WebSocketReceiveKind.EndOfStream)
                {
                    (reason, description) = ConnectionEnded(received.Error);
                    break;
                }

                if (received.Kind == WebSocketReceiveKind.Failed)
                {
                    reason = "transport error";
                    description = received.Error;
                    await CloseAndDrainAsync(received.Status, reason, description).ConfigureAwait(false);
                    return;
                }

                if (Deliver(received) is { } parseError)
                {
                    reason = "parse error";
                    description = parseError;
                    await CloseAndDrainAsync(WebSocketCloseStatus.InvalidPayloadData, reason, description).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            (reason, description) = ConnectionEnded(ex.Message);
        }
        finally
        {
            _connection.ReceiveEnded();
            Finish(reason, description);
            await EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the session ends when its connection ended under the read (the stream's end, or a read
    /// that failed or whose token was cancelled): the server cut it, or the client went.
    /// </summary>
    private (string Reason, string? Description) ConnectionEnded(string? error) =>
        _aborted.IsCancellationRequested ? ("forced close", null) : ("transport close", error);

    /// <summary>
    /// Decodes a message and hands its packet to the session, in a turn of its own (the handlers
    /// of its events run when it has been handled); the message's bytes are released either way.
    /// Apart from the receive loop so that an idle loop's state holds none of this.
    /// </summary>
    /// <returns>Why the message is not a packet, or null once it was delivered.</returns>
    private string? Deliver(in WebSocketReceived received)
    {
        EnginePacket packet;
        int length = received.Payload.Length;
        try
        {
            packet = received.Binary
                ? EngineIOCodec.DecodeBinaryFrame(received.Payload.Span, _protocol)
                : EngineIOCodec.DecodeTextPacket(received.Payload.Span, _protocol);
        }
        catch (EngineIOParseException ex)
        {
            return ex.Message;
        }
        finally
        {
            _connection.ReleaseReceived();
        }

        Metrics?.Received(webSocket: true, 1, length);
        ReceiveTurn? turn = ReceiveTurn.Begin();
        try
        {
            Session?.OnWebSocketPacket(this, packet);
        }
        finally
        {
            turn?.End();
        }

        return null;
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
        List<OutgoingPacket> burst = _burst;
        bool idle = false;
        bool inEmitterTurn = true; // until a send completes later, on another thread
        try
        {
            while (true)
            {
                burst.Clear();
                lock (_queue)
                {
                    if (_queue.Count == 0)
                    {
                        if (!_closeRequested)
                        {
                            _connection.ReleaseSendBuffers(); // idle: hold no rented buffer
                            _sending = false;
                            idle = true;
                            if (!inEmitterTurn)
                            {
                                _writable = true; // the emitters' turns ended while the send was under way
                            }
                            else if (!ReceiveTurn.TryDefer(static t => ((WebSocketTransport)t).MarkWritable(), this))
                            {
                                ThreadPool.UnsafeQueueUserWorkItem(static t => t.MarkWritable(), this, preferLocal: false);
                            }

                            return;
                        }

                        break;
                    }

                    long taken = 0;
                    while (_queue.Count > 0 && (burst.Count == 0 || taken + _queue.Peek().Packet.Data.Length + 1 <= MaxBurstBytes))
                    {
                        OutgoingPacket next = _queue.Dequeue();
                        long size = next.Packet.Data.Length + 1;
                        _queuedBytes -= size;
                        taken += size;
                        burst.Add(next);
                    }
                }

                ValueTask<long> send = _connection.SendAsync(burst, _aborted.Token);
                inEmitterTurn &= send.IsCompleted;
                long bytes = await send.ConfigureAwait(false);
                Metrics?.Sent(webSocket: true, burst.Count, bytes);
            }

            // Close requested and everything sent. The receive loop ends when the client answers
            // the close frame; a client that never does is cut off.
            burst.Clear();
            _connection.ReleaseSendBuffers();
            await CloseOutputQuietlyAsync(WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
            Finish("forced close", null);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            burst.Clear();
            _connection.ReleaseSendBuffers();
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
        await CloseOutputQuietlyAsync(status).ConfigureAwait(false); // an empty reason, as the reference's ws sends
        try
        {
            await _connection.DrainAsync(_aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
        {
            // Gone, or slow to answer: either way the socket is done.
        }
    }

    private async Task CloseOutputQuietlyAsync(WebSocketCloseStatus status, bool answer = false)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (answer)
            {
                await _connection.AnswerCloseAsync(status, timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await _connection.CloseOutputAsync(status, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsConnectionEnd(ex))
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

    /// <summary>
    /// Whether <paramref name="ex"/> is the connection ending under a read or a write (the client
    /// gone, the connection cut, a cancelled token) rather than a fault of the server's.
    /// </summary>
    private static bool IsConnectionEnd(Exception ex) =>
        ex is WebSocketException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException;

    private void Finish(string reason, string? description)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Session?.OnTransportClosed(this, reason, description);
        }
    }
}
