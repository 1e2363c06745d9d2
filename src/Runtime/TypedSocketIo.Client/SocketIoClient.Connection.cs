using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>The client socket's side of the connection: CONNECT and its answer, incoming packets, the inbox, disconnection.</summary>
public sealed partial class SocketIoClient
{
    // ------------------------------------------------------------------ from the manager

    internal void OnManagerOpen()
    {
        lock (_gate)
        {
            if (!_active || _connecting || _connected)
            {
                return;
            }

            _connecting = true;
        }

        _ = SendConnectAsync();
    }

    private async Task SendConnectAsync()
    {
        object? auth = _options.Auth;
        try
        {
            if (_options.AuthProvider is { } provider)
            {
                using var timeout = new CancellationTokenSource(Io.Options.Timeout);
                auth = await provider(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _connecting = false;
            }

            RaiseConnectError(new SocketIoConnectException("The auth provider failed: " + ex.Message, null, ex));
            return;
        }

        // By its runtime type, with the metadata the options resolve (a context under AOT): an auth
        // object they know nothing about fails this attempt with the reason.
        ReadOnlyMemory<byte> data;
        try
        {
            data = auth is null ? default : JsonSerializer.SerializeToUtf8Bytes(auth, JsonOptions.GetTypeInfo(auth.GetType()));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            lock (_gate)
            {
                _connecting = false;
            }

            RaiseConnectError(new SocketIoConnectException("The auth could not be serialized: " + ex.Message, null, ex));
            return;
        }
        lock (_gate)
        {
            if (!_active || !_connecting)
            {
                return;
            }

            data = ConnectPayload(data);
        }

        Io.Packet(new SocketIoPacket(SocketIoPacketType.Connect, Namespace, data: data));
    }

    internal void OnManagerError(Exception error)
    {
        lock (_gate)
        {
            if (_connected || !_active)
            {
                return;
            }

            _connecting = false;
        }

        RaiseConnectError(new SocketIoConnectException(error.Message, null, error));
    }

    internal void OnManagerClose(string reason, string? description)
    {
        lock (_gate)
        {
            if (!_active)
            {
                return;
            }
        }

        OnClose(reason, description);
    }

    internal void OnPacket(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                OnConnectPacket(packet);
                break;
            case SocketIoPacketType.Event:
            case SocketIoPacketType.BinaryEvent:
                OnEvent(packet);
                break;
            case SocketIoPacketType.Ack:
            case SocketIoPacketType.BinaryAck:
                OnAck(packet);
                break;
            case SocketIoPacketType.Disconnect:
                Log.ServerDisconnect(Io.Logger, Namespace);
                Destroy();
                OnClose("io server disconnect", null);
                break;
            case SocketIoPacketType.ConnectError:
                Destroy();
                RaiseConnectError(ConnectErrorOf(packet));
                break;
        }
    }

    private static SocketIoConnectException ConnectErrorOf(SocketIoPacket packet)
    {
        string message = "connect error";
        JsonElement? data = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(packet.Data);
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String)
                {
                    message = TextOf(m);
                }

                if (root.TryGetProperty("data", out JsonElement d))
                {
                    data = d.Clone();
                }
            }
            else if (root.ValueKind == JsonValueKind.String)
            {
                message = TextOf(root); // Socket.IO v2 sent the message alone
            }
        }
        catch (JsonException)
        {
        }

        return SocketIoConnectException.Refusal(message, data);
    }

    /// <summary>
    /// A JSON string's text; one that .NET cannot decode (a lone surrogate escape, which JavaScript's
    /// JSON.stringify writes) is given as written, escapes and all, rather than failing.
    /// </summary>
    private static string TextOf(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            string raw = value.GetRawText();
            return raw[1..^1];
        }
    }

    private void OnConnectPacket(SocketIoPacket packet)
    {
        string? sid = null;
        string? pid = null;
        try
        {
            if (!packet.Data.IsEmpty)
            {
                using JsonDocument document = JsonDocument.Parse(packet.Data);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("sid", out JsonElement s) && s.ValueKind == JsonValueKind.String)
                {
                    sid = TextOf(s);
                    if (document.RootElement.TryGetProperty("pid", out JsonElement p) && p.ValueKind == JsonValueKind.String)
                    {
                        pid = TextOf(p); // connection state recovery is on
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        if (sid is null)
        {
            RaiseConnectError(new SocketIoConnectException(
                "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"));
            return;
        }

        TaskCompletionSource[] waiters;
        SocketIoPacket[] early;
        lock (_gate)
        {
            if (!_active)
            {
                return;
            }

            _id = sid;
            OnSession(pid);
            early = TakeEarly();
            _connected = true;
            _connecting = false;
            if (_aborted.IsCancellationRequested)
            {
                _aborted.Dispose();
                _aborted = new CancellationTokenSource();
            }

            // What was emitted while disconnected goes out first, in order.
            foreach (SocketIoPacket buffered in _sendBuffer)
            {
                NotifyOutgoing(buffered);
                Io.Packet(buffered);
            }

            _sendBuffer.Clear();
            waiters = [.. _connectWaiters];
        }

        // Events that came before the answer (what a recovered session missed) are handled first,
        // then the retry queue resumes before the connect handlers run: what they emit is queued
        // behind it and goes out once (the reference's order).
        foreach (SocketIoPacket e in early)
        {
            OnEvent(e);
        }

        DrainQueue(force: true);
        Log.Connected(Io.Logger, Namespace, sid);
        _connect.Invoke(static (h, _) => h(), 0, Io.HandlerFailed);
        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    private void RaiseConnectError(SocketIoConnectException error)
    {
        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            waiters = [.. _connectWaiters];
        }

        Log.ConnectError(Io.Logger, Namespace, error.Message);
        _connectError.Invoke(static (h, e) => h(e), error, Io.HandlerFailed);
        foreach (TaskCompletionSource waiter in waiters)
        {
            waiter.TrySetException(error);
        }
    }

    /// <summary>Stops following the manager (the reference's destroy): no reconnection for this socket.</summary>
    private void Destroy()
    {
        lock (_gate)
        {
            _active = false;
            _connecting = false;
        }

        Io.SocketClosed(this);
    }

    private void OnClose(string reason, string? description)
    {
        List<long> failed = new();
        lock (_gate)
        {
            _connected = false;
            _connecting = false;
            _id = null;
            _receiveBuffer.Clear();
            _aborted.Cancel();

            // Acknowledgements still expected fail, except for packets still in the buffer (they
            // are sent on reconnection).
            foreach (long id in _acks.Ids)
            {
                if (!_sendBuffer.Exists(p => p.Id == id))
                {
                    failed.Add(id);
                }
            }
        }

        foreach (long id in failed)
        {
            _acks.Fail(id, new SocketIoException("socket has been disconnected"));
        }

        Log.Disconnected(Io.Logger, Namespace, reason);
        _disconnect.Invoke(static (h, s) => h(s.reason, s.description), (reason, description), Io.HandlerFailed);
    }

    private void OnAck(SocketIoPacket packet)
    {
        if (packet.Id is not { } id)
        {
            return;
        }

        _acks.Complete(id, SocketIoArgs.FromPacket(packet, JsonOptions));
    }

    private void OnEvent(SocketIoPacket packet)
    {
        CancellationToken aborted;
        lock (_gate)
        {
            if (!_connected)
            {
                if (_connecting)
                {
                    BufferEarly(packet); // handled once the CONNECT answer arrives, as the reference
                }

                return;
            }

            packet = StripOffset(packet);
            aborted = _aborted.Token;
        }

        var e = new ClientEvent(this, packet.EventName, SocketIoArgs.FromPacket(packet, JsonOptions), packet.Id, aborted);
        _inbox.TryPost(e);
    }

    private void Dispatch(ClientEvent e)
    {
        _any.Invoke(static (h, e) => h(e), e, Io.HandlerFailed);
        _handlers.Invoke(e.Name, e, this, static (client, eventName, ex) => client.OnHandlerFailed(eventName, ex));
    }

    private void OnHandlerFailed(string eventName, Exception ex)
    {
        if (ex is OperationCanceledException && !Connected)
        {
            return; // the handler gave up because the socket disconnected
        }

        Log.HandlerFailed(Io.Logger, Namespace, eventName, ex);
    }

    internal bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        lock (_gate)
        {
            if (!_connected)
            {
                return false;
            }

            Io.Packet(new SocketIoPacket(SocketIoPacketType.Ack, Namespace, id, jsonArray, attachments));
            return true;
        }
    }

    internal void LogRejected(string eventName, string reason) => Log.EventRejected(Io.Logger, Namespace, eventName, reason);

    /// <inheritdoc />
    public override string ToString() => $"{Namespace}#{Id}";
}
