using System.Runtime.InteropServices;

namespace TypedSocketIo.Server.EngineIO.Framing;

/// <summary>The XOR with the client's masking key (RFC 6455 section 5.3), eight bytes at a time.</summary>
internal static class Masking
{
    /// <summary>
    /// Unmasks <paramref name="data"/> in place; <paramref name="mask"/> is the key as read
    /// little-endian from the frame, <paramref name="offset"/> the payload position of data[0]
    /// (mod 4). Returns the offset after the data.
    /// </summary>
    public static int Apply(Span<byte> data, uint mask, int offset)
    {
        if (data.IsEmpty)
        {
            return offset;
        }

        // Rotate the key so that its first byte applies to data[0].
        uint rotated = BitConverter.IsLittleEndian
            ? (offset == 0 ? mask : (mask >> (8 * offset)) | (mask << (32 - (8 * offset))))
            : 0;
        int i = 0;
        if (BitConverter.IsLittleEndian && data.Length >= 8)
        {
            ulong wide = rotated | ((ulong)rotated << 32);
            Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            for (int w = 0; w < words.Length; w++)
            {
                words[w] ^= wide;
            }

            i = words.Length * 8; // a multiple of 4: the key's phase is unchanged
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= (byte)(mask >> (8 * ((offset + i) & 3)));
        }

        return (offset + data.Length) & 3;
    }
}
