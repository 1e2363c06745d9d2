using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TypedSocketIo.Compare;

/// <summary>
/// The raw echo of <see cref="PeerHost"/> without ASP.NET Core: bare <see cref="Socket"/>s, no
/// Kestrel, no pipes, no HTTP stack beyond reading the upgrade request. Each connection has one
/// receive loop that waits with a zero-byte receive (no buffer while idle), parses every frame of a
/// read in one pass and answers the read's echoes with one <c>send</c>, on the thread that read
/// them; a broadcast's frame is built once and sent to each connection with one <c>send</c>. That
/// is the design of uWebSockets (whose Node binding is not on npm): the figures are the floor of
/// a .NET server on this machine, the cost of the kernel and the runtime's socket engine alone.
/// Not a WebSocket server to use: no fragmentation, no UTF-8 check, no close handshake timeout.
/// </summary>
internal static class RawSocketPeer
{
    private static readonly ConcurrentDictionary<Connection, byte> Connections = new();

    public static async Task<int> RunAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        Console.WriteLine($"listening {((IPEndPoint)listener.LocalEndPoint!).Port}");
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                socket.NoDelay = true;
                _ = new Connection(socket).RunAsync();
            }
        });
        await Task.Run(() => Console.In.ReadToEnd());
        return 0;
    }

    private sealed class Connection(Socket socket)
    {
        private const int Chunk = 4096;
        private static readonly byte[] AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

        private readonly Lock _sendLock = new();
        private byte[]? _buffer; // held only while a partial frame or request waits for its rest
        private int _length;
        private bool _open;

        public async Task RunAsync()
        {
            try
            {
                while (true)
                {
                    if (_length == 0)
                    {
                        await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None); // idle: no buffer
                    }

                    _buffer ??= ArrayPool<byte>.Shared.Rent(Chunk);
                    if (_length == _buffer.Length)
                    {
                        if (_buffer.Length >= PeerHost.MaxMessageBytes * 2)
                        {
                            return;
                        }

                        byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                        _buffer.AsSpan(0, _length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(_buffer);
                        _buffer = larger;
                    }

                    int read = await socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    _length += read;
                    int used = _open ? Frames(_buffer.AsSpan(0, _length)) : Upgrade(_buffer.AsSpan(0, _length));
                    if (used < 0)
                    {
                        return;
                    }

                    _buffer.AsSpan(used, _length - used).CopyTo(_buffer);
                    _length -= used;
                    if (_length == 0)
                    {
                        ArrayPool<byte>.Shared.Return(_buffer);
                        _buffer = null;
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
            finally
            {
                Connections.TryRemove(this, out _);
                socket.Dispose();
                if (_buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = null;
                }
            }
        }

        /// <summary>Answers the upgrade request once it is whole; returns the bytes it took, 0 for more to come.</summary>
        private int Upgrade(ReadOnlySpan<byte> data)
        {
            int end = data.IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                return 0;
            }

            string request = Encoding.ASCII.GetString(data[..end]);
            string? key = request.Split("\r\n").Select(static l => l.Split(':', 2)).Where(static p => p.Length == 2 && p[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)).Select(static p => p[1].Trim()).FirstOrDefault();
            if (key is null)
            {
                return -1;
            }

            byte[] input = [.. Encoding.ASCII.GetBytes(key), .. AcceptGuid];
            string accept = Convert.ToBase64String(SHA1.HashData(input));
            Send(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            _open = true;
            Connections.TryAdd(this, 0);
            return end + 4;
        }

        /// <summary>Handles every whole frame of <paramref name="data"/>; returns the bytes taken, -1 to close.</summary>
        private int Frames(Span<byte> data)
        {
            int used = 0;
            byte[]? output = null; // the read's echoes, sent at once
            int outputLength = 0;
            try
            {
                while (data.Length - used >= 2)
                {
                    Span<byte> frame = data[used..];
                    int opcode = frame[0] & 0x0F;
                    long length = frame[1] & 0x7F;
                    int header = 2;
                    if (length == 126)
                    {
                        if (frame.Length < 4)
                        {
                            break;
                        }

                        length = BinaryPrimitives.ReadUInt16BigEndian(frame[2..]);
                        header = 4;
                    }
                    else if (length == 127)
                    {
                        if (frame.Length < 10)
                        {
                            break;
                        }

                        length = (long)BinaryPrimitives.ReadUInt64BigEndian(frame[2..]);
                        header = 10;
                    }

                    if ((frame[1] & 0x80) == 0 || (frame[0] & 0x80) == 0 || length > PeerHost.MaxMessageBytes)
                    {
                        return -1; // unmasked, fragmented or too large: not what the generator sends
                    }

                    if (frame.Length < header + 4 + length)
                    {
                        break;
                    }

                    Span<byte> mask = frame.Slice(header, 4);
                    Span<byte> payload = frame.Slice(header + 4, (int)length);
                    for (int i = 0; i < payload.Length; i++)
                    {
                        payload[i] ^= mask[i & 3];
                    }

                    used += header + 4 + (int)length;
                    switch (opcode)
                    {
                        case 8: // close: answer and end
                            Flush(output, outputLength);
                            Send([0x88, 0x00]);
                            return -1;
                        case 9: // ping
                            Append(ref output, ref outputLength, 0xA, payload);
                            break;
                        case 1 when payload.Length > 0 && payload[0] == (byte)'B':
                            Broadcast(payload[1..]);
                            break;
                        case 1:
                        case 2:
                            Append(ref output, ref outputLength, opcode, payload);
                            break;
                    }
                }

                Flush(output, outputLength);
                return used;
            }
            finally
            {
                if (output is not null)
                {
                    ArrayPool<byte>.Shared.Return(output);
                }
            }
        }

        private static void Append(ref byte[]? output, ref int length, int opcode, ReadOnlySpan<byte> payload)
        {
            int needed = length + 10 + payload.Length;
            if (output is null || output.Length < needed)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Chunk));
                if (output is not null)
                {
                    output.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(output);
                }

                output = larger;
            }

            length += WriteFrame(output.AsSpan(length), opcode, payload);
        }

        private static int WriteFrame(Span<byte> destination, int opcode, ReadOnlySpan<byte> payload)
        {
            destination[0] = (byte)(0x80 | opcode);
            int header;
            if (payload.Length < 126)
            {
                destination[1] = (byte)payload.Length;
                header = 2;
            }
            else if (payload.Length <= ushort.MaxValue)
            {
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payload.Length);
                header = 4;
            }
            else
            {
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payload.Length);
                header = 10;
            }

            payload.CopyTo(destination[header..]);
            return header + payload.Length;
        }

        private static void Broadcast(ReadOnlySpan<byte> payload)
        {
            byte[] frame = new byte[payload.Length + 10];
            int length = WriteFrame(frame, 1, payload);
            foreach (Connection connection in Connections.Keys)
            {
                connection.Send(frame.AsSpan(0, length));
            }
        }

        private void Flush(byte[]? output, int length)
        {
            if (output is not null && length > 0)
            {
                Send(output.AsSpan(0, length));
            }
        }

        private void Send(ReadOnlySpan<byte> bytes)
        {
            // Writers are this connection's receive loop and broadcasters on other loops.
            lock (_sendLock)
            {
                try
                {
                    while (!bytes.IsEmpty)
                    {
                        bytes = bytes[socket.Send(bytes, SocketFlags.None)..];
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
