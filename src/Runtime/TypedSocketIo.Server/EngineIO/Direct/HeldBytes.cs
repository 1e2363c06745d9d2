namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A connection's first bytes (the upgrade's 101) held to leave with its first write, so that the
/// 101 and the first frame reach the client in one send, as one packet that wakes it once; or
/// alone, before the first read, since a client sends nothing before its 101. A write and a read
/// may race for them: they leave once, and a write waits for a read's send of them under way.
/// </summary>
internal static class HeldBytes
{
    /// <summary>
    /// The most first bytes can be to be held: a fresh connection takes them whole at once (a
    /// socket's send buffer is 4.6 KB at the least, a pipe's pause threshold far more), so that a
    /// read never waits to send them.
    /// </summary>
    public const int Most = 2048;

    /// <summary>Marks held bytes that a read is sending.</summary>
    private static readonly byte[] Sending = [];

    /// <summary>For a write: the held bytes, taken; null when there are none (any a read was sending, sent).</summary>
    public static byte[]? TakeForWrite(ref byte[]? held)
    {
        var spin = default(SpinWait);
        while (true)
        {
            byte[]? bytes = Volatile.Read(ref held);
            if (bytes is null)
            {
                return null;
            }

            if (bytes == Sending)
            {
                spin.SpinOnce(); // a read's send of them, tried at once, is under way: this write goes after it
            }
            else if (Interlocked.CompareExchange(ref held, null, bytes) == bytes)
            {
                return bytes;
            }
        }
    }

    /// <summary>
    /// For a read (one at a time): the held bytes, to be sent now and then marked <see cref="Sent"/>;
    /// null when there are none.
    /// </summary>
    public static byte[]? ClaimForRead(ref byte[]? held)
    {
        byte[]? bytes = Volatile.Read(ref held);
        return bytes is null || bytes == Sending || Interlocked.CompareExchange(ref held, Sending, bytes) != bytes ? null : bytes;
    }

    /// <summary>A read's send of the claimed bytes is over.</summary>
    public static void Sent(ref byte[]? held) => Volatile.Write(ref held, null);
}
