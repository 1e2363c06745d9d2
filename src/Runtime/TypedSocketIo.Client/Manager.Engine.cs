using System.Text.Json;
using TypedSocketIo.Client.EngineIO;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>The manager's Engine.IO session: opening it (with its timeout), routing its messages to the namespace sockets, and its close.</summary>
public sealed partial class Manager
{
    private Task<Exception?> StartOpen()
    {
        EngineClient engine;
        TaskCompletionSource<Exception?> opened;
        lock (_gate)
        {
            if (_state == State.Open)
            {
                return Task.FromResult<Exception?>(null);
            }

            if (_state == State.Opening)
            {
                return _opening!;
            }

            ObjectDisposedException.ThrowIf(_disposed, this);

            _state = State.Opening;
            _skipReconnect = false;
            engine = new EngineClient(EngineOptions(), _http);
            _engine = engine;
            _sessions.Add(engine);
            _decoder = Options.Parser.CreateDecoder();
            opened = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _opening = opened.Task;
        }

        engine.Message = packet => OnEngineMessage(engine, packet);
        engine.Ping = () =>
        {
            if (IsCurrent(engine))
            {
                Engine.RaisePing();
                _ping.Invoke(static (h, _) => h(), 0, HandlerFailed);
            }
        };
        engine.PacketReceived = packet =>
        {
            if (Engine.HasPacketHandlers && IsCurrent(engine))
            {
                Engine.RaisePacket(packet);
            }
        };
        engine.PacketCreated = packet =>
        {
            if (Engine.HasPacketCreateHandlers && IsCurrent(engine))
            {
                Engine.RaisePacketCreate(packet);
            }
        };
        engine.Upgraded = transport =>
        {
            if (IsCurrent(engine))
            {
                Log.Upgraded(Logger, Uri, transport);
                Engine.RaiseUpgrade(transport);
            }
        };
        engine.UpgradeFailed = error =>
        {
            if (IsCurrent(engine))
            {
                Log.UpgradeFailed(Logger, Uri, error.Message);
                Engine.RaiseUpgradeError(error);
            }
        };
        engine.Closed = (reason, description) => OnClose(engine, reason, description, closedByEngine: true);
        _ = ForgetWhenEndedAsync(engine);
        _ = OpenEngineAsync(engine, opened);
        return opened.Task;
    }

    /// <summary>Whether <paramref name="engine"/> is the manager's session (not one it has left behind).</summary>
    private bool IsCurrent(EngineClient engine) => Volatile.Read(ref _engine) == engine;

    private async Task ForgetWhenEndedAsync(EngineClient engine)
    {
        await engine.Ended.ConfigureAwait(false);
        lock (_gate)
        {
            _sessions.Remove(engine);
        }
    }

    private async Task OpenEngineAsync(EngineClient engine, TaskCompletionSource<Exception?> opened)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout);
        Exception? error = null;
        try
        {
            await engine.OpenAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex is OperationCanceledException && timeout.IsCancellationRequested
                ? new SocketIoException("timeout", ex)
                : ex;
        }

        bool current;
        (TimeSpan Delay, CancellationTokenSource? Cancel)? reconnect = null;
        lock (_gate)
        {
            current = _engine == engine;
            if (current)
            {
                _state = error is null ? State.Open : State.Closed;
                if (error is not null)
                {
                    _engine = null;

                    // Decided with the state change, so that no connect() slips in between and
                    // opens again on its own (the reference decides in the same tick).
                    if (_reconnectOnOpenFailure && Options.Reconnection && _backoff.Attempts == 0)
                    {
                        reconnect = BeginReconnectLocked();
                    }
                }

                _reconnectOnOpenFailure = false;
            }
        }

        if (!current)
        {
            engine.Close();
            opened.TrySetResult(error ?? new SocketIoException("The connection was closed while it opened."));
            return;
        }

        if (error is not null)
        {
            engine.Close();
            Log.OpenFailed(Logger, Uri, error.Message);
            _error.Invoke(static (h, e) => h(e), error, HandlerFailed);
            foreach (SocketIoClient socket in SocketsSnapshot())
            {
                socket.OnManagerError(error);
            }

            RunReconnect(reconnect);
            opened.TrySetResult(error);
            return;
        }

        Log.Opened(Logger, Uri, engine.Id, engine.TransportName);
        Engine.RaiseOpen();
        _open.Invoke(static (h, _) => h(), 0, HandlerFailed);
        foreach (SocketIoClient socket in SocketsSnapshot())
        {
            socket.OnManagerOpen();
        }

        opened.TrySetResult(null);
    }

    private EngineClientOptions EngineOptions()
    {
        var query = new List<KeyValuePair<string, string>>();
        if (Uri.Query.Length > 1)
        {
            foreach (string part in Uri.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = part.IndexOf('=');
                string key = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
                string value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..]);
                query.Add(new(key, value));
            }
        }

        query.AddRange(Options.Query);
        string path = Options.Path.StartsWith('/') ? Options.Path : "/" + Options.Path;
        return new EngineClientOptions
        {
            Uri = Uri,
            Path = path.EndsWith('/') ? path : path + "/",
            Query = query,
            ExtraHeaders = [.. Options.ExtraHeaders],
            Transports = [.. Options.Transports],
            Upgrade = Options.Upgrade,
            TimestampRequests = Options.TimestampRequests,
            ConfigureWebSocket = Options.ConfigureWebSocket,
        };
    }

    private void OnEngineMessage(EngineClient engine, EnginePacket message)
    {
        SocketIoPacket? packet;
        try
        {
            packet = _decoder.Add(message);
        }
        catch (Exception ex) when (ex is SocketIoParseException or EngineIOParseException or JsonException)
        {
            Log.ParseError(Logger, ex.Message);
            OnClose(engine, "parse error", ex.Message, closedByEngine: false);
            engine.Close();
            return;
        }

        if (packet is null)
        {
            return;
        }

        _packet.Invoke(static (h, p) => h(p), packet, HandlerFailed);
        SocketIoClient? socket;
        lock (_gate)
        {
            _sockets.TryGetValue(packet.Namespace, out socket);
        }

        socket?.OnPacket(packet);
    }

    /// <summary>
    /// The connection closed: <paramref name="closedByEngine"/> when the session ended by itself
    /// (its reason is the engine's too), else this side closed it (the engine's reason is "forced close").
    /// </summary>
    private void OnClose(EngineClient? engine, string reason, string? description, bool closedByEngine)
    {
        bool reconnect;
        bool wasOpen;
        lock (_gate)
        {
            if (engine is not null && _engine != engine)
            {
                return;
            }

            if (_state == State.Closed && engine is null)
            {
                return;
            }

            wasOpen = _state == State.Open;
            _engine = null;
            _state = State.Closed;
            _backoff.Reset();
            reconnect = Options.Reconnection && !_skipReconnect;
        }

        if (wasOpen)
        {
            if (closedByEngine)
            {
                Engine.RaiseClose(reason, description);
            }
            else
            {
                Engine.RaiseClose("forced close", null);
            }
        }

        Log.Closed(Logger, Uri, reason, description);
        _close.Invoke(static (h, s) => h(s.reason, s.description), (reason, description), HandlerFailed);
        foreach (SocketIoClient socket in SocketsSnapshot())
        {
            socket.OnManagerClose(reason, description);
        }

        if (reconnect)
        {
            Reconnect();
        }
    }
}
