using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>What a waiting GET is answered with.</summary>
internal readonly record struct PollAnswer(EnginePacket[] Packets, bool Compress);

/// <summary>What the session does with a GET that arrives.</summary>
internal enum PollAcceptance
{
    /// <summary>The GET waits for packets (or has its answer already).</summary>
    Wait,

    /// <summary>A GET waits already: the client broke the protocol.</summary>
    Overlap,

    /// <summary>The GET carries the last packets of a session the server closed; the session ends.</summary>
    WaitThenClose,
}

/// <summary>
/// HTTP long-polling: at most one GET waits for packets and at most one POST carries packets in.
/// The transport does the HTTP work (reading and parsing bodies, writing payloads, noticing aborted
/// requests); the session decides, under its lock, what a GET is answered with. The waiting GET is
/// guarded by the session's lock too.
/// </summary>
internal sealed class PollingTransport : EngineTransport
{
    private readonly EngineIOServer _server;
    private TaskCompletionSource<PollAnswer>? _pendingGet;
    private int _postInProgress;

    public PollingTransport(EngineIOServer server, EngineIOProtocol protocol, bool supportsBinary)
    {
        _server = server;
        Protocol = protocol;
        SupportsBinary = supportsBinary;
    }

    /// <summary>The session the transport carries; set when the session is created.</summary>
    public EngineSocket Session { get; set; } = null!;

    /// <summary>The Engine.IO protocol revision of the client: 3 or 4.</summary>
    public EngineIOProtocol Protocol { get; }

    /// <summary>Whether binary payloads may go out as binary (v3 clients may ask for base64).</summary>
    public bool SupportsBinary { get; }

    public override string Name => EngineIOOptions.Polling;

    public override bool IsWritable => _pendingGet is not null;

    public override bool CanTakePackets => _pendingGet is not null;

    /// <summary>Whether a POST is being read.</summary>
    public bool PostInProgress => Volatile.Read(ref _postInProgress) != 0;

    public bool HasPendingGet => _pendingGet is not null;

    /// <summary>Registers the waiting GET; false when one is waiting already (an overlap).</summary>
    public bool TrySetPendingGet(TaskCompletionSource<PollAnswer> get)
    {
        if (_pendingGet is not null)
        {
            return false;
        }

        _pendingGet = get;
        return true;
    }

    /// <summary>Forgets <paramref name="get"/> if it is still the waiting GET (it was aborted).</summary>
    public bool RemovePendingGet(TaskCompletionSource<PollAnswer> get)
    {
        if (_pendingGet != get)
        {
            return false;
        }

        _pendingGet = null;
        return true;
    }

    public override void Write(List<OutgoingPacket> buffer)
    {
        var packets = new EnginePacket[buffer.Count];
        bool compress = false;
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i] = buffer[i].Packet;
            compress |= buffer[i].Compress;
        }

        Answer(new PollAnswer(packets, compress));
    }

    /// <summary>Answers the waiting GET, if one waits.</summary>
    public bool Answer(PollAnswer answer)
    {
        TaskCompletionSource<PollAnswer>? get = _pendingGet;
        _pendingGet = null;
        return get?.TrySetResult(answer) ?? false;
    }

    /// <summary>Answers the waiting GET with one control packet, if one waits.</summary>
    public bool Answer(EnginePacketType type) => Answer(new PollAnswer([EnginePacket.FromText(type)], Compress: false));

    public override void Close(bool graceful)
    {
        // A waiting GET is answered by the session, which knows whether it owes a close or a noop.
        Answer(EnginePacketType.Close);
    }

    // ------------------------------------------------------------------ GET: packets out

    /// <summary>Waits for packets to send (or the session's end) and writes them as one payload.</summary>
    public async Task HandleGetAsync(HttpContext context)
    {
        var get = new TaskCompletionSource<PollAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (Session.AcceptPoll(this, get))
        {
            case PollAcceptance.Overlap:
                Session.OnClose("transport error", "overlap from client");
                await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
                return;
            case PollAcceptance.WaitThenClose:
                Session.OnClose("forced close", null);
                break;
        }

        PollAnswer answer;
        using (context.RequestAborted.Register(static s => ((PollRegistration)s!).Abort(), new PollRegistration(this, get)))
        {
            try
            {
                answer = await get.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await WritePayloadAsync(context, answer).ConfigureAwait(false);
    }

    private sealed record PollRegistration(PollingTransport Transport, TaskCompletionSource<PollAnswer> Get)
    {
        public void Abort() => Transport.Session.OnPollAborted(Transport, Get);
    }

    private async Task WritePayloadAsync(HttpContext context, PollAnswer answer)
    {
        using var body = new PooledBufferWriter(256);
        string contentType = "text/plain; charset=UTF-8";
        if (Protocol == EngineIOProtocol.V4)
        {
            EngineIOCodec.WritePayload(body, answer.Packets);
        }
        else if (SupportsBinary && Array.Exists(answer.Packets, static p => p.IsBinary))
        {
            EngineIOCodec.WriteV3BinaryPayload(body, answer.Packets);
            contentType = "application/octet-stream";
        }
        else
        {
            EngineIOCodec.WriteV3TextPayload(body, answer.Packets);
        }

        _server.Metrics?.Sent(webSocket: false, answer.Packets.Length, body.WrittenCount);
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        ApplyHeaders(context);

        string? encoding = _server.Options.HttpCompression is { } compression && answer.Compress && body.WrittenCount >= compression.Threshold
            ? ChooseEncoding(context.Request.Headers.AcceptEncoding)
            : null;
        try
        {
            if (encoding is null)
            {
                response.ContentLength = body.WrittenCount;
                await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            response.Headers.ContentEncoding = encoding;
            using var compressed = new MemoryStream();
            await using (Stream zip = encoding == "gzip"
                ? new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)
                : new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(body.WrittenMemory).ConfigureAwait(false);
            }

            response.ContentLength = compressed.Length;
            await response.Body.WriteAsync(compressed.GetBuffer().AsMemory(0, (int)compressed.Length), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client went away; the session notices through its next request or heartbeat.
        }
    }

    private static string? ChooseEncoding(StringValues acceptEncoding)
    {
        bool gzip = false, deflate = false;
        foreach (string? value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (string part in value.Split(','))
            {
                string[] pieces = part.Split(';');
                string name = pieces[0].Trim();
                bool refused = pieces.Length > 1 && pieces[1].Replace(" ", "", StringComparison.Ordinal) is "q=0" or "q=0.0" or "q=0.00" or "q=0.000";
                if (refused)
                {
                    continue;
                }

                gzip |= name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name == "*";
                deflate |= name.Equals("deflate", StringComparison.OrdinalIgnoreCase);
            }
        }

        return gzip ? "gzip" : deflate ? "deflate" : null;
    }

    /// <summary>The headers of every long-polling response.</summary>
    private void ApplyHeaders(HttpContext context)
    {
        IHeaderDictionary headers = context.Response.Headers;
        string? userAgent = context.Request.Headers.UserAgent;
        if (userAgent is not null && (userAgent.Contains(";MSIE", StringComparison.Ordinal) || userAgent.Contains("Trident/", StringComparison.Ordinal)))
        {
            headers["X-XSS-Protection"] = "0";
        }

        headers.CacheControl = "no-store";
        _server.Options.OnHeaders?.Invoke(headers, context);
    }

    // ------------------------------------------------------------------ POST: packets in

    /// <summary>Reads a POST's payload, hands its packets to the session, and answers <c>ok</c>.</summary>
    public async Task HandlePostAsync(HttpContext context)
    {
        if (Interlocked.Exchange(ref _postInProgress, 1) != 0)
        {
            Session.OnClose("transport error", "data request overlap from client");
            await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
            return;
        }

        bool handled;
        try
        {
            handled = await ReadPostAsync(context).ConfigureAwait(false);
        }
        finally
        {
            // As the reference, the POST ends before its "ok" goes out: a client may send the next
            // one (on another connection) as soon as it reads the answer, and that is no overlap.
            Volatile.Write(ref _postInProgress, 0);
        }

        if (handled)
        {
            await WriteOkAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the body and hands its packets to the session; true when the POST is to be answered "ok".</summary>
    private async Task<bool> ReadPostAsync(HttpContext context)
    {
        string? contentType = context.Request.ContentType;
        bool binary = contentType is not null && contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase);
        if (binary && Protocol != EngineIOProtocol.V3)
        {
            Session.OnClose("transport error", "invalid content");
            await _server.WriteBadRequestAsync(context).ConfigureAwait(false);
            return false;
        }

        ReadOnlySequence<byte> body;
        byte[] rented;
        try
        {
            (body, rented) = await ReadBodyAsync(context, _server.Options.MaxHttpBufferSize).ConfigureAwait(false);
        }
        catch (BodyTooLargeException)
        {
            // The client must learn of it from the failed POST ("transport error"), as from the
            // reference, which answers 413 and leaves the closing to the client. So the 413 goes
            // out first, and a waiting GET gets a noop, not a close packet the client could read
            // first ("transport close"); its next poll finds the session gone (400).
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            try
            {
                await context.Response.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The client is gone; the session closes all the same.
            }

            Session.OnClose("transport error", "payload too large", pollAnswer: EnginePacketType.Noop);
            return false;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            Session.OnClose("transport error", "data request connection closed prematurely");
            return false;
        }

        List<EnginePacket> packets = new();
        long bodyLength = body.Length;
        string? parseError = body.IsEmpty ? "empty payload" : null;
        try
        {
            while (binary
                ? EngineIOCodec.TryReadV3BinaryPacket(ref body, isFinalBlock: true, out EnginePacket packet)
                : Protocol == EngineIOProtocol.V3
                    ? EngineIOCodec.TryReadV3TextPacket(ref body, isFinalBlock: true, out packet)
                    : EngineIOCodec.TryReadPacket(ref body, isFinalBlock: true, out packet))
            {
                packets.Add(packet);
            }
        }
        catch (EngineIOParseException ex)
        {
            parseError = ex.Message;
        }
        finally
        {
            ReceiveBuffers.Return(rented);
        }

        _server.Metrics?.Received(webSocket: false, packets.Count, bodyLength);
        Session.OnPosted(context, packets);
        if (parseError is not null)
        {
            Session.OnClose("parse error", parseError);
        }

        return true;
    }

    private static async Task<(ReadOnlySequence<byte> Body, byte[] Rented)> ReadBodyAsync(HttpContext context, long limit)
    {
        if (context.Request.ContentLength is long declared && declared > limit)
        {
            throw new BodyTooLargeException();
        }

        byte[] buffer = ReceiveBuffers.Rent((int)Math.Min(Math.Max(context.Request.ContentLength ?? 4096, 16), limit + 1));
        int length = 0;
        try
        {
            Stream body = context.Request.Body;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw new BodyTooLargeException();
                    }

                    buffer = ReceiveBuffers.Grow(buffer, length, limit);
                }

                int read = await body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw new BodyTooLargeException();
                }
            }

            return (new ReadOnlySequence<byte>(buffer, 0, length), buffer);
        }
        catch
        {
            ReceiveBuffers.Return(buffer);
            throw;
        }
    }

    private async Task WriteOkAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html";
        response.ContentLength = 2;
        ApplyHeaders(context);
        await response.Body.WriteAsync("ok"u8.ToArray()).ConfigureAwait(false);
    }

    private sealed class BodyTooLargeException : Exception;
}
