using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using TcpSocket = System.Net.Sockets.Socket;

namespace TypedSocketIo.Server.Tests;

/// <summary>A server frame as read off the wire.</summary>
internal sealed record ServerFrame(bool Fin, int Rsv, int Opcode, bool Masked, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The close code of a close frame, or null when it carries none.</summary>
    public int? CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;
}

/// <summary>
/// A WebSocket client over a bare TCP socket: it sends whatever bytes a test builds (malformed
/// frames included) and reads the server's frames as they are on the wire.
/// </summary>
internal sealed class RawFrameClient : IAsyncDisposable
{
    public const int Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    private readonly TcpSocket _socket;
    private readonly NetworkStream _stream;
    private readonly Random _random;
    private byte[] _pending = [];

    private RawFrameClient(TcpSocket socket, int seed)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _random = new Random(seed);
    }

    /// <summary>The response to the opening handshake: status line and headers.</summary>
    public string HandshakeResponse { get; private set; } = "";

    /// <summary>Connects, sends the opening handshake to <paramref name="url"/> and reads the response head.</summary>
    public static async Task<RawFrameClient> ConnectAsync(Uri url, string key = "dGhlIHNhbXBsZSBub25jZQ==", int seed = 1, string? extraHeaders = null)
    {
        var socket = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(url.Host, url.Port);
        var client = new RawFrameClient(socket, seed);
        string request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                         $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await client._stream.ReadAsync(one, cts.Token) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        client.HandshakeResponse = head.ToString();
        return client;
    }

    /// <summary>A client frame: masked unless told otherwise, with a random key.</summary>
    public byte[] Frame(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        byte maskBit = mask ? (byte)0x80 : (byte)0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        if (!mask)
        {
            frame.AddRange(payload);
            return [.. frame];
        }

        var key = new byte[4];
        _random.NextBytes(key);
        frame.AddRange(key);
        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ key[i & 3]));
        }

        return [.. frame];
    }

    public byte[] TextFrame(string text, bool fin = true) => Frame(Text, Encoding.UTF8.GetBytes(text), fin);

    public byte[] CloseFrame(int code, string reason = "")
    {
        byte[] payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return Frame(Close, payload);
    }

    /// <summary>Sends bytes as they are, in one write.</summary>
    public Task SendAsync(params byte[][] parts) => _stream.WriteAsync(parts.SelectMany(p => p).ToArray()).AsTask();

    /// <summary>Sends bytes in writes of random sizes (1 to <paramref name="maxChunk"/> bytes).</summary>
    public async Task SendSplitAsync(byte[] bytes, int maxChunk)
    {
        for (int offset = 0; offset < bytes.Length;)
        {
            int size = Math.Min(bytes.Length - offset, _random.Next(1, maxChunk + 1));
            await _stream.WriteAsync(bytes.AsMemory(offset, size));
            offset += size;
        }
    }

    /// <summary>Half-closes: the server reads the end of the stream.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>The next server frame; null when the server closed the connection.</summary>
    public async Task<ServerFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        if (!await FillAsync(2, cts.Token))
        {
            return null;
        }

        int length7 = _pending[1] & 0x7F;
        bool masked = (_pending[1] & 0x80) != 0;
        int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!await FillAsync(header, cts.Token))
        {
            return null;
        }

        long length = length7 == 126 ? BinaryPrimitives.ReadUInt16BigEndian(_pending.AsSpan(2))
            : length7 == 127 ? (long)BinaryPrimitives.ReadUInt64BigEndian(_pending.AsSpan(2)) : length7;
        if (!await FillAsync(header + (int)length, cts.Token))
        {
            return null;
        }

        var frame = new ServerFrame((_pending[0] & 0x80) != 0, (_pending[0] >> 4) & 7, _pending[0] & 0x0F, masked, _pending.AsSpan(header, (int)length).ToArray());
        _pending = _pending[(header + (int)length)..];
        return frame;
    }

    /// <summary>Reads frames until a close frame (returned) or the end of the connection (null).</summary>
    public async Task<ServerFrame?> ReadUntilCloseAsync(TimeSpan? timeout = null)
    {
        while (await ReadFrameAsync(timeout) is { } frame)
        {
            if (frame.Opcode == Close)
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>Whether the server ends the connection within <paramref name="timeout"/>: reads (and drops) until the end of the stream.</summary>
    public async Task<bool> ServerClosesAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // reset: closed as well
        }
    }

    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (_pending.Length < count)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            _pending = [.. _pending, .. buffer.AsSpan(0, read)];
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
