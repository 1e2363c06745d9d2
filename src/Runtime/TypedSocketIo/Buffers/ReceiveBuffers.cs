using System.Buffers;

namespace TypedSocketIo.Buffers;

/// <summary>
/// Buffers for reading one message or body whose size is known only at its end. Small ones come
/// from the shared pool; large ones (up to the message limit, so the size a client picks) are plain
/// arrays the collector takes back, because the shared pool keeps what is returned to it, per thread
/// and per core: a stream of oversized bodies would otherwise leave megabytes cached on every
/// thread that ever read one.
/// </summary>
public static class ReceiveBuffers
{
    /// <summary>The largest buffer taken from (and returned to) the shared pool.</summary>
    public const int MaxPooledLength = 128 * 1024;

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes.</summary>
    public static byte[] Rent(int minimumLength) =>
        minimumLength <= MaxPooledLength ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    /// <summary>Gives back a buffer of <see cref="Rent"/>: to the pool when it came from there.</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledLength)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A buffer twice as large (at most <paramref name="limit"/> + 1 bytes: one byte past the limit
    /// tells that a message is over it) holding the first <paramref name="length"/> bytes of
    /// <paramref name="buffer"/>, which is given back.
    /// </summary>
    public static byte[] Grow(byte[] buffer, int length, long limit)
    {
        byte[] larger = Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
        buffer.AsSpan(0, length).CopyTo(larger);
        Return(buffer);
        return larger;
    }
}
