using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>The upgrade from long-polling to WebSocket: probe, pause the poll, upgrade packet, or stay on polling.</summary>
internal sealed partial class EngineClient
{
    /// <summary>
    /// The reference's probe: a WebSocket opened with the session id answers "2probe" with "3probe";
    /// then polling pauses (the pending poll and post complete), "5" goes over the WebSocket, and
    /// everything continues there. A failed probe leaves the session on polling.
    /// </summary>
    private async Task UpgradeAsync()
    {
        var transport = new WebSocketTransport(_options);
        bool switched = false;
        Exception? failure = null;
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(_handshake!.PingTimeout, 5000)));
            await transport.OpenAsync(Id, timeout.Token).ConfigureAwait(false);
            await transport.SendAsync([EnginePacket.FromText(EnginePacketType.Ping, "probe")], timeout.Token).ConfigureAwait(false);
            var answer = new List<EnginePacket>(1);
            if (!await transport.ReceiveAsync(answer, timeout.Token).ConfigureAwait(false)
                || answer is not [{ Type: EnginePacketType.Pong } pong] || pong.Text != "probe")
            {
                failure = new EngineConnectException("probe error: the server did not answer the probe.");
                return;
            }

            Task paused;
            lock (_gate)
            {
                if (_closed || _closing)
                {
                    return;
                }

                _upgrading = true;
                _writerPaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pollerPaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_sending)
                {
                    _writerPaused.TrySetResult();
                }

                // The poller pauses itself: at its next turn, once the pending poll returns (the
                // server releases it with a noop).
                paused = Task.WhenAll(_writerPaused.Task, _pollerPaused.Task);
            }

            await paused.WaitAsync(timeout.Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (_closed || _closing || !_upgrading)
                {
                    return;
                }

                _switching = true;
            }

            await transport.SendAsync([new EnginePacket(EnginePacketType.Upgrade)], timeout.Token).ConfigureAwait(false);
            EngineTransport? old;
            lock (_gate)
            {
                _switching = false;
                if (_closed)
                {
                    return;
                }

                old = _transport;
                _transport = transport;
                _upgrading = false;
                switched = true;
            }

            if (old is not null)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            _ = ReadLoopAsync(transport);
            Signal();
            Upgraded?.Invoke(transport.Name);
        }
        catch (Exception ex)
        {
            // The probe failed: the session stays on polling (the reference's "upgradeError").
            failure = new EngineConnectException(
                "probe error: " + (ex is OperationCanceledException ? "timeout" : ex.Message), statusCode: null, body: null, ex);
        }
        finally
        {
            if (!switched)
            {
                bool restartPoller;
                EngineTransport? polling;
                lock (_gate)
                {
                    // A poller that already paused must be started again; one still waiting on its
                    // poll goes on by itself now that the upgrade is off.
                    restartPoller = _upgrading && !_closed && _pollerPaused?.Task.IsCompleted == true;
                    _upgrading = false;
                    _switching = false;
                    polling = _transport;
                }

                await transport.DisposeAsync().ConfigureAwait(false);
                if (restartPoller && polling is not null)
                {
                    _ = ReadLoopAsync(polling);
                }

                Signal();

                // Not reported when the session is ending: the probe was called off, not refused.
                bool ending;
                lock (_gate)
                {
                    ending = _closed || _closing;
                }

                if (failure is not null && !ending)
                {
                    UpgradeFailed?.Invoke(failure);
                }
            }
        }
    }
}
