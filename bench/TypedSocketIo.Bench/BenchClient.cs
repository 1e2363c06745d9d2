using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace TypedSocketIo.Bench;

/// <summary>
/// One WebSocket client, the same code against every server: it connects, waits for the first
/// frame (Engine.IO's open packet, or the raw endpoint's hello), then does sequential round trips
/// of one text frame <c>4&lt;data&gt;</c>. It answers Engine.IO pings (<c>2</c> → <c>3</c>) and checks every
/// echo against what it sent.
/// In Socket.IO mode it also joins the namespace <c>/</c> (<c>40</c> → <c>40{"sid":…}</c>), and each round
/// trip is the event <c>42&lt;id&gt;["echo","&lt;data&gt;"]</c> answered by the ack <c>43&lt;id&gt;["&lt;data&gt;"]</c>,
/// the ack id counting up; the whole ack frame is checked, so a wrong id or data counts as a mismatch.
/// </summary>
internal sealed class BenchClient : IDisposable
{
    private static readonly byte[] Pong = "3"u8.ToArray();
    private static readonly byte[] SocketIoConnect = "40"u8.ToArray();
    private static readonly byte[] EventPrefix = "42"u8.ToArray();
    private static readonly byte[] EventName = "[\"echo\",\""u8.ToArray();
    private static readonly byte[] AckPrefix = "43"u8.ToArray();
    private static readonly byte[] AckOpen = "[\""u8.ToArray();
    private static readonly byte[] ArrayClose = "\"]"u8.ToArray();

    /// <summary>One handler for all clients, no proxy (loopback only).</summary>
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private readonly ClientWebSocket _webSocket = new();
    private readonly bool _socketIo;
    private readonly int _messageSize;
    private readonly byte[] _data; // the data of the next message: the sequence number, then 'x'
    private readonly byte[] _message; // the frame sent
    private int _messageLength;
    private readonly byte[] _expected; // the frame expected back
    private int _expectedLength;
    private byte[] _receive = new byte[256]; // grows for larger messages
    private LatencyHistogram? _histogram;
    private readonly int _digits;
    private readonly long _modulo;
    private long _sequence;
    private volatile bool _isParked;

    /// <param name="messageSize">Bytes of data per message.</param>
    /// <param name="socketIo">Speak Socket.IO (event with ack) instead of a bare Engine.IO message.</param>
    public BenchClient(int messageSize, bool socketIo = false)
    {
        _webSocket.Options.KeepAliveInterval = TimeSpan.Zero;
        _socketIo = socketIo;
        _messageSize = messageSize;
        _data = new byte[messageSize];
        _data.AsSpan().Fill((byte)'x');
        if (socketIo)
        {
            // 42<id>["echo","<data>"] and 43<id>["<data>"]; an id has at most 20 digits.
            _message = new byte[EventPrefix.Length + 20 + EventName.Length + messageSize + ArrayClose.Length];
            _expected = new byte[AckPrefix.Length + 20 + AckOpen.Length + messageSize + ArrayClose.Length];
        }
        else
        {
            _message = new byte[1 + messageSize];
            _message[0] = (byte)'4';
            _expected = _message;
        }

        _digits = Math.Min(messageSize, 18);
        _modulo = 1;
        for (int i = 0; i < _digits; i++)
        {
            _modulo *= 10;
        }
    }

    /// <summary>The round trips of the measurement (80 KB, so made only by clients that run round trips).</summary>
    public LatencyHistogram Histogram => _histogram ??= new LatencyHistogram();

    /// <summary>Stopwatch timestamp of the last completed round trip (for the stall watchdog).</summary>
    public long LastProgress;

    public long Mismatches { get; private set; }

    public long UnexpectedFrames { get; private set; }

    public long PingsAnswered { get; private set; }

    public string? Failure { get; private set; }

    /// <summary>The first frame the server sent.</summary>
    public string? Greeting { get; private set; }

    public WebSocketState State => _webSocket.State;

    /// <summary>Whether the client waits for its phase to resume.</summary>
    public bool IsParked => _isParked;

    /// <summary>
    /// Connects and waits for the server's first frame (kept in <see cref="Greeting"/> on request only, so idle clients of both kinds hold the same).
    /// In Socket.IO mode it then connects to the namespace <c>/</c> and waits for the server's CONNECT (kept too).
    /// </summary>
    public async Task ConnectAsync(Uri uri, CancellationToken cancellationToken, bool keepGreeting = false)
    {
        await _webSocket.ConnectAsync(uri, Invoker, cancellationToken).ConfigureAwait(false);
        int length = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
        if (length == 0 || _receive[0] != (byte)'0')
        {
            throw new InvalidOperationException($"Expected an open packet, got '{System.Text.Encoding.UTF8.GetString(_receive, 0, length)}'.");
        }

        if (keepGreeting)
        {
            Greeting = System.Text.Encoding.UTF8.GetString(_receive, 0, length);
        }

        if (_socketIo)
        {
            await _webSocket.SendAsync(SocketIoConnect, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                length = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
                if (length == 1 && _receive[0] == (byte)'2')
                {
                    await _webSocket.SendAsync(Pong, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                    PingsAnswered++;
                    continue;
                }

                break;
            }

            if (length < 3 || !_receive.AsSpan(0, 3).SequenceEqual("40{"u8))
            {
                throw new InvalidOperationException($"Expected the Socket.IO CONNECT packet 40{{\"sid\":…}}, got '{System.Text.Encoding.UTF8.GetString(_receive, 0, length)}'.");
            }

            if (keepGreeting)
            {
                Greeting += " then " + System.Text.Encoding.UTF8.GetString(_receive, 0, length);
            }
        }

        LastProgress = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Round trips until <paramref name="phase"/> says stop, parked while it says pause; records
    /// those that start and end inside one measurement slice.
    /// </summary>
    public async Task RunAsync(Phase phase, CancellationToken cancellationToken)
    {
        LatencyHistogram histogram = Histogram;
        try
        {
            while (true)
            {
                int current = phase.Current;
                int state = Phase.StateOf(current);
                if (state == Phase.Stop)
                {
                    break;
                }

                if (state == Phase.Paused)
                {
                    _isParked = true;
                    try
                    {
                        await phase.ParkAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        _isParked = false;
                    }

                    continue;
                }

                WriteMessage(++_sequence);
                long start = Stopwatch.GetTimestamp();
                await _webSocket.SendAsync(_message.AsMemory(0, _messageLength), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                int length;
                while (true)
                {
                    length = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
                    if (length == 1 && _receive[0] == (byte)'2')
                    {
                        await _webSocket.SendAsync(Pong, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                        PingsAnswered++;
                        continue;
                    }

                    if (length > 0 && _receive[0] == (byte)'4')
                    {
                        break;
                    }

                    UnexpectedFrames++;
                }

                long end = Stopwatch.GetTimestamp();
                Volatile.Write(ref LastProgress, end);
                if (!_receive.AsSpan(0, length).SequenceEqual(_expected.AsSpan(0, _expectedLength)))
                {
                    Mismatches++;
                }

                if (state == Phase.Measure && phase.Current == current)
                {
                    histogram.Record(end - start);
                }
            }
        }
        catch (Exception ex)
        {
            Failure = $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>Closes the WebSocket handshake-style, bounded; aborts when the server does not answer.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            if (_webSocket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(timeout);
                await _webSocket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            Failure ??= $"close: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _webSocket.Abort();
        }
    }

    public void Abort() => _webSocket.Abort();

    public void Dispose() => _webSocket.Dispose();

    // Pooled, so that the client's own awaits do not allocate and the allocations per round trip
    // are (nearly all) the server's.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == _receive.Length)
            {
                Array.Resize(ref _receive, _receive.Length * 2);
            }

            ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(_receive.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"The server closed the WebSocket ({_webSocket.CloseStatus} '{_webSocket.CloseStatusDescription}').");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return length;
            }
        }
    }

    /// <summary>
    /// Writes the next frame and the one expected back. The data starts with the sequence number, so
    /// a lost or reordered echo is noticed; in Socket.IO mode the sequence number is also the ack id.
    /// </summary>
    private void WriteMessage(long sequence)
    {
        if (_digits > 0)
        {
            Utf8Formatter.TryFormat(sequence % _modulo, _data.AsSpan(0, _digits), out _, new System.Buffers.StandardFormat('D', (byte)_digits));
        }

        if (!_socketIo)
        {
            _data.CopyTo(_message.AsSpan(1));
            _messageLength = _message.Length;
            _expectedLength = _message.Length;
            return;
        }

        _messageLength = Frame(_message, EventPrefix, sequence, EventName);
        _expectedLength = Frame(_expected, AckPrefix, sequence, AckOpen);

        int Frame(byte[] frame, byte[] prefix, long id, byte[] open)
        {
            Span<byte> span = frame;
            prefix.CopyTo(span);
            int at = prefix.Length;
            Utf8Formatter.TryFormat(id, span[at..], out int written);
            at += written;
            open.CopyTo(span[at..]);
            at += open.Length;
            _data.CopyTo(span[at..]);
            at += _messageSize;
            ArrayClose.CopyTo(span[at..]);
            return at + ArrayClose.Length;
        }
    }
}

/// <summary>
/// What the clients of one server do now (run a warm-up, run a measurement slice, wait, stop), with
/// an epoch that changes at every switch so a round trip can tell whether it stayed in one slice.
/// </summary>
internal sealed class Phase
{
    public const int Paused = 0, Warmup = 1, Measure = 2, Stop = 3;

    private readonly object _lock = new();
    private volatile int _current; // epoch << 2 | state
    private TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _parked;

    /// <summary>The state and epoch, one value; compare two readings to see whether anything changed.</summary>
    public int Current => _current;

    /// <summary>Clients waiting in <see cref="ParkAsync"/>.</summary>
    public int Parked => Volatile.Read(ref _parked);

    public static int StateOf(int current) => current & 3;

    public void Set(int state)
    {
        lock (_lock)
        {
            _current = (((_current >> 2) + 1) << 2) | state;
            if (state == Paused)
            {
                if (_resume.Task.IsCompleted)
                {
                    _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            else
            {
                _resume.TrySetResult();
            }
        }
    }

    /// <summary>Waits while paused.</summary>
    public async Task ParkAsync(CancellationToken cancellationToken)
    {
        Task resume;
        lock (_lock)
        {
            if (StateOf(_current) != Paused)
            {
                return;
            }

            resume = _resume.Task;
            Interlocked.Increment(ref _parked);
        }

        try
        {
            await resume.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _parked);
        }
    }
}
