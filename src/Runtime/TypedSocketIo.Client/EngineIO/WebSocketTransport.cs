using System.Net.WebSockets;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>WebSocket: one Engine.IO packet per message, text or binary.</summary>
internal sealed class WebSocketTransport(EngineClientOptions options) : EngineTransport
{
    private readonly ClientWebSocket _socket = new();
    // Not pooled: a receive may still be pending on the buffer while the transport is disposed.
    private readonly System.Buffers.ArrayBufferWriter<byte> _send = new(256);
    private readonly System.Buffers.ArrayBufferWriter<byte> _receive = new(4096);

    public override string Name => "websocket";

    public override bool SendsFrames => true;

    public override async Task<IReadOnlyList<EnginePacket>> OpenAsync(string? sid, CancellationToken cancellationToken)
    {
        foreach (KeyValuePair<string, string> header in options.ExtraHeaders)
        {
            _socket.Options.SetRequestHeader(header.Key, header.Value);
        }

        _socket.Options.KeepAliveInterval = TimeSpan.Zero; // Engine.IO has its own heartbeat
        if (options.ConfigureWebSocket is { } configure)
        {
            configure(_socket.Options);
        }

        try
        {
            await _socket.ConnectAsync(BuildUri(options, "websocket", sid, webSocket: true), cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException ex)
        {
            throw new EngineConnectException($"The WebSocket connection failed: {ex.Message}", statusCode: null, body: null, ex);
        }

        if (sid is not null)
        {
            return [];
        }

        var first = new List<EnginePacket>(1);
        if (!await ReceiveAsync(first, cancellationToken).ConfigureAwait(false) || first is not [{ Type: EnginePacketType.Open }])
        {
            throw new EngineConnectException("The server did not open the WebSocket session with an open packet.");
        }

        return first;
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(IReadOnlyList<EnginePacket> packets, CancellationToken cancellationToken)
    {
        for (int i = 0; i < packets.Count; i++)
        {
            EnginePacket packet = packets[i];
            _send.ResetWrittenCount();
            bool binary = EngineIOCodec.WriteWebSocketFrame(_send, packet);
            await _socket.SendAsync(_send.WrittenMemory, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<bool> ReceiveAsync(List<EnginePacket> packets, CancellationToken cancellationToken)
    {
        _receive.ResetWrittenCount();
        while (true)
        {
            ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(_receive.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            _receive.Advance(result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            packets.Add(result.MessageType == WebSocketMessageType.Binary
                ? EnginePacket.BinaryMessage(_receive.WrittenSpan.ToArray())
                : EngineIOCodec.DecodeTextPacket(_receive.WrittenSpan));
            return true;
        }
    }

    /// <summary>
    /// A connection that ended without a close frame (the server process died, the connection was
    /// cut): the reference's WebSocket reports a close, not an error.
    /// </summary>
    public override bool EndedByServer(Exception error) =>
        error is WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely };

    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closing a broken connection: nothing more to do
        }

        _socket.Dispose();
    }
}
