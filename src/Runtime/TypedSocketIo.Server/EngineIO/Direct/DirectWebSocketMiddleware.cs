using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A Kestrel connection middleware: a connection whose first request is a WebSocket upgrade of an
/// Engine.IO endpoint is served here, from the listener's bytes, without ASP.NET Core's HTTP layer
/// (no HTTP/1.1 connection, request, headers or upgrade stream kept for the session's life). Every
/// other connection, from its first byte, goes on to ASP.NET Core unchanged.
/// </summary>
internal sealed class DirectWebSocketMiddleware(ConnectionDelegate next, DirectRequests requests)
{
    public Task OnConnectionAsync(ConnectionContext connection)
    {
        DirectEndpoints endpoints = requests.Endpoints;
        return endpoints.IsEmpty ? next(connection) : ReadFirstRequestAsync(connection, endpoints);
    }

    /// <summary>
    /// The connection's life when its first request may be taken here: the head, then ASP.NET Core
    /// or the session. It awaits the serving, whose own state machine holds only the exchange.
    /// </summary>
    private async Task ReadFirstRequestAsync(ConnectionContext connection, DirectEndpoints endpoints)
    {
        (bool ended, RequestHead? head) = await ReadHeadInTimeAsync(connection, endpoints).ConfigureAwait(false);
        if (ended)
        {
            return;
        }

        if (head is null)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        await requests.ServeAsync(new PipeConnection(connection), head).ConfigureAwait(false);
    }

    /// <summary>
    /// The first request's head within the listener's headers timeout: taken here (the head),
    /// left to ASP.NET Core (null), or the connection ended before it came whole.
    /// </summary>
    private async ValueTask<(bool Ended, RequestHead? Head)> ReadHeadInTimeAsync(ConnectionContext connection, DirectEndpoints endpoints)
    {
        using var timeout = new CancellationTokenSource(requests.Limits.RequestHeadersTimeout);
        try
        {
            return (false, await ReadHeadAsync(connection.Transport.Input, endpoints, timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // A head that did not come whole in time: the connection is cut, as Kestrel cuts it.
            connection.Abort(new ConnectionAbortedException("The request's head did not come in time."));
            return (true, null);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return (true, null); // the client went away (reset, or the server aborted the connection) before its head was whole
        }
    }

    /// <summary>
    /// Reads until the head of the first request is whole and taken here (consumed), or is not one
    /// taken here (left unread, for ASP.NET Core): then null.
    /// </summary>
    private async ValueTask<RequestHead?> ReadHeadAsync(PipeReader input, DirectEndpoints endpoints, CancellationToken cancellationToken)
    {
        var reader = new RequestHeadReader(endpoints, requests.Limits);
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            switch (reader.Read(buffer, out RequestHead? head, out SequencePosition end))
            {
                case HeadVerdict.Take:
                    input.AdvanceTo(end);
                    return head;
                case HeadVerdict.NeedMore when !result.IsCompleted && !result.IsCanceled:
                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
                default:
                    input.AdvanceTo(buffer.Start);
                    return null;
            }
        }
    }
}
