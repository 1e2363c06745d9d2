using Microsoft.AspNetCore.Http;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO;

/// <summary>The session's side of long-polling: what a GET waits for, an aborted GET, the packets of a POST.</summary>
public sealed partial class EngineSocket
{
    // ------------------------------------------------------------------ long-polling

    /// <summary>The long-polling transport while the session uses it; its requests go there.</summary>
    internal PollingTransport? Polling
    {
        get
        {
            lock (_lock)
            {
                return _transport as PollingTransport;
            }
        }
    }

    /// <summary>Decides what a GET that arrived on <paramref name="polling"/> waits for.</summary>
    internal PollAcceptance AcceptPoll(PollingTransport polling, TaskCompletionSource<PollAnswer> get)
    {
        lock (_lock)
        {
            if (_transport != polling)
            {
                return PollAcceptance.Overlap; // cannot happen: requests are routed by transport
            }

            if (_state == EngineReadyState.Closed)
            {
                // Closed between the routing of this request and now.
                get.TrySetResult(new PollAnswer([EnginePacket.FromText(EnginePacketType.Close)], Compress: false));
                return PollAcceptance.Wait;
            }

            if (!polling.TrySetPendingGet(get))
            {
                return PollAcceptance.Overlap;
            }

            if (_state == EngineReadyState.Closing)
            {
                // Closed by the server while no request waited: deliver what is left; once nothing
                // is, answer noop and close (the reference's "6\x1e1").
                if (_buffer.Count == 0)
                {
                    polling.Answer(new PollAnswer([EnginePacket.FromText(EnginePacketType.Noop), EnginePacket.FromText(EnginePacketType.Close)], Compress: false));
                    return PollAcceptance.WaitThenClose;
                }

                polling.Write(_buffer);
                _buffer.Clear();
                _bufferedBytes = 0;
                return PollAcceptance.Wait;
            }

            FlushLocked();
            return PollAcceptance.Wait;
        }
    }

    /// <summary>The waiting GET's request was aborted by the client.</summary>
    internal void OnPollAborted(PollingTransport polling, TaskCompletionSource<PollAnswer> get)
    {
        bool removed;
        lock (_lock)
        {
            removed = _transport == polling && polling.RemovePendingGet(get);
        }

        get.TrySetCanceled();
        if (removed)
        {
            OnClose("transport error", "poll connection closed prematurely");
        }
    }

    /// <summary>Takes the packets of a POST (made by <paramref name="context"/>).</summary>
    internal void OnPosted(HttpContext context, List<EnginePacket> packets)
    {
        if (packets.Count == 0)
        {
            return;
        }

        EngineTransport transport;
        lock (_lock)
        {
            transport = _transport; // a POST that was under way when the upgrade completed still counts
        }

        Volatile.Write(ref _dataRequest, new EngineRequest(context));

        // One payload is one turn: the handlers of its events run once every packet of it has been
        // handled (an event followed by a DISCONNECT in the same payload is dropped, as the reference).
        ReceiveTurn? turn = ReceiveTurn.Begin();
        try
        {
            foreach (EnginePacket packet in packets)
            {
                OnPacket(transport, packet);
            }
        }
        finally
        {
            turn?.End();
        }
    }

    /// <summary>Whether a long-polling GET waits for packets (tests wait on it instead of sleeping).</summary>
    internal bool PollWaiting
    {
        get
        {
            lock (_lock)
            {
                return _transport is PollingTransport { HasPendingGet: true };
            }
        }
    }

    /// <summary>Whether a polling POST is being handled (tests wait on it to overlap one for sure).</summary>
    internal bool PollingPostInProgress => Polling is { PostInProgress: true };
}
