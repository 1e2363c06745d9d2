using System.Net.WebSockets;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>What <see cref="WebSocketConnection.ReceiveAsync"/> received.</summary>
internal enum WebSocketReceiveKind
{
    /// <summary>A whole text or binary message.</summary>
    Message,
    /// <summary>The client's close frame.</summary>
    Close,
    /// <summary>The client broke the protocol or a limit: close with the given status.</summary>
    Failed,
    /// <summary>The connection ended without a close frame.</summary>
    EndOfStream,
}

/// <summary>One receive; <see cref="Payload"/> is valid until <see cref="WebSocketConnection.ReleaseReceived"/> or the next receive.</summary>
internal readonly record struct WebSocketReceived(
    WebSocketReceiveKind Kind,
    bool Binary = false,
    ReadOnlyMemory<byte> Payload = default,
    WebSocketCloseStatus Status = WebSocketCloseStatus.Empty,
    string? Error = null);

/// <summary>
/// The WebSocket under a <see cref="WebSocketTransport"/>: ASP.NET Core's
/// (<see cref="AspNetCoreWebSocketConnection"/>) or the server's own framing over the upgraded
/// HTTP/1.1 connection (<see cref="Framing.FramedWebSocketConnection"/>). Receives run on one
/// loop; sends on one writer at a time; a close or a pong may be written from the receive loop.
/// </summary>
internal abstract class WebSocketConnection
{
    /// <summary>Waits for the next whole message (answering pings on the way), the close frame, a failure or the end.</summary>
    public abstract ValueTask<WebSocketReceived> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when <see cref="ReceiveAsync"/> has something to read, so that an idle connection
    /// waits in one read rather than in a chain of awaits; the result means nothing. By default at
    /// once (<see cref="ReceiveAsync"/> does the waiting).
    /// </summary>
    public virtual ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken) => default;

    /// <summary>Gives back the buffer of the last message received.</summary>
    public abstract void ReleaseReceived();

    /// <summary>Sends <paramref name="packets"/>, one message each, and returns the bytes of their payloads.</summary>
    public abstract ValueTask<long> SendAsync(List<OutgoingPacket> packets, CancellationToken cancellationToken);

    /// <summary>The receive loop is over: gives back its buffers.</summary>
    public abstract void ReceiveEnded();

    /// <summary>Gives back the send buffers (the writer is idle).</summary>
    public abstract void ReleaseSendBuffers();

    /// <summary>Sends a close frame with <paramref name="status"/>, unless one was sent already or the socket is done.</summary>
    public abstract ValueTask CloseOutputAsync(WebSocketCloseStatus status, CancellationToken cancellationToken);

    /// <summary>Answers the client's close frame (<paramref name="received"/> its code).</summary>
    public abstract ValueTask AnswerCloseAsync(WebSocketCloseStatus received, CancellationToken cancellationToken);

    /// <summary>After a close frame of ours: reads and drops what comes until the client's close frame or the end.</summary>
    public abstract ValueTask DrainAsync(CancellationToken cancellationToken);

    /// <summary>Stops the socket at once (reads and writes under way fail).</summary>
    public abstract void Abort();
}

/// <summary>ASP.NET Core's <see cref="WebSocket"/> (HTTP/2 WebSockets, hosts without the upgrade feature, permessage-deflate).</summary>
internal sealed class AspNetCoreWebSocketConnection : WebSocketConnection
{
    private const int ReceiveChunk = 4096;

    private readonly WebSocket _webSocket;
    private readonly EngineIOProtocol _protocol;
    private readonly long _maxMessageSize;
    private readonly int _compressionThreshold;

    // One writer for the life of the connection; its buffer is rented only while sends run.
    private readonly TypedSocketIo.Buffers.PooledBufferWriter _writer = new(256);
    private byte[]? _received;

    public AspNetCoreWebSocketConnection(WebSocket webSocket, EngineIOProtocol protocol, long maxMessageSize, int? compressionThreshold)
    {
        _webSocket = webSocket;
        _protocol = protocol;
        _maxMessageSize = maxMessageSize;
        _compressionThreshold = compressionThreshold ?? int.MaxValue;
    }

    public override async ValueTask<WebSocketReceived> ReceiveAsync(CancellationToken cancellationToken)
    {
        ReleaseReceived();

        // Wait for data without holding a buffer: idle connections keep nothing rented.
        ValueWebSocketReceiveResult peek = await _webSocket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (peek.MessageType == WebSocketMessageType.Close)
        {
            return new WebSocketReceived(WebSocketReceiveKind.Close, Status: _webSocket.CloseStatus ?? WebSocketCloseStatus.Empty);
        }

        int length = 0;
        WebSocketMessageType type = peek.MessageType;
        bool end = peek.EndOfMessage;
        byte[] buffer = _received = TypedSocketIo.Buffers.ReceiveBuffers.Rent(ReceiveChunk);
        while (!end)
        {
            if (length == buffer.Length)
            {
                buffer = _received = TypedSocketIo.Buffers.ReceiveBuffers.Grow(buffer, length, _maxMessageSize);
            }

            ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new WebSocketReceived(WebSocketReceiveKind.Close, Status: _webSocket.CloseStatus ?? WebSocketCloseStatus.Empty);
            }

            length += result.Count;
            end = result.EndOfMessage;
            if (length > _maxMessageSize)
            {
                return new WebSocketReceived(WebSocketReceiveKind.Failed, Status: WebSocketCloseStatus.MessageTooBig, Error: "payload too large");
            }
        }

        return new WebSocketReceived(WebSocketReceiveKind.Message, type == WebSocketMessageType.Binary, buffer.AsMemory(0, length));
    }

    public override void ReleaseReceived()
    {
        if (_received is { } buffer)
        {
            _received = null;
            TypedSocketIo.Buffers.ReceiveBuffers.Return(buffer);
        }
    }

    public override void ReceiveEnded() => ReleaseReceived();

    public override async ValueTask<long> SendAsync(List<OutgoingPacket> packets, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (OutgoingPacket packet in packets)
        {
            _writer.Clear();
            bool binary = EngineIOCodec.WriteWebSocketFrame(_writer, packet.Packet, _protocol);
            WebSocketMessageFlags flags = WebSocketMessageFlags.EndOfMessage;
            if (!packet.Compress || _writer.WrittenCount < _compressionThreshold)
            {
                flags |= WebSocketMessageFlags.DisableCompression;
            }

            await _webSocket.SendAsync(
                _writer.WrittenMemory,
                binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text,
                flags,
                cancellationToken).ConfigureAwait(false);
            bytes += _writer.WrittenCount;
        }

        return bytes;
    }

    public override void ReleaseSendBuffers() => _writer.Dispose();

    public override async ValueTask CloseOutputAsync(WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _webSocket.CloseOutputAsync(status, null, cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask AnswerCloseAsync(WebSocketCloseStatus received, CancellationToken cancellationToken) =>
        CloseOutputAsync(WebSocketCloseStatus.NormalClosure, cancellationToken);

    public override async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await _webSocket.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override void Abort() => _webSocket.Abort();
}
