using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>
/// A Socket.IO server (the reference's <c>Server</c>), created by <c>AddSocketIo</c> and served by
/// <c>MapSocketIo</c> (whose endpoint convention builder carries it as <c>Server</c>). Its own methods
/// act on the main namespace <c>/</c>.
/// </summary>
public sealed partial class SocketIoServer
{
    private readonly ConcurrentDictionary<string, Namespace> _namespaces = new(StringComparer.Ordinal);
    private readonly List<ParentNamespace> _parents = new();
    private int _mapped;
    private int _closed;

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of the server's metrics (see docs/server.md).</summary>
    public const string MeterName = EngineIOServer.MeterName;

    /// <summary>Creates a server; <c>AddSocketIo</c> does this for you.</summary>
    public SocketIoServer(SocketIoServerOptions options, ILoggerFactory loggerFactory)
        : this(options, loggerFactory, meterFactory: null)
    {
    }

    /// <summary>
    /// Creates a server whose metrics go to a <see cref="MeterName"/> meter of
    /// <paramref name="meterFactory"/> (a meter of its own when null); <c>AddSocketIo</c> does this for you.
    /// </summary>
    public SocketIoServer(SocketIoServerOptions options, ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Options = options;
        JsonOptions = SocketIoJson.CreateOptions(options.JsonSerializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Metrics = new SocketIoMetrics(new EngineMetrics(meterFactory));
        Engine = new EngineIOServer(options, loggerFactory.CreateLogger<EngineIOServer>()) { Metrics = Metrics.Engine };
        Log = new SocketIoLog(loggerFactory.CreateLogger<SocketIoServer>());
        Metrics.ObserveNamespaces(this);
        Engine.Connection += conn => _ = new SocketIoConnection(this, conn);
        Of("/");
    }

    /// <summary>The options.</summary>
    public SocketIoServerOptions Options { get; }

    /// <summary>The Engine.IO server underneath.</summary>
    public EngineIOServer Engine { get; }

    internal JsonSerializerOptions JsonOptions { get; }

    /// <summary>The application's services (class-based handlers are resolved from a scope of them per connection).</summary>
    public IServiceProvider? Services { get; init; }

    internal SocketIoLog Log { get; }

    internal SocketIoMetrics Metrics { get; }

    /// <summary>Whether <see cref="Close"/> ran (it also runs when the host stops): the server accepts no more connections.</summary>
    public bool IsClosed => System.Threading.Volatile.Read(ref _closed) == 1;

    /// <summary>The main namespace, <c>/</c>.</summary>
    public Namespace Sockets => _namespaces["/"];

    /// <summary>The namespaces that exist, dynamic children included.</summary>
    public IReadOnlyDictionary<string, Namespace> Namespaces => _namespaces;

    /// <summary>Raised when a namespace is created (by <see cref="Of(string)"/> or a dynamic match).</summary>
    public event Action<Namespace>? NewNamespace;

    /// <summary>The namespace called <paramref name="name"/>, created on first use.</summary>
    public Namespace Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith('/'))
        {
            name = "/" + name;
        }

        bool created = false;
        Namespace nsp = _namespaces.GetOrAdd(name, n =>
        {
            created = true;
            // A name that a regex parent matches becomes that parent's child, as in the reference.
            ParentNamespace? parent;
            lock (_parents)
            {
                parent = _parents.FirstOrDefault(p => p.Pattern?.IsMatch(n) == true);
            }

            return parent?.CreateChild(n) ?? new Namespace(this, n);
        });
        if (created)
        {
            NewNamespace?.Invoke(nsp);
        }

        return nsp;
    }

    /// <summary>A dynamic namespace: every name matching <paramref name="pattern"/> becomes a child namespace.</summary>
    public ParentNamespace Of(Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return AddParent("regex:" + pattern, (name, _) => ValueTask.FromResult(pattern.IsMatch(name)), pattern);
    }

    /// <summary>A dynamic namespace: every name the predicate accepts (given the name and the auth payload) becomes a child namespace.</summary>
    public ParentNamespace Of(Func<string, JsonElement, ValueTask<bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return AddParent("predicate:" + _parents.Count, predicate);
    }

    private ParentNamespace AddParent(string name, Func<string, JsonElement, ValueTask<bool>> matcher, Regex? pattern = null)
    {
        var parent = new ParentNamespace(this, name, matcher, pattern);
        lock (_parents)
        {
            _parents.Add(parent);
        }

        return parent;
    }

    internal async ValueTask<Namespace?> ResolveNamespaceAsync(string name, JsonElement auth)
    {
        if (_namespaces.TryGetValue(name, out Namespace? existing))
        {
            return existing;
        }

        ParentNamespace[] parents;
        lock (_parents)
        {
            parents = _parents.ToArray();
        }

        foreach (ParentNamespace parent in parents)
        {
            if (await parent.MatchesAsync(name, auth).ConfigureAwait(false))
            {
                if (_namespaces.TryGetValue(name, out existing))
                {
                    return existing;
                }

                Namespace child = parent.CreateChild(name);
                if (_namespaces.TryAdd(name, child))
                {
                    NewNamespace?.Invoke(child);
                }

                return _namespaces[name];
            }
        }

        return null;
    }

    internal void RemoveNamespace(Namespace nsp) => _namespaces.TryRemove(new KeyValuePair<string, Namespace>(nsp.Name, nsp));

    // ------------------------------------------------------------------ the main namespace

    /// <summary>Adds connection middleware to the main namespace.</summary>
    public SocketIoServer Use(Func<Socket, Func<Task>, Task> middleware)
    {
        Sockets.Use(middleware);
        return this;
    }

    /// <summary>Adds a connection handler to the main namespace.</summary>
    public SocketIoServer OnConnection(Action<Socket> handler)
    {
        Sockets.OnConnection(handler);
        return this;
    }

    /// <summary>Adds an asynchronous connection handler to the main namespace.</summary>
    public SocketIoServer OnConnection(Func<Socket, Task> handler)
    {
        Sockets.OnConnection(handler);
        return this;
    }

    /// <summary>Emits to every socket of the main namespace.</summary>
    public bool Emit(string eventName, params object?[] args) => Sockets.Emit(eventName, args);

    /// <summary>Emits a <c>message</c> event to the main namespace (the reference's <c>io.send</c>).</summary>
    public bool Send(params object?[] args) => Sockets.Send(args);

    /// <summary>Same as <see cref="Send"/> (the reference's <c>io.write</c>).</summary>
    public bool Write(params object?[] args) => Sockets.Write(args);

    /// <summary>The ids of the sockets of the main namespace.</summary>
    public Task<IReadOnlySet<string>> AllSockets() => Sockets.AllSockets();

    /// <summary>Targets a room of the main namespace.</summary>
    public BroadcastOperator To(string room) => Sockets.To(room);

    /// <summary>Targets rooms of the main namespace.</summary>
    public BroadcastOperator To(IEnumerable<string> rooms) => Sockets.To(rooms);

    /// <summary>Same as <see cref="To(string)"/>.</summary>
    public BroadcastOperator In(string room) => Sockets.In(room);

    /// <summary>Excludes a room of the main namespace.</summary>
    public BroadcastOperator Except(string room) => Sockets.Except(room);

    /// <summary>This node only.</summary>
    public BroadcastOperator Local => Sockets.Local;

    /// <summary>Volatile broadcast.</summary>
    public BroadcastOperator Volatile => Sockets.Volatile;

    /// <summary>Broadcast with compression set.</summary>
    public BroadcastOperator Compress(bool compress) => Sockets.Compress(compress);

    /// <summary>Broadcast with acknowledgements collected for <paramref name="timeout"/>.</summary>
    public BroadcastOperator Timeout(TimeSpan timeout) => Sockets.Timeout(timeout);

    /// <summary>The sockets of the main namespace.</summary>
    public Task<IReadOnlyList<RemoteSocket>> FetchSockets() => Sockets.FetchSockets();

    /// <summary>Makes every socket of the main namespace join rooms.</summary>
    public void SocketsJoin(params string[] rooms) => Sockets.SocketsJoin(rooms);

    /// <summary>Makes every socket of the main namespace leave rooms.</summary>
    public void SocketsLeave(params string[] rooms) => Sockets.SocketsLeave(rooms);

    /// <summary>Disconnects every socket of the main namespace.</summary>
    public void DisconnectSockets(bool close = false) => Sockets.DisconnectSockets(close);

    /// <summary>Emits to the other servers of a cluster (none with a single server).</summary>
    public bool ServerSideEmit(string eventName, params object?[] args) => Sockets.ServerSideEmit(eventName, args);

    /// <summary>
    /// Disconnects every socket of every namespace (reason <c>server shutting down</c>) and closes the
    /// Engine.IO server. Also runs when the host stops.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        foreach (Namespace nsp in _namespaces.Values)
        {
            foreach (Socket socket in nsp.Sockets.Values)
            {
                socket.OnClose("server shutting down", null);
            }

            nsp.Adapter.Close();
        }

        Engine.Close();
    }

    // ------------------------------------------------------------------ mapping

    internal bool IsMapped => System.Threading.Volatile.Read(ref _mapped) != 0;

    /// <summary>Records that an endpoint serves the server; a server is served by one endpoint only.</summary>
    internal void MarkMapped()
    {
        if (Interlocked.Exchange(ref _mapped, 1) != 0)
        {
            throw new InvalidOperationException("This Socket.IO server is mapped already.");
        }
    }
}
