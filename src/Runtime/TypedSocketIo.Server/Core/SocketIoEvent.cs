using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>An event received from a client, with its arguments and, when asked for, its ack.</summary>
public sealed class SocketIoEvent
{
    private readonly Socket _socket;
    private readonly long? _ackId;
    private int _acked;

    internal SocketIoEvent(Socket socket, string name, SocketIoArgs args, long? ackId)
    {
        _socket = socket;
        Name = name;
        Args = args;
        _ackId = ackId;
    }

    /// <summary>The socket that received the event.</summary>
    public Socket Socket => _socket;

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The arguments.</summary>
    public SocketIoArgs Args { get; }

    /// <summary>Whether the client asked for an acknowledgement.</summary>
    public bool HasAck => _ackId is not null;

    /// <summary>Whether the acknowledgement was sent already.</summary>
    public bool Acknowledged => Volatile.Read(ref _acked) == 1;

    /// <summary>Sends the acknowledgement with <paramref name="args"/>; only the first call sends.</summary>
    /// <returns>False when no ack was asked for, it was sent already, or the socket is gone.</returns>
    public bool Ack(params object?[] args)
    {
        if (_ackId is not { } id || Interlocked.Exchange(ref _acked, 1) == 1)
        {
            return false;
        }

        return _socket.SendAck(id, args);
    }

    /// <summary>Sends the acknowledgement with pre-encoded JSON array data and attachments.</summary>
    public bool AckRaw(ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (_ackId is not { } id || Interlocked.Exchange(ref _acked, 1) == 1)
        {
            return false;
        }

        return _socket.SendAckRaw(id, jsonArray, attachments ?? Array.Empty<ReadOnlyMemory<byte>>());
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}{Args}";
}
