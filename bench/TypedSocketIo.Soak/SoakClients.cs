using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TypedSocketIo.Soak;

/// <summary>Counters of the load process, shared by all clients.</summary>
internal sealed class LoadStats
{
    public long Connects, ConnectFailures, AcksReceived, AckMismatches, AckTimeouts, EchoesSent, SaysSent, Said, FeedMessages, FeedBytes;
    public long PingsAnswered, UnexpectedFrames, UnexpectedEnds, ChurnedGraceful, ChurnedAborted, SlowOpened, SlowDropped, SlowPingTimeouts, SlowOtherCloses;
    public long NormalClosedByServer;

    private readonly object _lock = new();
    private Bench.LatencyHistogram _interval = new();
    private readonly Bench.LatencyHistogram _total = new();
    private readonly Dictionary<string, int> _ends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _connectErrors = new(StringComparer.Ordinal);

    public void RecordAck(long ticks)
    {
        lock (_lock)
        {
            _interval.Record(ticks);
            _total.Record(ticks);
        }
    }

    /// <summary>The ack latencies since the last call, and starts a new interval.</summary>
    public Bench.LatencyHistogram TakeInterval()
    {
        lock (_lock)
        {
            Bench.LatencyHistogram interval = _interval;
            _interval = new Bench.LatencyHistogram();
            return interval;
        }
    }

    public (double P50Ms, double P99Ms, double P999Ms, double MaxMs, long Count) Total()
    {
        lock (_lock)
        {
            return (_total.Percentile(50) / 1000, _total.Percentile(99) / 1000, _total.Percentile(99.9) / 1000, _total.MaxMicroseconds / 1000, _total.Count);
        }
    }

    public void CountEnd(string end) => Count(_ends, end);

    public void CountConnectError(string error) => Count(_connectErrors, error);

    public Dictionary<string, int> Ends() => Copy(_ends);

    public Dictionary<string, int> ConnectErrors() => Copy(_connectErrors);

    private void Count(Dictionary<string, int> counts, string key)
    {
        lock (_lock)
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }

    private Dictionary<string, int> Copy(Dictionary<string, int> counts)
    {
        lock (_lock)
        {
            return new Dictionary<string, int>(counts, StringComparer.Ordinal);
        }
    }
}

/// <summary>
/// A Socket.IO client speaking the protocol over <see cref="ClientWebSocket"/>: it joins <c>/</c>,
/// answers pings, sends <c>echo</c> events with acks (one outstanding at a time, each ack checked
/// against its id) and <c>say</c> events, and reads everything the server sends.
/// </summary>
internal sealed class NormalClient
{
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private readonly ClientWebSocket _webSocket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly LoadStats _stats;
    private byte[] _buffer = new byte[512];
    private long _nextId;
    private long _pendingId;
    private long _pendingSince; // Stopwatch timestamp; 0: no ack outstanding
    private volatile bool _closing;

    public NormalClient(LoadStats stats, bool feed)
    {
        _stats = stats;
        Feed = feed;
        _webSocket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public bool Feed { get; }

    /// <summary>The Engine.IO session id (from the open packet).</summary>
    public string Sid { get; private set; } = "";

    public Task Loop { get; private set; } = Task.CompletedTask;

    /// <summary>Set when this process closes the client on purpose (churn, the end of the run).</summary>
    public bool Closing => _closing;

    /// <summary>Raised when the connection ends without this process closing it.</summary>
    public Action<NormalClient, string>? Lost { get; set; }

    public async Task OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        await _webSocket.ConnectAsync(uri, Invoker, cancellationToken).ConfigureAwait(false);
        int length = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (length < 2 || _buffer[0] != (byte)'0')
        {
            throw new InvalidOperationException("Expected an open packet.");
        }

        using (JsonDocument open = JsonDocument.Parse(_buffer.AsMemory(1, length - 1)))
        {
            Sid = open.RootElement.GetProperty("sid").GetString() ?? "";
        }

        await _webSocket.SendAsync("40"u8.ToArray(), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            length = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (length >= 3 && _buffer.AsSpan(0, 3).SequenceEqual("40{"u8))
            {
                break;
            }

            if (length == 1 && _buffer[0] == (byte)'2')
            {
                await _webSocket.SendAsync("3"u8.ToArray(), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (length >= 2 && _buffer[0] == (byte)'4' && _buffer[1] == (byte)'2')
            {
                continue; // a broadcast that overtook the CONNECT (the room was joined in the connection handler)
            }

            throw new InvalidOperationException($"Expected the CONNECT packet, got '{Encoding.UTF8.GetString(_buffer, 0, Math.Min(length, 80))}'.");
        }

        Loop = Task.Run(ReadAsync);
    }

    /// <summary>Sends <c>echo</c> with an ack unless an ack is outstanding or a send is under way.</summary>
    public bool TrySendEcho(ReadOnlySpan<byte> data)
    {
        if (_closing || Volatile.Read(ref _pendingSince) != 0 || !_sendLock.Wait(0))
        {
            return false;
        }

        long id = ++_nextId;
        // 42<id>["echo","<data>"]
        byte[] frame = new byte[2 + 20 + 9 + data.Length + 2];
        Span<byte> span = frame;
        "42"u8.CopyTo(span);
        Utf8Formatter.TryFormat(id, span[2..], out int digits);
        int at = 2 + digits;
        "[\"echo\",\""u8.CopyTo(span[at..]);
        at += 9;
        data.CopyTo(span[at..]);
        at += data.Length;
        "\"]"u8.CopyTo(span[at..]);
        at += 2;
        Volatile.Write(ref _pendingId, id);
        Volatile.Write(ref _pendingSince, Stopwatch.GetTimestamp());
        _ = SendLockedAsync(frame.AsMemory(0, at));
        return true;
    }

    /// <summary>Sends <c>say</c> (broadcast to the client's room) unless a send is under way.</summary>
    public bool TrySay(byte[] frame)
    {
        if (_closing || !_sendLock.Wait(0))
        {
            return false;
        }

        _ = SendLockedAsync(frame);
        return true;
    }

    /// <summary>Counts an ack outstanding for longer than <paramref name="limit"/> as timed out (once) and lets the client send again.</summary>
    public bool ExpireAck(TimeSpan limit)
    {
        long since = Volatile.Read(ref _pendingSince);
        if (since != 0 && Stopwatch.GetElapsedTime(since) > limit)
        {
            return Interlocked.CompareExchange(ref _pendingSince, 0, since) == since;
        }

        return false;
    }

    /// <summary>Closes on purpose: the WebSocket closing handshake, or just the TCP connection dropped.</summary>
    public async Task CloseAsync(bool graceful)
    {
        _closing = true;
        try
        {
            if (graceful && _webSocket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                await Loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or IOException)
        {
            // Cut below.
        }
        finally
        {
            _webSocket.Abort();
        }

        await Loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _webSocket.Dispose();
    }

    public void Abort()
    {
        _closing = true;
        _webSocket.Abort();
    }

    private async Task SendLockedAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await _webSocket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The read loop sees the end.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadAsync()
    {
        string end;
        try
        {
            while (true)
            {
                int length = await ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
                if (length < 0)
                {
                    end = $"close frame {(int?)_webSocket.CloseStatus} '{_webSocket.CloseStatusDescription}'";
                    break;
                }

                OnMessage(_buffer.AsSpan(0, length));
                if (length == 1 && _buffer[0] == (byte)'2')
                {
                    await _sendLock.WaitAsync().ConfigureAwait(false);
                    await SendLockedAsync("3"u8.ToArray()).ConfigureAwait(false);
                    Interlocked.Increment(ref _stats.PingsAnswered);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            end = $"{ex.GetType().Name}: {ex.Message}";
        }

        if (!_closing)
        {
            Interlocked.Increment(ref _stats.UnexpectedEnds);
            _stats.CountEnd(end);
            Lost?.Invoke(this, end);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length == 1 && message[0] == (byte)'2')
        {
            return; // answered by the loop
        }

        if (message.StartsWith("43"u8))
        {
            int bracket = message.IndexOf((byte)'[');
            if (bracket > 2 && Utf8Parser.TryParse(message[2..bracket], out long id, out _) && id == Volatile.Read(ref _pendingId))
            {
                long since = Interlocked.Exchange(ref _pendingSince, 0);
                if (since != 0)
                {
                    _stats.RecordAck(Stopwatch.GetTimestamp() - since);
                    Interlocked.Increment(ref _stats.AcksReceived);
                    return;
                }
            }

            Interlocked.Increment(ref _stats.AckMismatches); // a wrong id, or the answer to an ack counted as timed out
            return;
        }

        if (message.StartsWith("42[\"said\""u8))
        {
            Interlocked.Increment(ref _stats.Said);
            return;
        }

        if (message.StartsWith("42[\"feed\""u8))
        {
            Interlocked.Increment(ref _stats.FeedMessages);
            Interlocked.Add(ref _stats.FeedBytes, message.Length);
            return;
        }

        Interlocked.Increment(ref _stats.UnexpectedFrames);
    }

    /// <summary>One whole message into the buffer (grown as needed); -1 for a close frame.</summary>
    private async ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return -1;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return length;
            }
        }
    }
}

/// <summary>
/// A slow reader: a raw TCP socket with a tiny receive buffer that does the WebSocket and Socket.IO
/// handshakes by hand, joins the feed room, and then never reads again. The server must bound what
/// it queues for it and drop it (<c>transport error</c>, <c>send buffer full</c>).
/// </summary>
internal sealed class SlowReader : IDisposable
{
    private readonly Socket _socket;
    private byte[] _pending = new byte[8192];
    private int _start, _end;

    private SlowReader(Socket socket) => _socket = socket;

    public string Sid { get; private set; } = "";

    public long OpenedAt { get; private set; }

    public static async Task<SlowReader> OpenAsync(int port, string pathAndQuery, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveBufferSize = 4096, // before connecting, so that the advertised window stays small
            NoDelay = true,
        };
        var reader = new SlowReader(socket);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            string head = await reader.ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Expected 101, got '{head.Split('\r')[0]}'.");
            }

            string open = await reader.ReadTextFrameAsync(cancellationToken).ConfigureAwait(false);
            if (!open.StartsWith('0'))
            {
                throw new InvalidOperationException($"Expected an open packet, got '{open}'.");
            }

            using (JsonDocument document = JsonDocument.Parse(open.AsMemory(1)))
            {
                reader.Sid = document.RootElement.GetProperty("sid").GetString() ?? "";
            }

            await reader.SendTextFrameAsync("40", cancellationToken).ConfigureAwait(false);
            while (true)
            {
                string packet = await reader.ReadTextFrameAsync(cancellationToken).ConfigureAwait(false);
                if (packet.StartsWith("40{", StringComparison.Ordinal))
                {
                    break;
                }
            }

            reader.OpenedAt = Stopwatch.GetTimestamp();
            return reader; // and it reads no more
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int at = _pending.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (at >= 0)
            {
                string head = Encoding.ASCII.GetString(_pending, _start, at);
                _start += at + 4;
                return head;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one unmasked, unfragmented text frame from the server.</summary>
    private async Task<string> ReadTextFrameAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(2, cancellationToken).ConfigureAwait(false);
        int opcode = _pending[_start] & 0x0F;
        long length = _pending[_start + 1] & 0x7F;
        int header = 2;
        if (length == 126)
        {
            await EnsureAsync(4, cancellationToken).ConfigureAwait(false);
            length = (_pending[_start + 2] << 8) | _pending[_start + 3];
            header = 4;
        }
        else if (length == 127)
        {
            await EnsureAsync(10, cancellationToken).ConfigureAwait(false);
            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_pending.AsSpan(_start + 2, 8));
            header = 10;
        }

        if (length > 1_000_000)
        {
            throw new InvalidOperationException($"Frame of {length} bytes during the handshake.");
        }

        await EnsureAsync(header + (int)length, cancellationToken).ConfigureAwait(false);
        string text = Encoding.UTF8.GetString(_pending, _start + header, (int)length);
        _start += header + (int)length;
        if (opcode == 0x8)
        {
            throw new InvalidOperationException("The server closed the WebSocket during the handshake.");
        }

        return text;
    }

    private async Task SendTextFrameAsync(string text, CancellationToken cancellationToken)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text); // short: < 126 bytes
        byte[] frame = new byte[6 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        RandomNumberGenerator.Fill(frame.AsSpan(2, 4));
        for (int i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ frame[2 + (i % 4)]);
        }

        await _socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_pending, _start, _pending, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _pending.Length)
        {
            Array.Resize(ref _pending, _pending.Length * 2);
        }

        int read = await _socket.ReceiveAsync(_pending.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new InvalidOperationException("The server closed the connection during the handshake.");
        }

        _end += read;
    }

    public void Dispose()
    {
        try
        {
            _socket.Close(0); // RST: drop whatever the kernel holds
        }
        catch (SocketException)
        {
            // Gone already.
        }

        _socket.Dispose();
    }
}
