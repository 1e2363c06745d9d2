using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using NetSocket = System.Net.Sockets.Socket;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// Kestrel's socket transport, with the listeners that take Socket.IO's WebSockets
/// (<c>UseSocketIoWebSockets</c>) accepted here: each connection's first bytes are looked at
/// without taking them. A WebSocket upgrade of an Engine.IO endpoint whose head came whole is
/// served on the bare socket, with no Kestrel connection, pipes or HTTP layer while its session
/// lasts. Every other connection is made into Kestrel's own socket connection, with its bytes still
/// unread, and goes on through the listener's middleware to ASP.NET Core. Every other listener is
/// bound by Kestrel's socket transport itself, with the same options.
/// </summary>
internal sealed class DirectSocketTransport(IOptions<SocketTransportOptions> options, ILoggerFactory loggerFactory)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly List<(EndPoint EndPoint, DirectRequests Requests)> _listeners = [];
    private readonly SocketTransportFactory _kestrel = new(options, loggerFactory);

    /// <summary>Takes the WebSockets of the listener at <paramref name="endPoint"/>, served by <paramref name="requests"/>.</summary>
    public void Add(EndPoint endPoint, DirectRequests requests)
    {
        lock (_listeners)
        {
            _listeners.Add((endPoint, requests));
        }
    }

    /// <summary>
    /// The requests of the listener at <paramref name="endPoint"/>: the one configured with it, or
    /// (a listener Kestrel binds as several, such as localhost on IPv4 and IPv6) one on its port.
    /// </summary>
    private DirectRequests? Find(EndPoint endPoint)
    {
        lock (_listeners)
        {
            foreach ((EndPoint added, DirectRequests requests) in _listeners)
            {
                if (ReferenceEquals(added, endPoint)
                    || (added is IPEndPoint ip && endPoint is IPEndPoint other && ip.Port != 0 && ip.Port == other.Port))
                {
                    return requests;
                }
            }
        }

        return null;
    }

    public bool CanBind(EndPoint endpoint) => _kestrel.CanBind(endpoint);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint || Find(endpoint) is not { } requests)
        {
            return _kestrel.BindAsync(endpoint, cancellationToken);
        }

        SocketTransportOptions settings = options.Value;
        NetSocket listenSocket;
        try
        {
            listenSocket = settings.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(ex.Message, ex);
        }

        try
        {
            listenSocket.Listen(settings.Backlog);
        }
        catch
        {
            listenSocket.Dispose();
            throw;
        }

        var connections = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = settings.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = settings.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = settings.MaxReadBufferSize,
                MaxWriteBufferSize = settings.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = settings.UnsafePreferInlineScheduling,
            },
            loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        return new ValueTask<IConnectionListener>(new DirectSocketListener(listenSocket, settings.NoDelay, settings.Backlog, requests, connections));
    }
}

/// <summary>
/// One listening socket of <see cref="DirectSocketTransport"/>: its accept loop, the look at each
/// connection's first bytes, the sessions it serves itself, and the connections it hands to Kestrel.
/// </summary>
internal sealed class DirectSocketListener : IConnectionListener
{
    private readonly NetSocket _listenSocket;
    private readonly bool _noDelay;
    private readonly DirectRequests _requests;
    private readonly SocketConnectionContextFactory _connections;

    // The connections for Kestrel, as many waiting as the listen backlog: past that the accept loop
    // waits, as the kernel's queue would.
    private readonly Channel<ConnectionContext> _forKestrel;
    private readonly Task _acceptLoop;
    private bool _unbound;

    // The sessions served here: cut when the listener is disposed (Kestrel does not know of them).
    private readonly BareSocketConnection.List _served = new();

    public DirectSocketListener(NetSocket listenSocket, bool noDelay, int backlog, DirectRequests requests, SocketConnectionContextFactory connections)
    {
        _listenSocket = listenSocket;
        _noDelay = noDelay;
        _requests = requests;
        _connections = connections;
        EndPoint = listenSocket.LocalEndPoint!;
        _forKestrel = Channel.CreateBounded<ConnectionContext>(new BoundedChannelOptions(Math.Max(backlog, 16)) { SingleWriter = false });
        _acceptLoop = AcceptLoopAsync();
    }

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _forKestrel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null; // unbound: Kestrel's accept loop ends
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            NetSocket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || (ex is SocketException && Volatile.Read(ref _unbound)))
            {
                break; // unbound
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the client left before it was accepted
            }
            catch (SocketException)
            {
                // Out of descriptors or memory, for now: accept again shortly, as the kernel's queue waits.
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }

            socket.NoDelay = _noDelay;
            // Each connection on the thread pool, as Kestrel dispatches its own: the loop goes back
            // to accepting at once.
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Listener.TriageAsync(state.Socket), (Listener: this, Socket: socket), preferLocal: false);
        }

        _forKestrel.Writer.TryComplete();
    }

    /// <summary>
    /// Looks at the connection's first bytes without taking them: a WebSocket upgrade this listener
    /// takes, whole, is read and served here; anything else (another request, a head not whole in
    /// its first bytes, TLS) goes to Kestrel with its bytes still unread.
    /// </summary>
    /// <remarks>
    /// Nothing escapes: whatever fails here closes the socket. A session served here is not awaited:
    /// it closes its socket when it ends (<see cref="DirectConnection.Ended"/>).
    /// </remarks>
    private async Task TriageAsync(NetSocket socket)
    {
        // From here the stream owns the socket: it waits for the first bytes on the server's reactor.
        var stream = new BareSocketStream(socket, SocketReactor.Shared, SocketReactor.Inline);
        try
        {
            (RequestHead? head, int headLength) = await PeekHeadAsync(stream).ConfigureAwait(false);
            if (head is null)
            {
                stream.Detach();
                await HandToKestrelAsync(socket).ConfigureAwait(false);
                return;
            }

            var connection = new BareSocketConnection(socket, stream, _served);
            await connection.ConsumeAsync(headLength).ConfigureAwait(false);
            _served.Add(connection);
            _requests.Serve(connection, head);
        }
        catch (Exception)
        {
            // No first byte within the listener's headers timeout (cut, as Kestrel cuts it), the
            // client gone before its first request was whole, or a failure here: only this connection pays.
            stream.Abort();
        }
    }

    private async ValueTask<(RequestHead? Head, int Length)> PeekHeadAsync(BareSocketStream stream)
    {
        DirectEndpoints endpoints = _requests.Endpoints;
        if (endpoints.IsEmpty)
        {
            return (null, 0);
        }

        DirectLimits limits = _requests.Limits;
        // The first bytes, without taking them; a connection that sends none in time is cut. By a
        // timer on the shared wheel, not a token: a token's registration would stay with the
        // socket's receive operation (where .NET's receive is used) for the session's life.
        ScheduledTimer cut = TimerScheduler.Shared.CreateTimer(static s => ((BareSocketStream)s).Abort(), stream);
        cut.Schedule(limits.RequestHeadersTimeout);
        try
        {
            await stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
        }
        finally
        {
            cut.Cancel();
        }

        // A head is most often well under 4 KB: a look at that much first, then, if it filled the
        // buffer without ending, at the most a head taken here can be (its request line, its
        // header fields and the empty line).
        int most = limits.MaxRequestLineSize + limits.MaxRequestHeadersTotalSize + 4;
        int size = Math.Min(FirstLook, most);
        while (true)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                int peeked = await stream.PeekAsync(buffer.AsMemory(0, size)).ConfigureAwait(false);
                var reader = new RequestHeadReader(endpoints, limits);
                var bytes = new ReadOnlySequence<byte>(buffer, 0, peeked);
                switch (reader.Read(bytes, out RequestHead? head, out SequencePosition end))
                {
                    case HeadVerdict.Take:
                        return (head, (int)bytes.Slice(0, end).Length);
                    case HeadVerdict.NeedMore when peeked == size && size < most:
                        size = most;
                        continue;
                    default:
                        return (null, 0);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private const int FirstLook = 4096;

    private async Task HandToKestrelAsync(NetSocket socket)
    {
        ConnectionContext connection;
        try
        {
            connection = _connections.Create(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }

        try
        {
            await _forKestrel.Writer.WriteAsync(connection).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await connection.DisposeAsync().ConfigureAwait(false); // unbound meanwhile
        }
    }

    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _unbound, true);
        _listenSocket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        while (_forKestrel.Reader.TryRead(out ConnectionContext? left))
        {
            await left.DisposeAsync().ConfigureAwait(false);
        }

        _served.AbortAll();
        _connections.Dispose();
    }
}

/// <summary>
/// A connection served on its bare socket: no pipes; after the 101 a stream whose zero-byte reads
/// wait for data holding no buffer. The stream owns the socket and closes it.
/// </summary>
internal sealed class BareSocketConnection(NetSocket socket, BareSocketStream stream, BareSocketConnection.List served) : DirectConnection
{
    private static long s_lastId;

    private string? _id;
    private CancellationTokenSource? _closed;
    private int _ended;

    // Neighbours in the listener's list of the sessions it serves.
    private BareSocketConnection? _previous;
    private BareSocketConnection? _next;

    public override string ConnectionId => _id ??= "S" + Interlocked.Increment(ref s_lastId).ToString("X12", System.Globalization.CultureInfo.InvariantCulture);

    public override EndPoint? RemoteEndPoint => socket.RemoteEndPoint;

    public override EndPoint? LocalEndPoint => socket.LocalEndPoint;

    public override bool IsTls => false;

    public override CancellationToken Closed
    {
        get
        {
            if (Volatile.Read(ref _closed) is { } closed)
            {
                return closed.Token;
            }

            var created = new CancellationTokenSource();
            closed = Interlocked.CompareExchange(ref _closed, created, null) ?? created;
            if (Volatile.Read(ref _ended) != 0)
            {
                closed.Cancel();
            }

            return closed.Token;
        }
    }

    /// <summary>Takes the <paramref name="count"/> bytes of the head, which are in the socket already (they were peeked).</summary>
    public async ValueTask ConsumeAsync(int count)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(count, 4096));
        try
        {
            while (count > 0)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(count, buffer.Length))).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The connection ended within its request's head.");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Through the same stream as the session's (a write tried at once): the handshake's answer leaves no send state on the socket either.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => stream.WriteAsync(bytes);

    /// <summary>The head is held to leave with the first frame, in one send (<see cref="BareSocketStream.WriteFirstAsync"/>).</summary>
    public override async ValueTask<Stream> UpgradeAsync(byte[] head)
    {
        await stream.WriteFirstAsync(head).ConfigureAwait(false);
        return stream;
    }

    public override void Abort()
    {
        End();
        stream.Abort();
    }

    /// <summary>The request (or its session) is over: the socket closes, after what was sent.</summary>
    public override void Ended()
    {
        served.Remove(this);
        End();
        stream.Dispose();
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0 && Volatile.Read(ref _closed) is { } closed)
        {
            try
            {
                closed.Cancel();
            }
            catch (AggregateException)
            {
                // a callback of the application's failed: the connection closes all the same
            }
        }
    }

    /// <summary>The sessions a listener serves, linked through themselves: no node per session.</summary>
    internal sealed class List
    {
        private readonly Lock _lock = new();
        private BareSocketConnection? _first;

        public void Add(BareSocketConnection connection)
        {
            lock (_lock)
            {
                connection._next = _first;
                if (_first is not null)
                {
                    _first._previous = connection;
                }

                _first = connection;
            }
        }

        public void Remove(BareSocketConnection connection)
        {
            lock (_lock)
            {
                if (connection._previous is null && _first != connection)
                {
                    return; // not in the list
                }

                if (connection._previous is { } previous)
                {
                    previous._next = connection._next;
                }
                else
                {
                    _first = connection._next;
                }

                if (connection._next is { } next)
                {
                    next._previous = connection._previous;
                }

                connection._previous = connection._next = null;
            }
        }

        public void AbortAll()
        {
            List<BareSocketConnection> all = [];
            lock (_lock)
            {
                for (BareSocketConnection? c = _first; c is not null; c = c._next)
                {
                    all.Add(c);
                }
            }

            foreach (BareSocketConnection connection in all)
            {
                connection.Abort();
            }
        }
    }
}
