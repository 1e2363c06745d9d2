using System.Net.Sockets;
using NetSocket = System.Net.Sockets.Socket;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A session's bare socket as the stream its framing reads and writes, the socket put in
/// non-blocking mode: a read or a write is first tried at once, and only what the socket cannot do
/// now waits, in an asynchronous operation. A wait for data is a zero-byte receive. So an idle
/// session keeps .NET's state for one pending receive, and none for sends (a socket that has
/// awaited a send keeps that operation's arguments for its life, about 350 bytes).
/// </summary>
/// <remarks>
/// Failures of the socket come out as <see cref="IOException"/> when tried at once and as
/// <see cref="SocketException"/> from a wait, as the socket gives them: the framing's callers take
/// either as the connection's end.
/// </remarks>
internal sealed class BareSocketStream : Stream
{
    private readonly NetSocket _socket;

    public BareSocketStream(NetSocket socket)
    {
        _socket = socket;
        socket.Blocking = false;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!buffer.IsEmpty)
        {
            int read = _socket.Receive(buffer.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.Success)
            {
                return new ValueTask<int>(read);
            }

            if (error != SocketError.WouldBlock)
            {
                return ValueTask.FromException<int>(Failed(error));
            }
        }

        return _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int sent = _socket.Send(buffer.Span, SocketFlags.None, out SocketError error);
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
