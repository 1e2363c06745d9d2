using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// The upgraded connection as a stream, straight over the listener's pipes: a read copies what
/// arrived (a zero-byte read waits for data without taking any), a write writes and flushes. The
/// 101 given at its making (<paramref name="first"/>) is held to be flushed with the first write
/// (<see cref="HeldBytes"/>): Kestrel's send loop would otherwise send it alone.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe, byte[]? first = null) : Stream
{
    private byte[]? _held = first;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_held is not null && HeldBytes.ClaimForRead(ref _held) is { } held)
        {
            return FlushHeldThenReadAsync(held, destination, cancellationToken);
        }

        return pipe.Input.TryRead(out ReadResult result) ? new ValueTask<int>(Take(result, destination)) : ReadSlowAsync(destination, cancellationToken);
    }

    /// <summary>No write came before this read: the held bytes go alone.</summary>
    private async ValueTask<int> FlushHeldThenReadAsync(byte[] held, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            await pipe.Output.WriteAsync(held, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            HeldBytes.Sent(ref _held);
        }

        return await ReadAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        Take(await pipe.Input.ReadAsync(cancellationToken).ConfigureAwait(false), destination);

    private int Take(ReadResult result, Memory<byte> destination)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        int count = (int)Math.Min(buffer.Length, destination.Length);
        buffer.Slice(0, count).CopyTo(destination.Span);
        // What was not copied stays unread, and a later read returns it at once.
        pipe.Input.AdvanceTo(buffer.GetPosition(count));
        if (result.IsCanceled && count == 0)
        {
            throw new OperationCanceledException("The read was cancelled.");
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_held is not null && HeldBytes.TakeForWrite(ref _held) is { } held)
        {
            pipe.Output.Write(held); // flushed with these bytes
        }

        ValueTask<FlushResult> flush = pipe.Output.WriteAsync(source, cancellationToken);
        return flush.IsCompletedSuccessfully ? default : AwaitFlushAsync(flush);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush) => await flush.ConfigureAwait(false);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken) =>
        await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

    public override void Flush() => throw new NotSupportedException("The connection is written asynchronously only.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The connection is read asynchronously only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The connection is written asynchronously only.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
