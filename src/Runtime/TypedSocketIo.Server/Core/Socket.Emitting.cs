using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>The socket's emits: to its client, with acknowledgements (bounded by MaxPendingAcks), and the broadcasts it starts.</summary>
public sealed partial class Socket
{
    // ------------------------------------------------------------------ emitting

    /// <summary>Emits an event to this client.</summary>
    /// <returns>Always true, as the reference's emit (a dropped volatile packet included).</returns>
    /// <exception cref="ArgumentException">The event name is reserved.</exception>
    public bool Emit(string eventName, params object?[] args) => new SocketEmitter(this, default).Emit(eventName, args);

    /// <summary>Emits a <c>message</c> event (the reference's <c>socket.send</c>).</summary>
    public bool Send(params object?[] args) => Emit("message", args);

    /// <summary>Same as <see cref="Send(object?[])"/> (the reference's <c>socket.write</c>).</summary>
    public bool Write(params object?[] args) => Emit("message", args);

    /// <summary>Emits an event without arguments and waits for the client's acknowledgement.</summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, CancellationToken cancellationToken = default) =>
        new SocketEmitter(this, default).EmitWithAck(eventName, cancellationToken);

    /// <summary>
    /// Emits an event and waits for the client's acknowledgement. The arguments are an array
    /// (<c>EmitWithAck("ask", ["question"], token)</c>), so a token is never taken for an argument.
    /// </summary>
    public Task<SocketIoArgs> EmitWithAck(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        new SocketEmitter(this, default).EmitWithAck(eventName, args, cancellationToken);

    /// <summary>Emits with acknowledgements that fail with <see cref="SocketIoTimeoutException"/> after <paramref name="timeout"/>.</summary>
    public SocketEmitter Timeout(TimeSpan timeout) => new(this, new EmitFlags { Timeout = timeout });

    /// <summary>Emits that are dropped when the transport is not ready to send.</summary>
    public SocketEmitter Volatile => new(this, new EmitFlags { Volatile = true });

    /// <summary>Emits whose compression is set explicitly (on by default).</summary>
    public SocketEmitter Compress(bool compress) => new(this, new EmitFlags { Compress = compress });

    /// <summary>Broadcasts to every socket of the namespace but this one.</summary>
    public BroadcastOperator Broadcast => Namespace.NewBroadcast().Except(Id);

    /// <summary>Broadcasts to <paramref name="room"/> (and further rooms added), this socket excluded.</summary>
    public BroadcastOperator To(string room) => Broadcast.To(room);

    /// <summary>Broadcasts to these rooms, this socket excluded.</summary>
    public BroadcastOperator To(IEnumerable<string> rooms) => Broadcast.To(rooms);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator In(string room) => Broadcast.To(room);

    /// <summary>Broadcasts to every socket but those in <paramref name="room"/> (and this one).</summary>
    public BroadcastOperator Except(string room) => Broadcast.Except(room);

    /// <summary>Broadcasts to this node's sockets only.</summary>
    public BroadcastOperator Local => Broadcast.Local;

    internal bool Send(string eventName, object?[] args, EmitFlags flags, long? ackId) =>
        Send(Pipeline.Encode(eventName, args, Server.JsonOptions), flags, ackId);

    internal bool Send(in EventData data, EmitFlags flags, long? ackId)
    {
        SocketIoPacket packet = Pipeline.EventPacket(Namespace.Name, data, ackId);
        if (Server.Options.ConnectionStateRecovery is not null)
        {
            // As the reference: through the adapter, to the socket's own room, so the event is
            // logged (and carries an offset) and reaches the client again after a recovery.
            Namespace.Adapter.Broadcast(packet, new BroadcastOptions(new HashSet<string>(1, StringComparer.Ordinal) { Id }, InMemoryAdapter.EmptySet, flags));
            return true;
        }

        NotifyOutgoing(packet);
        Connection.WritePacket(packet, flags.Volatile, flags.Compress ?? true);
        return true;
    }

    internal Task<SocketIoArgs> SendWithAck(string eventName, object?[] args, EmitFlags flags, CancellationToken cancellationToken) =>
        SendWithAck(Pipeline.Encode(eventName, args, Server.JsonOptions), flags, cancellationToken);

    internal Task<SocketIoArgs> SendWithAck(in EventData data, EmitFlags flags, CancellationToken cancellationToken)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        if (!Connected)
        {
            return Task.FromException<SocketIoArgs>(new SocketIoException("The socket is disconnected."));
        }

        long id = Namespace.NextAckId();
        Task<SocketIoArgs>? answer = _acks.TryExpect(id, data.Name, flags.Timeout, cancellationToken);
        if (answer is null)
        {
            DropForTooManyAcks();
            return Task.FromException<SocketIoArgs>(new SocketIoException("The client owes too many acknowledgements (MaxPendingAcks) and was disconnected."));
        }

        Send(data, flags, id);
        return answer;
    }

    /// <summary>Registers an ack expected for a broadcast packet with id <paramref name="id"/>; false when the client was dropped for owing too many.</summary>
    internal bool ExpectAck(long id, Action<SocketIoArgs?, Exception?> callback)
    {
        if (_acks.TryAdd(id, eventName: string.Empty, callback)) // no timeout here: the broadcast keeps its own
        {
            return true;
        }

        DropForTooManyAcks();
        return false;
    }

    /// <summary>
    /// A client that owes MaxPendingAcks acknowledgements does not answer, and what waits for it
    /// must not grow without end: it is disconnected.
    /// </summary>
    private void DropForTooManyAcks()
    {
        int limit = Server.Options.MaxPendingAcks;
        Connection.DropForLimit(nameof(SocketIoServerOptions.MaxPendingAcks), $"more than {limit} acknowledgements owed by the client");
    }

    internal bool SendAckRaw(long id, ReadOnlyMemory<byte> data, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        if (!Connected)
        {
            return false;
        }

        Connection.WritePacket(new SocketIoPacket(SocketIoPacketType.Ack, Namespace.Name, id, data, attachments), isVolatile: false, compress: true);
        return true;
    }

    internal void NotifyOutgoing(SocketIoPacket packet)
    {
        Action<string, SocketIoArgs>[] listeners = _anyOutgoingListeners.Items;
        if (listeners.Length == 0 || packet.Type != SocketIoPacketType.Event)
        {
            return;
        }

        string name = packet.EventName;
        var args = SocketIoArgs.FromPacket(packet, Server.JsonOptions);
        foreach (Action<string, SocketIoArgs> listener in listeners)
        {
            try
            {
                listener(name, args);
            }
            catch (Exception ex)
            {
                Server.Log.HandlerFailed(Id, "any outgoing", ex);
            }
        }
    }
}
