using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// A connection whose first request is taken at the listener: the bytes after its head, where the
/// answer goes, and how it is cut. Over Kestrel's connection (its pipes, <see cref="PipeConnection"/>),
/// or over the bare socket when the server's own transport accepted it (<see cref="BareSocketConnection"/>).
/// </summary>
internal abstract class DirectConnection
{
    public abstract string ConnectionId { get; }

    public abstract EndPoint? RemoteEndPoint { get; }

    public abstract EndPoint? LocalEndPoint { get; }

    /// <summary>Whether the bytes came through TLS.</summary>
    public abstract bool IsTls { get; }

    /// <summary>Cancelled when the connection is cut or closed.</summary>
    public abstract CancellationToken Closed { get; }

    /// <summary>Writes <paramref name="bytes"/> (an answer's head, with its body) and sends them.</summary>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>
    /// Writes the 101's <paramref name="head"/> and returns the connection after it, as a stream:
    /// reads wait for data without holding a buffer.
    /// </summary>
    public abstract ValueTask<Stream> UpgradeAsync(byte[] head);

    /// <summary>Cuts the connection at once.</summary>
    public abstract void Abort();

    /// <summary>
    /// The request taken here is over (its answer written, or its session ended): a connection
    /// that is the server's own closes; Kestrel's closes when its middleware returns.
    /// </summary>
    public virtual void Ended()
    {
    }
}

/// <summary>A connection of Kestrel's transport, taken by the listener's connection middleware.</summary>
internal sealed class PipeConnection(ConnectionContext connection) : DirectConnection
{
    public override string ConnectionId => connection.ConnectionId;

    public override EndPoint? RemoteEndPoint => connection.RemoteEndPoint;

    public override EndPoint? LocalEndPoint => connection.LocalEndPoint;

    public override bool IsTls => connection.Features.Get<ITlsHandshakeFeature>() is not null;

    public override CancellationToken Closed => connection.ConnectionClosed;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) =>
        await connection.Transport.Output.WriteAsync(bytes).ConfigureAwait(false);

    /// <summary>A small head is held to be flushed with the first frame (<see cref="HeldBytes"/>).</summary>
    public override async ValueTask<Stream> UpgradeAsync(byte[] head)
    {
        if (head.Length <= HeldBytes.Most)
        {
            return new DuplexPipeStream(connection.Transport, head);
        }

        await WriteAsync(head).ConfigureAwait(false);
        return new DuplexPipeStream(connection.Transport);
    }

    public override void Abort() => connection.Abort(new ConnectionAbortedException("The Engine.IO session aborted its connection."));
}
