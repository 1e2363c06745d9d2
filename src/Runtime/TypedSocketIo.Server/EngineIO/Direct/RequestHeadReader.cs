using System.Buffers;
using System.Text;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// Reads a connection's first request head as its bytes come, each byte looked at about once: the
/// request line is searched for its end only in what came since the last read, then validated
/// once; then the header block the same way, parsed once it is whole. A head sent a byte at a
/// time costs what one sent whole does. The buffer handed to each read starts where the first
/// one did (nothing is consumed until the verdict).
/// </summary>
internal sealed class RequestHeadReader(DirectEndpoints endpoints, DirectLimits limits)
{
    private static ReadOnlySpan<byte> Get => "GET "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;
    private static ReadOnlySpan<byte> LineEnd => "\r\n"u8;
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    private long _lineEnd = -1;   // where the request line's CRLF starts, once found
    private long _searched;       // how far the current delimiter was looked for, in vain
    private EngineIOServer? _server;
    private string? _target;

    /// <summary>What the bytes so far say; with <see cref="HeadVerdict.Take"/>, the head and where it ends.</summary>
    public HeadVerdict Read(ReadOnlySequence<byte> buffer, out RequestHead? head, out SequencePosition end)
    {
        head = null;
        end = buffer.Start;
        if (_lineEnd < 0 && ReadLine(buffer) is var line and not HeadVerdict.Take)
        {
            return line;
        }

        // The header block ends with an empty line: CRLF CRLF, the first CRLF the request line's
        // own when there is no header field.
        long fieldsStart = _lineEnd + LineEnd.Length;
        long from = Math.Max(_lineEnd, _searched - (HeadEnd.Length - 1));
        if (Find(buffer, from, HeadEnd) is not { } headEnd)
        {
            _searched = buffer.Length;
            return buffer.Length - fieldsStart > limits.MaxRequestHeadersTotalSize ? HeadVerdict.Pass : HeadVerdict.NeedMore;
        }

        // The fields, each with its CRLF (the last one's is the first half of the empty line).
        long fieldsLength = headEnd + LineEnd.Length - fieldsStart;
        if (fieldsLength > limits.MaxRequestHeadersTotalSize)
        {
            return HeadVerdict.Pass; // ASP.NET Core answers 431
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)fieldsLength);
        try
        {
            buffer.Slice(fieldsStart, fieldsLength).CopyTo(rented);
            if (RequestHead.ParseUpgradeFields(rented.AsSpan(0, (int)fieldsLength), limits.MaxRequestHeaderCount) is not { } headers)
            {
                return HeadVerdict.Pass;
            }

            head = new RequestHead(_server!, _target!, headers);
            end = buffer.GetPosition(headEnd + HeadEnd.Length);
            return HeadVerdict.Take;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The request line: <see cref="HeadVerdict.Take"/> once it is whole and names an endpoint (the
    /// header block comes next), <see cref="HeadVerdict.NeedMore"/> while it may still become one.
    /// </summary>
    private HeadVerdict ReadLine(ReadOnlySequence<byte> buffer)
    {
        int getLength = Get.Length;
        Span<byte> start = stackalloc byte[getLength];
        int prefix = (int)Math.Min(buffer.Length, getLength);
        buffer.Slice(0, prefix).CopyTo(start);
        if (!start[..prefix].SequenceEqual(Get[..prefix]))
        {
            return HeadVerdict.Pass;
        }

        if (buffer.Length <= getLength)
        {
            return HeadVerdict.NeedMore; // "GET " or less of it so far
        }

        long from = Math.Max(getLength, _searched - (LineEnd.Length - 1));
        if (Find(buffer, from, LineEnd) is not { } lineEnd)
        {
            _searched = buffer.Length;
            if (buffer.Length > limits.MaxRequestLineSize)
            {
                return HeadVerdict.Pass;
            }

            // A target without its end yet: only a path of an endpoint may still be coming (what
            // decides it is at most the longest path and one byte more).
            int look = (int)Math.Min(buffer.Length - getLength, endpoints.LongestPath + 1);
            byte[] target = ArrayPool<byte>.Shared.Rent(look);
            try
            {
                buffer.Slice(getLength, look).CopyTo(target);
                return endpoints.MayStart(target.AsSpan(0, look)) ? HeadVerdict.NeedMore : HeadVerdict.Pass;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(target);
            }
        }

        if (lineEnd > limits.MaxRequestLineSize)
        {
            return HeadVerdict.Pass;
        }

        byte[] line = ArrayPool<byte>.Shared.Rent((int)lineEnd);
        try
        {
            buffer.Slice(0, lineEnd).CopyTo(line);
            _server = ParseLine(line.AsSpan(0, (int)lineEnd), endpoints, out _target);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(line);
        }

        if (_server is null || !CanServe(_server.Options))
        {
            return HeadVerdict.Pass; // no endpoint's, or one whose server needs ASP.NET Core's WebSocket
        }

        _lineEnd = lineEnd;
        _searched = lineEnd;
        return HeadVerdict.Take;
    }

    /// <summary>
    /// Whether the server frames the WebSocket itself: ASP.NET Core's WebSocket (asked for by
    /// <see cref="EngineIOOptions.WebSocketFraming"/>, or by permessage-deflate) needs its HTTP layer.
    /// </summary>
    internal static bool CanServe(EngineIOOptions options) =>
        options.WebSocketFraming == WebSocketFraming.Builtin
        && options.PerMessageDeflate is null
        && options.Transports.Contains(EngineIOOptions.WebSocket);

    /// <summary>Whether a request line is one taken here: <c>GET</c> of an endpoint's path, HTTP/1.1; its server and target.</summary>
    private static EngineIOServer? ParseLine(ReadOnlySpan<byte> line, DirectEndpoints endpoints, out string? target)
    {
        target = null;
        if (!line.StartsWith(Get) || !line.EndsWith(Version) || line.Length < Get.Length + Version.Length + 1)
        {
            return null;
        }

        ReadOnlySpan<byte> bytes = line[Get.Length..^Version.Length];
        int question = bytes.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = question < 0 ? bytes : bytes[..question];
        if (bytes.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E) || path.IndexOf((byte)'%') >= 0 || endpoints.Find(path) is not { } server)
        {
            return null; // not visible ASCII only, a percent-encoded path, or no endpoint's
        }

        target = Encoding.ASCII.GetString(bytes);
        return server;
    }

    /// <summary>Where <paramref name="delimiter"/> starts in <paramref name="buffer"/> at or after <paramref name="from"/>; null when it is not there.</summary>
    private static long? Find(ReadOnlySequence<byte> buffer, long from, ReadOnlySpan<byte> delimiter)
    {
        var reader = new SequenceReader<byte>(buffer.Slice(from));
        return reader.TryReadTo(out ReadOnlySequence<byte> _, delimiter, advancePastDelimiter: false) ? from + reader.Consumed : null;
    }
}
