using System.Buffers;

namespace TypedSocketIo.Buffers;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool. It rents on first
/// write; <see cref="Dispose"/> returns the array, after which the writer may be used again.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly int _initialCapacity;
    private byte[] _buffer = [];
    private int _written;

    /// <summary>Creates a writer that rents at least <paramref name="initialCapacity"/> bytes when first written to.</summary>
    public PooledBufferWriter(int initialCapacity = 256)
    {
        _initialCapacity = Math.Max(initialCapacity, 16);
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>How many bytes were written.</summary>
    public int WrittenCount => _written;

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Clear() => _written = 0;

    /// <summary>Forgets what was written after the first <paramref name="count"/> bytes, keeping the buffer.</summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)_written)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written = count;
    }

    /// <summary>The bytes written so far, to change in place (a header filled in once what follows it is known).</summary>
    internal Span<byte> WrittenSpanToUpdate => _buffer.AsSpan(0, _written);

    /// <inheritdoc />
    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, _initialCapacity), _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }

    /// <summary>Returns the buffer to the pool and forgets what was written; the writer stays usable.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
