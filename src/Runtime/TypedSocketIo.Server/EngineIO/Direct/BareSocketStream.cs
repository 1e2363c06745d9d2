using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using NetSocket = System.Net.Sockets.Socket;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A connection's bare socket as the stream its framing reads and writes, the socket put in
/// non-blocking mode: a read or a write is first tried at once, and only what the socket cannot do
/// now waits. A wait for data (a zero-byte read holds no buffer) is on the server's
/// <see cref="SocketReactor"/> where there is one, else an asynchronous receive. So an idle session
/// keeps no .NET state for a pending receive (about 540 bytes a socket, measured) and, on the
/// reactor, no async context (about 220 bytes); nor any for sends unless a client stopped reading
/// (a socket that has awaited a send keeps that operation's arguments for its life, about 350 bytes).
/// </summary>
/// <remarks>
/// <para>
/// Failures of the socket come out as <see cref="IOException"/> when tried at once and as
/// <see cref="SocketException"/> from a wait, as the socket gives them: the framing's callers take
/// either as the connection's end. One read at a time, as a stream's reads are.
/// </para>
/// <para>
/// The stream owns the socket: it cuts it (<see cref="Abort"/>), closes it after what was sent (its
/// disposal), or gives it back open (<see cref="Detach"/>, after which it is not to be used). A read
/// waiting on the reactor ends with the socket, as it would on .NET's receive.
/// </para>
/// </remarks>
internal sealed class BareSocketStream : Stream, SocketReactor.IReady, IValueTaskSource<int>, IThreadPoolWorkItem
{
    // A wait's states: none waits; a read waits; the reactor told of data while none waited; closed.
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Signaled = 2;
    private const int Closed = 3;

    private readonly NetSocket _socket;
    private readonly SocketReactor? _reactor;
    private readonly bool _inline;
    private int _slot = -1;
    private int _state;

    // The waiting read: where its bytes go, its token's registration, and its completion.
    private Memory<byte> _pending;
    private CancellationToken _cancellation;
    private CancellationTokenRegistration _cancellationRegistration;
    private ManualResetValueTaskSourceCore<int> _completion;

    // The upgrade's answer, held to leave with the first write (HeldBytes).
    private byte[]? _held;

    /// <summary>
    /// The stream of <paramref name="socket"/>, whose waits are on <paramref name="reactor"/>
    /// (without one, .NET's receive); a woken read goes on on the reactor's thread when
    /// <paramref name="inline"/>, else on the thread pool.
    /// </summary>
    public BareSocketStream(NetSocket socket, SocketReactor? reactor, bool inline = false)
    {
        _socket = socket;
        _inline = inline;
        if (reactor is not null
            && SocketReactor.TrySetNonBlocking(socket.SafeHandle, nonBlocking: true)
            && (_slot = reactor.Register(socket.SafeHandle, this)) >= 0)
        {
            _reactor = reactor;
        }
        else
        {
            socket.Blocking = false;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_held is not null && SendHeld() is { } unsent)
        {
            return ValueTask.FromException<int>(unsent);
        }

        if (TryReceive(buffer, peek: false, out int read, out Exception? failure))
        {
            return failure is null ? new ValueTask<int>(read) : ValueTask.FromException<int>(failure);
        }

        if (_reactor is null)
        {
            return _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        return WaitAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Copies what the socket has into <paramref name="buffer"/> without taking it, waiting for a
    /// first byte: 0 when the peer ended.
    /// </summary>
    public async ValueTask<int> PeekAsync(Memory<byte> buffer)
    {
        while (true)
        {
            if (TryReceive(buffer, peek: true, out int read, out Exception? failure))
            {
                return failure is null ? read : throw failure;
            }

            await ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A read, or a <paramref name="peek"/> (or, for an empty <paramref name="buffer"/>, a look
    /// whether bytes are there), tried at once: false when it would wait. On the reactor by the
    /// system's call, else by .NET's.
    /// </summary>
    private bool TryReceive(Memory<byte> buffer, bool peek, out int read, out Exception? failure)
    {
        failure = null;
        SocketError error;
        Span<byte> one = stackalloc byte[1];
        bool look = buffer.IsEmpty;
        Span<byte> into = look ? one : buffer.Span;
        peek |= look;
        if (_reactor is not null)
        {
            if (!SocketReactor.TryReceive(_socket.SafeHandle, into, peek, out read, out error))
            {
                return false;
            }
        }
        else
        {
            read = _socket.Receive(into, peek ? SocketFlags.Peek : SocketFlags.None, out error);
            if (error == SocketError.WouldBlock)
            {
                return false;
            }
        }

        if (look)
        {
            read = 0;
        }

        if (error != SocketError.Success)
        {
            failure = Failed(error);
        }

        return true;
    }

    private ValueTask<int> WaitAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        _completion.Reset();
        short version = _completion.Version;
        _pending = buffer;
        // Before the wait is published: once it is, a readiness may end it on another thread at once.
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken;
            _cancellationRegistration = cancellationToken.UnsafeRegister(static s => ((BareSocketStream)s!).Wake(), this);
        }

        while (true)
        {
            switch (Interlocked.CompareExchange(ref _state, Waiting, Idle))
            {
                case Idle:
                    if (cancellationToken.IsCancellationRequested)
                    {
                        Wake(); // cancelled before the wait was published: its callback found none
                    }

                    return new ValueTask<int>(this, version);

                case Signaled:
                    // Data came since the read was tried: tried again, now.
                    Interlocked.CompareExchange(ref _state, Idle, Signaled);
                    if (TryReceive(buffer, peek: false, out int read, out Exception? failure))
                    {
                        EndWait();
                        return failure is null ? new ValueTask<int>(read) : ValueTask.FromException<int>(failure);
                    }

                    continue;

                default:
                    EndWait();
                    return ValueTask.FromException<int>(Aborted());
            }
        }
    }

    /// <summary>The wait is over: its token's registration gone (a callback under way finishes first).</summary>
    private void EndWait()
    {
        _cancellationRegistration.Dispose();
        _cancellationRegistration = default;
        _cancellation = default;
        _pending = default;
    }

    /// <summary>
    /// The reactor's readiness: a waiting read goes on, on the thread pool (or, inline, here);
    /// else it is kept for the next read.
    /// </summary>
    void SocketReactor.IReady.OnReady()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Waiting)
            {
                if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                {
                    if (_inline)
                    {
                        ((IThreadPoolWorkItem)this).Execute();
                    }
                    else
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    }

                    return;
                }
            }
            else if (state == Idle)
            {
                if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                {
                    return;
                }
            }
            else
            {
                return; // kept already, or closed
            }
        }
    }

    /// <summary>The waiting read's token was cancelled: it goes on, to end.</summary>
    private void Wake()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>
    /// The waiting read, woken (by data, its token or the stream's close), on the thread pool: it
    /// ends, or, when the socket has nothing after all, waits again.
    /// </summary>
    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            int read = 0;
            Exception? failure;
            if (Volatile.Read(ref _state) == Closed)
            {
                failure = Aborted();
            }
            else if (_cancellation.IsCancellationRequested)
            {
                failure = new OperationCanceledException(_cancellation);
            }
            else
            {
                try
                {
                    if (!TryReceive(_pending, peek: false, out read, out failure))
                    {
                        CancellationToken cancellation = _cancellation;
                        switch (Interlocked.CompareExchange(ref _state, Waiting, Idle))
                        {
                            case Idle:
                                if (cancellation.IsCancellationRequested)
                                {
                                    Wake(); // cancelled while this ran: its callback found no wait
                                }

                                return; // waits again
                            case Signaled:
                                Interlocked.CompareExchange(ref _state, Idle, Signaled);
                                continue;
                            default:
                                continue; // closed meanwhile
                        }
                    }
                }
                catch (ObjectDisposedException ex)
                {
                    failure = ex;
                }
            }

            EndWait();
            if (failure is null)
            {
                _completion.SetResult(read);
            }
            else
            {
                _completion.SetException(failure);
            }

            return;
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    private static SocketException Aborted() => new((int)SocketError.OperationAborted);

    /// <summary>
    /// Leaves the reactor, the socket staying open: a waiting read ends as aborted. The socket
    /// then waits with .NET's own operations (for Kestrel's transport, in blocking mode again, as
    /// accepted).
    /// </summary>
    public void Detach()
    {
        if (Leave(closing: false))
        {
            if (_reactor is not null)
            {
                SocketReactor.TrySetNonBlocking(_socket.SafeHandle, nonBlocking: false);
            }
            else
            {
                _socket.Blocking = true;
            }
        }
    }

    /// <summary>Cuts the connection: the socket closes at once, a waiting read ending as aborted.</summary>
    public void Abort()
    {
        Leave(closing: true);
        _socket.Dispose();
    }

    /// <summary>Closes the socket after what was sent: its end is sent, then it closes.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Leave(closing: true);
            try
            {
                SendHeld(); // an upgrade answered and closed without a frame: the answer still goes
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // cut already
            }

            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Leaves the reactor once: false when it had left already.</summary>
    private bool Leave(bool closing)
    {
        int previous = Interlocked.Exchange(ref _state, Closed);
        if (previous == Closed)
        {
            return false;
        }

        _reactor?.Release(_slot, closing ? null : _socket.SafeHandle);

        if (previous == Waiting)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return true;
    }

    /// <summary>
    /// Writes <paramref name="first"/>, the connection's first bytes (the upgrade's answer): held,
    /// when small, to leave in one send with the next write (<see cref="HeldBytes"/>).
    /// </summary>
    public ValueTask WriteFirstAsync(byte[] first)
    {
        if (first.Length > HeldBytes.Most)
        {
            return WriteAsync(first);
        }

        _held = first;
        return ValueTask.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_held is not null && HeldBytes.TakeForWrite(ref _held) is { } held)
        {
            // Once a connection, before its first frame: the two in one buffer, for one send.
            byte[] joined = new byte[held.Length + buffer.Length];
            held.CopyTo(joined, 0);
            buffer.Span.CopyTo(joined.AsSpan(held.Length));
            buffer = joined;
        }

        int sent = SendNow(buffer.Span, out SocketError error);
        if (error == SocketError.Success && sent == buffer.Length)
        {
            return ValueTask.CompletedTask;
        }

        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            return ValueTask.FromException(Failed(error));
        }

        return SendRestAsync(buffer[sent..], cancellationToken);
    }

    private int SendNow(ReadOnlySpan<byte> bytes, out SocketError error) =>
        _reactor is not null
            ? SocketReactor.Send(_socket.SafeHandle, bytes, out error)
            : _socket.Send(bytes, SocketFlags.None, out error);

    /// <summary>
    /// The held bytes, sent alone before a read (none to send with): null once sent, or when a write
    /// took them; else the failure.
    /// </summary>
    private IOException? SendHeld()
    {
        if (HeldBytes.ClaimForRead(ref _held) is not { } held)
        {
            return null;
        }

        int sent = SendNow(held, out SocketError error);
        HeldBytes.Sent(ref _held);
        return error != SocketError.Success ? Failed(error)
            : sent != held.Length ? new IOException("The connection did not take its first bytes.")
            : null;
    }

    /// <summary>What the socket could not take at once: sent as it drains (the client's back-pressure, waited on).</summary>
    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        while (!rest.IsEmpty)
        {
            int sent = await _socket.SendAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            rest = rest[sent..];
        }
    }

    private static IOException Failed(SocketError error) =>
        new("The connection failed: " + error + ".", new SocketException((int)error));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    // Only the asynchronous methods are for use: a synchronous read of a non-blocking socket would not wait.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
