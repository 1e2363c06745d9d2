using TypedSocketIo.Protocol;

namespace TypedSocketIo.Client;

/// <summary>The client socket's emits: volatile, acknowledged, buffered while disconnected, and retried (at-least-once).</summary>
public sealed partial class SocketIoClient
{
    // ------------------------------------------------------------------ emitting

    /// <summary>
    /// Emits <paramref name="eventName"/> with <paramref name="args"/> (byte arrays travel as binary
    /// attachments). Sent at once when connected, else buffered until the socket connects.
    /// </summary>
    /// <returns>True (false only for a volatile emit that was dropped).</returns>
    public bool Emit(string eventName, params object?[] args) => new ClientEmitter(this, default).Emit(eventName, args);

    /// <summary>Emits a "message" event.</summary>
    public bool Send(params object?[] args) => Emit("message", args);

    /// <summary>
    /// Emits <paramref name="eventName"/> without arguments and waits for the server's acknowledgement
    /// (bounded by <see cref="SocketOptions.AckTimeout"/> when set), until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        new ClientEmitter(this, default).EmitWithAck(eventName, cancellationToken);

    /// <summary>
    /// Emits <paramref name="eventName"/> with <paramref name="args"/> and waits for the server's
    /// acknowledgement (bounded by <see cref="SocketOptions.AckTimeout"/> when set), until
    /// <paramref name="cancellationToken"/> fires. The arguments are an array
    /// (<c>EmitWithAck("join", ["lobby"], token)</c>), so a token is never taken for an argument.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        new ClientEmitter(this, default).EmitWithAck(eventName, args, cancellationToken);

    /// <summary>The next emit's acknowledgement must arrive within <paramref name="timeout"/>, else it fails with <see cref="SocketIoTimeoutException"/>.</summary>
    public ClientEmitter Timeout(TimeSpan timeout) => new(this, new EmitFlags { Timeout = timeout });

    /// <summary>The next emit is dropped unless it can be sent at once (not buffered).</summary>
    public ClientEmitter Volatile => new(this, new EmitFlags { Volatile = true });

    /// <inheritdoc />
    bool ISocketIoEmitTarget.Emit(in EventData data) => Send(data, default, null, CancellationToken.None);

    /// <inheritdoc />
    Task<SocketIoArgs> ISocketIoEmitTarget.EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
        SendWithAck(data, default, cancellationToken);

    internal Task<SocketIoArgs> SendWithAck(in EventData data, EmitFlags flags, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        Send(data, flags, ack, cancellationToken);
        return ack.Task;
    }

    /// <summary>The emit path of every API: the retry queue, the ack registration, then send or buffer.</summary>
    internal bool Send(in EventData data, EmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack, CancellationToken cancellationToken)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);

        if (_options.Retries > 0 && !flags.FromQueue && !flags.Volatile)
        {
            AddToQueue(data, flags, ack);
            return true;
        }

        bool writable = Io.Writable;
        lock (_gate)
        {
            if (flags.Volatile && !(writable && _connected))
            {
                Log.VolatileDropped(Io.Logger, Namespace, data.Name);
                return false;
            }

            long? id = null;
            if (ack is not null)
            {
                id = _ids++;
                RegisterAck(id.Value, data.Name, ack, flags.Timeout ?? _options.AckTimeout, cancellationToken);
            }

            var packet = new SocketIoPacket(SocketIoPacketType.Event, Namespace, id, data.Json, data.Attachments, data.Name, -1);
            if (_connected)
            {
                NotifyOutgoing(packet);
                Io.Packet(packet);
            }
            else
            {
                _sendBuffer.Add(packet);
            }
        }

        return true;
    }

    private void RegisterAck(long id, string eventName, TaskCompletionSource<SocketIoArgs> ack, TimeSpan? timeout, CancellationToken cancellationToken) =>
        _acks.TryAdd(id, eventName, (args, error) =>
        {
            if (error is null)
            {
                ack.TrySetResult(args!);
            }
            else
            {
                ack.TrySetException(error);
            }
        }, timeout, cancellationToken);

    /// <summary>An acknowledgement given up (timeout, cancellation): its packet, if still buffered, is not sent.</summary>
    private void DropBuffered(long id)
    {
        lock (_gate)
        {
            _sendBuffer.RemoveAll(p => p.Id == id);
        }
    }

    private void NotifyOutgoing(SocketIoPacket packet)
    {
        if (_anyOutgoing.Items.Length == 0)
        {
            return;
        }

        string name = packet.EventName;
        SocketIoArgs args = SocketIoArgs.FromPacket(packet, JsonOptions);
        _anyOutgoing.Invoke(static (h, s) => h(s.name, s.args), (name, args), Io.HandlerFailed);
    }

    // ------------------------------------------------------------------ retries (at-least-once)

    private void AddToQueue(in EventData data, EmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack)
    {
        var queued = new QueuedEmit(data, flags with { FromQueue = true }, ack);
        lock (_gate)
        {
            _queue.Add(queued);
        }

        DrainQueue(force: false);
    }

    private void DrainQueue(bool force)
    {
        QueuedEmit queued;
        lock (_gate)
        {
            if (!_connected || _queue.Count == 0)
            {
                return;
            }

            queued = _queue[0];
            if (queued.Pending && !force)
            {
                return;
            }

            queued.Pending = true;
            queued.TryCount++;
        }

        var attempt = new TaskCompletionSource<SocketIoArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        attempt.Task.ContinueWith(
            static (task, state) =>
            {
                var (socket, queued) = ((SocketIoClient, QueuedEmit))state!;
                socket.OnQueuedAck(queued, task);
            },
            (this, queued),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Send(queued.Data, queued.Flags with { Timeout = queued.Flags.Timeout ?? _options.AckTimeout }, attempt, CancellationToken.None);
    }

    private void OnQueuedAck(QueuedEmit queued, Task<SocketIoArgs> attempt)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 || _queue[0] != queued)
            {
                return; // already acknowledged
            }

            if (attempt.IsCompletedSuccessfully)
            {
                _queue.RemoveAt(0);
                queued.Ack?.TrySetResult(attempt.Result);
            }
            else if (queued.TryCount > _options.Retries)
            {
                _queue.RemoveAt(0);
                queued.Ack?.TrySetException(attempt.Exception!.InnerException!);
            }

            queued.Pending = false;
        }

        DrainQueue(force: false);
    }

    private sealed class QueuedEmit(EventData data, EmitFlags flags, TaskCompletionSource<SocketIoArgs>? ack)
    {
        public EventData Data { get; } = data;

        public EmitFlags Flags { get; } = flags;

        public TaskCompletionSource<SocketIoArgs>? Ack { get; } = ack;

        public int TryCount { get; set; }

        public bool Pending { get; set; }
    }
}
