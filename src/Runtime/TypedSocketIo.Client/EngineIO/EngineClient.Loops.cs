using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>The session's read loop (packets in, one transport at a time) and write loop (the send queue, batched per transport).</summary>
internal sealed partial class EngineClient
{
    private async Task ReadLoopAsync(EngineTransport transport)
    {
        var received = new List<EnginePacket>();
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    if (_closed || _transport != transport)
                    {
                        return;
                    }

                    if (_upgrading && transport is PollingTransport)
                    {
                        _pollerPaused?.TrySetResult();
                        return;
                    }
                }

                received.Clear();
                if (!await transport.ReceiveAsync(received, _cts.Token).ConfigureAwait(false))
                {
                    OnClose("transport close", "the server closed the connection");
                    return;
                }

                for (int i = 0; i < received.Count; i++)
                {
                    Handle(received[i]);
                }
            }
        }
        catch (Exception ex)
        {
            bool current;
            lock (_gate)
            {
                current = _transport == transport && !_closed;
                if (_upgrading && transport is PollingTransport)
                {
                    _pollerPaused?.TrySetResult();
                }
            }

            if (current)
            {
                OnClose(transport.EndedByServer(ex) ? "transport close" : "transport error", ex.Message);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        EngineTransport? sendingOn = null;
        try
        {
            while (true)
            {
                if (!await _writeSignal.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return; // the session ended
                }

                _writeSignal.Reader.TryRead(out _);
                while (true)
                {
                    EngineTransport transport;
                    List<EnginePacket> batch;
                    lock (_gate)
                    {
                        if (_closed)
                        {
                            return;
                        }

                        if (_upgrading)
                        {
                            _writerPaused?.TrySetResult();
                            break;
                        }

                        if (_queue.Count == 0 || _transport is null)
                        {
                            break;
                        }

                        transport = _transport;
                        sendingOn = transport;
                        batch = Take(transport);
                        _sending = true;
                    }

                    // The close packet goes alone, after everything before it was delivered: the
                    // reference server handles a namespace DISCONNECT one tick late, so a close in
                    // the same payload would overtake it. Over WebSocket, closing the socket says it.
                    bool closing = batch[0].Type == EnginePacketType.Close;
                    try
                    {
                        if (!closing || !transport.SendsFrames)
                        {
                            await transport.SendAsync(batch, _cts.Token).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            _sending = false;
                        }
                    }

                    if (closing)
                    {
                        Terminate();
                        return;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            bool closing;
            lock (_gate)
            {
                closing = _closing;
                _writerPaused?.TrySetResult();
            }

            if (closing)
            {
                Terminate();
            }
            else
            {
                OnClose(sendingOn?.EndedByServer(ex) == true ? "transport close" : "transport error", ex.Message);
            }
        }
    }

    /// <summary>
    /// The packets to send next: one frame's worth at a time over WebSocket is all of them; over
    /// polling, as many as fit in the server's maxPayload (at least one), as the reference does.
    /// </summary>
    private List<EnginePacket> Take(EngineTransport transport)
    {
        int count = _queue.Count;
        int close = _queue.FindIndex(static p => p.Type == EnginePacketType.Close);
        if (close >= 0)
        {
            count = close == 0 ? 1 : close;
        }

        if (!transport.SendsFrames && _handshake?.MaxPayload is long max && max > 0 && count > 1)
        {
            long size = 1;
            for (int i = 0; i < count; i++)
            {
                EnginePacket packet = _queue[i];
                size += packet.IsBinary ? 1 + ((packet.Data.Length + 2) / 3 * 4) : packet.Data.Length;
                if (i > 0 && size > max)
                {
                    count = i;
                    break;
                }

                size += 2; // separator and the next packet's type
            }
        }

        _batch.Clear();
        for (int i = 0; i < count; i++)
        {
            _batch.Add(_queue[i]);
        }

        _queue.RemoveRange(0, count);
        return _batch;
    }
}
