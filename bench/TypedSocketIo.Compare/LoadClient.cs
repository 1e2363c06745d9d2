using System.Net.WebSockets;

namespace TypedSocketIo.Compare;

/// <summary>
/// One connection of the load generator, the same code for every peer: it connects, completes the
/// peer's handshake (Engine.IO open and Socket.IO CONNECT; SignalR's protocol handshake), then does
/// acknowledged echoes (text or binary) one at a time or several in flight, or counts broadcast deliveries. Socket.IO pings are answered.
/// </summary>
internal sealed class LoadClient : IDisposable
{
    private static readonly byte[] Pong = "3"u8.ToArray();
    private static readonly byte[] SocketIoConnect = "40"u8.ToArray();
    private static readonly byte[] SignalRHandshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();

    /// <summary>One handler for all clients, no proxy (loopback only).</summary>
    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(10) });

    private readonly ClientWebSocket _ws = new();
    private readonly WireKind _kind;
    private byte[] _receive = new byte[512];
    private WebSocketMessageType _received;
    private byte[]? _send;

    public LoadClient(WireKind kind)
    {
        _kind = kind;
        _ws.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    /// <summary>Broadcast deliveries seen by <see cref="ListenAsync"/>.</summary>
    public long Deliveries;

    /// <summary>Connects to <paramref name="port"/> and completes the handshake.</summary>
    public async Task ConnectAsync(int port, CancellationToken cancellationToken)
    {
        await _ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{Wire.Path(_kind)}"), Invoker, cancellationToken).ConfigureAwait(false);
        switch (_kind)
        {
            case WireKind.SocketIo:
                Expect(await ReceiveAsync(cancellationToken).ConfigureAwait(false), "0{"u8, "Engine.IO open");
                await _ws.SendAsync(SocketIoConnect, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                Expect(await ReceiveReplyAsync(cancellationToken).ConfigureAwait(false), "40{"u8, "Socket.IO CONNECT");
                break;
            case WireKind.SignalR:
                await _ws.SendAsync(SignalRHandshake, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                Expect(await ReceiveReplyAsync(cancellationToken).ConfigureAwait(false), "{}"u8, "SignalR handshake");
                break;
        }
    }

    /// <summary>Acknowledged echoes one at a time until <paramref name="stop"/>; returns how many completed while <paramref name="counting"/> said so.</summary>
    public async Task<long> EchoAsync(string data, Func<bool> counting, CancellationToken stop)
    {
        long done = 0;
        for (long id = 1; !stop.IsCancellationRequested; id++)
        {
            byte[] request = Wire.Echo(_kind, id, data);
            byte[] answer = Wire.EchoAnswer(_kind, id, data);
            await _ws.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            int length = await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false);
            if (_receive.AsSpan(0, length).IndexOf(answer) < 0)
            {
                throw new InvalidOperationException($"Unexpected echo answer '{System.Text.Encoding.UTF8.GetString(_receive, 0, length)}'.");
            }

            if (counting())
            {
                done++;
            }
        }

        return done;
    }

    /// <summary>
    /// Acknowledged echoes with <paramref name="depth"/> in flight: that many requests go out, then
    /// one more for every answer (each checked against its request, in order; SignalR's, several to a frame, for the data only) until
    /// <paramref name="stop"/>, when the ones in flight are drained. Returns how many answers came
    /// while <paramref name="counting"/> said so.
    /// </summary>
    public async Task<long> EchoPipelinedAsync(string data, int depth, Func<bool> counting, CancellationToken stop)
    {
        long done = 0;
        long next = 1;
        for (; next <= depth; next++)
        {
            await _ws.SendAsync(Wire.Echo(_kind, next, data), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
        }

        long answered = 0;
        while (answered < next - 1)
        {
            int length = await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false);
            ReadOnlySpan<byte> frame = _receive.AsSpan(0, length);
            int answers = 1;
            if (_kind == WireKind.SignalR)
            {
                // SignalR puts several completions in one frame and may complete a client's
                // invocations out of order: each record is checked for the data only.
                answers = frame.Count(Wire.SignalRResult(data));
            }
            else if (frame.IndexOf(Wire.EchoAnswer(_kind, answered + 1, data)) < 0)
            {
                answers = 0;
            }

            if (answers == 0)
            {
                throw new InvalidOperationException($"Unexpected answer to echo {answered + 1}: '{System.Text.Encoding.UTF8.GetString(_receive, 0, length)}'.");
            }

            answered += answers;
            if (counting())
            {
                done += answers;
            }

            for (int i = 0; i < answers && !stop.IsCancellationRequested; i++)
            {
                await _ws.SendAsync(Wire.Echo(_kind, next++, data), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
        }

        return done;
    }

    /// <summary>
    /// Acknowledged echoes of <paramref name="payload"/> as binary, one at a time, until
    /// <paramref name="stop"/>: Socket.IO sends a BINARY_EVENT header and the payload as its
    /// attachment and expects a BINARY_ACK and the same attachment back; SignalR sends the payload
    /// base64 in its JSON invocation (<paramref name="base64"/>) and expects it as the completion's
    /// result; the raw peer gets a binary message to echo. Returns how many completed while
    /// <paramref name="counting"/> said so.
    /// </summary>
    public async Task<long> EchoBinaryAsync(byte[] payload, byte[] base64, Func<bool> counting, CancellationToken stop)
    {
        long done = 0;
        for (long id = 1; !stop.IsCancellationRequested; id++)
        {
            switch (_kind)
            {
                case WireKind.SocketIo:
                    await _ws.SendAsync(Wire.BinaryEcho(_kind, id), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    await _ws.SendAsync(payload, WebSocketMessageType.Binary, true, CancellationToken.None).ConfigureAwait(false);
                    int header = await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false);
                    if (_received != WebSocketMessageType.Text || !_receive.AsSpan(0, header).SequenceEqual(Wire.BinaryEchoAnswer(_kind, id)))
                    {
                        throw new InvalidOperationException($"Unexpected binary ack header '{System.Text.Encoding.UTF8.GetString(_receive, 0, Math.Min(header, 200))}'.");
                    }

                    ExpectBinary(await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false), payload);
                    break;
                case WireKind.SignalR:
                {
                    byte[] head = Wire.BinaryEcho(_kind, id);
                    int length = head.Length + base64.Length + Wire.SignalRBinaryTail.Length;
                    if (_send is null || _send.Length < length)
                    {
                        _send = new byte[length];
                    }

                    head.CopyTo(_send, 0);
                    base64.CopyTo(_send, head.Length);
                    Wire.SignalRBinaryTail.CopyTo(_send.AsSpan(head.Length + base64.Length));
                    await _ws.SendAsync(_send.AsMemory(0, length), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                    int answer = await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false);
                    ReadOnlySpan<byte> frame = _receive.AsSpan(0, answer);
                    if (frame.IndexOf(Wire.BinaryEchoAnswer(_kind, id)) < 0 || frame.IndexOf(base64) < 0)
                    {
                        throw new InvalidOperationException($"Unexpected binary completion '{System.Text.Encoding.UTF8.GetString(_receive, 0, Math.Min(answer, 200))}'.");
                    }

                    break;
                }

                default:
                    await _ws.SendAsync(payload, WebSocketMessageType.Binary, true, CancellationToken.None).ConfigureAwait(false);
                    ExpectBinary(await ReceiveReplyAsync(CancellationToken.None).ConfigureAwait(false), payload);
                    break;
            }

            if (counting())
            {
                done++;
            }
        }

        return done;
    }

    /// <summary>Asks the peer to broadcast <paramref name="data"/>.</summary>
    public Task SendBroadcastAsync(string data) =>
        _ws.SendAsync(Wire.Broadcast(_kind, data), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Receives until the connection ends or <paramref name="stop"/>: counts broadcast deliveries, answers pings.</summary>
    public async Task ListenAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                int length = await ReceiveReplyAsync(stop).ConfigureAwait(false);
                int count = Wire.Deliveries(_kind, _receive.AsSpan(0, length));
                if (count > 0)
                {
                    Interlocked.Add(ref Deliveries, count);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            // Disposed while listening (the connection closed on purpose).
        }
    }

    /// <summary>The next frame that is not a keep-alive (a Socket.IO ping is answered).</summary>
    private async Task<int> ReceiveReplyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int length = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (!Wire.IsKeepAlive(_kind, _receive.AsSpan(0, length)))
            {
                return length;
            }

            if (_kind == WireKind.SocketIo)
            {
                await _ws.SendAsync(Pong, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            if (length == _receive.Length)
            {
                Array.Resize(ref _receive, _receive.Length * 2);
            }

            ValueWebSocketReceiveResult result = await _ws.ReceiveAsync(_receive.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("The peer closed the connection.");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                _received = result.MessageType;
                return length;
            }
        }
    }

    private void Expect(int length, ReadOnlySpan<byte> prefix, string what)
    {
        if (!_receive.AsSpan(0, length).StartsWith(prefix))
        {
            throw new InvalidOperationException($"Expected the {what}, got '{System.Text.Encoding.UTF8.GetString(_receive, 0, length)}'.");
        }
    }

    private void ExpectBinary(int length, byte[] payload)
    {
        if (_received != WebSocketMessageType.Binary || !_receive.AsSpan(0, length).SequenceEqual(payload))
        {
            throw new InvalidOperationException($"Expected the {payload.Length}-byte payload back as a binary message, got a {_received} message of {length} bytes.");
        }
    }

    /// <summary>Closes without the closing handshake (the generator must not wait on thousands of them).</summary>
    public void Dispose()
    {
        _ws.Abort();
        _ws.Dispose();
    }
}
