using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace TypedSocketIo.ClusterBench;

/// <summary>
/// A Socket.IO client over a bare WebSocket (EIO=4): answers pings, sends "go" events, and counts the
/// "b" events it receives, each carrying the Stopwatch timestamp its sender put in it.
/// </summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly List<double> _latenciesMs = new();
    private Task? _reader;
    private long _received;

    public long Received => Interlocked.Read(ref _received);

    public bool RecordLatency { get; set; }

    public static async Task<RawClient> ConnectAsync(string baseUrl)
    {
        var client = new RawClient();
        await client._socket.ConnectAsync(new Uri(baseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket"), CancellationToken.None);
        await client.SendAsync("40");
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client._reader = client.ReadAsync(connected);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    public Task GoAsync() => SendAsync("42[\"go\",\"" + Stopwatch.GetTimestamp() + "\"]");

    public double[] TakeLatencies()
    {
        lock (_latenciesMs)
        {
            double[] all = _latenciesMs.ToArray();
            _latenciesMs.Clear();
            return all;
        }
    }

    private async Task SendAsync(string text)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task ReadAsync(TaskCompletionSource connected)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                OnFrame(buffer.AsSpan(0, length), connected);
            }
        }
        catch (WebSocketException)
        {
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame, TaskCompletionSource connected)
    {
        if (frame.Length == 1 && frame[0] == (byte)'2')
        {
            _ = SendAsync("3");
        }
        else if (frame.StartsWith("40"u8))
        {
            connected.TrySetResult();
        }
        else if (frame.StartsWith("42[\"b\",\""u8))
        {
            long now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _received);
            if (RecordLatency)
            {
                ReadOnlySpan<byte> rest = frame[8..];
                int end = rest.IndexOf((byte)'"');
                if (end > 0 && long.TryParse(rest[..end], out long sent))
                {
                    lock (_latenciesMs)
                    {
                        _latenciesMs.Add((now - sent) * 1000.0 / Stopwatch.Frequency);
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        _socket.Dispose();
    }
}
