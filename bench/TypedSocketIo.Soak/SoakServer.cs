using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TypedSocketIo.Server;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Soak;

/// <summary>One sample of the server process.</summary>
internal sealed record ServerSample
{
    public required double T { get; init; }
    public required long HeapBytes { get; init; }
    public required long HeapAfterGcBytes { get; init; }
    public required long CommittedBytes { get; init; }

    /// <summary>The heap right after a forced full compacting collection, on the samples that took one (else -1).</summary>
    public required long LiveHeapBytes { get; init; }
    public required long WorkingSetBytes { get; init; }
    public required long PrivateBytes { get; init; }
    public required int Fds { get; init; }
    public required int Threads { get; init; }
    public required int PoolThreads { get; init; }
    public required long PoolQueue { get; init; }
    public required int Sessions { get; init; }
    public required int Sockets { get; init; }
    public required long DroppedSendBufferFull { get; init; }
    public required long PingTimeouts { get; init; }
    public required long Closes { get; init; }
    public required long Connections { get; init; }
    public required int Gen0 { get; init; }
    public required int Gen1 { get; init; }
    public required int Gen2 { get; init; }
    public required double GcPauseMs { get; init; }
    public required double CpuSeconds { get; init; }
    public required long AllocatedBytes { get; init; }
    public required int LogWarnings { get; init; }
    public required int LogErrors { get; init; }
    public required Dictionary<string, long> CloseReasons { get; init; }
}

/// <summary>
/// The server process: <c>MapSocketIo()</c> on 127.0.0.1 with default options (but
/// <c>MaxSendBufferSize</c> when given). Clients join the room named in their query and, with
/// <c>feed=1</c>, the feed room; <c>echo</c> is acknowledged with its argument, <c>say</c> is
/// broadcast to the sender's room as <c>said</c>, and a timer broadcasts a feed message to the feed
/// room. Talks to the load process over stdout (READY, SAMPLE and CLOSED lines) and stops on
/// <c>stop</c> from stdin, when stdin closes, or at its own deadline.
/// </summary>
internal static class SoakServer
{
    public const string ReadyTag = "##READY## ";
    public const string SampleTag = "##SAMPLE## ";
    public const string ClosedTag = "##CLOSED## ";

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly ConcurrentDictionary<string, long> Reasons = new(StringComparer.Ordinal);
    private static long _dropped, _pingTimeouts, _closes, _connections;
    private static int _logWarnings, _logErrors;

    public static async Task<int> RunAsync(SoakOptions options)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new CountingLoggerProvider());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSocketIo(o =>
        {
            if (options.MaxSendBufferSize is { } max)
            {
                o.MaxSendBufferSize = max;
            }
        });

        await using WebApplication app = builder.Build();
        SocketIoServer io = app.MapSocketIo();
        io.Engine.Connection += connection =>
        {
            Interlocked.Increment(ref _connections);
            connection.Closed += OnEngineClosed;
        };
        io.OnConnection(socket =>
        {
            string room = socket.Handshake.Query["room"].ToString();
            if (room.Length > 0)
            {
                _ = socket.Join(room).AsTask();
            }

            if (socket.Handshake.Query["feed"] == "1")
            {
                _ = socket.Join("feed").AsTask();
            }

            socket.On("echo", static e => e.Ack(e.Args.GetString(0)));
            socket.On("say", e =>
            {
                if (room.Length > 0)
                {
                    io.To(room).Emit("said", e.Args.GetString(0));
                }
            });
        });

        using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(startTimeout.Token).ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        long start = Stopwatch.GetTimestamp();

        // The baseline, before any connection: what the started server holds.
        Console.WriteLine(SampleTag + JsonSerializer.Serialize(Take(io, 0, fullGc: true), Json));
        Console.WriteLine($"{ReadyTag}{address.Port}");

        // Stop on "stop", when the load process goes away (stdin closes), or at the latest well after the planned end.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Duration + 600));
        _ = Task.Run(() =>
        {
            while (Console.In.ReadLine() is { } line)
            {
                if (line == "stop")
                {
                    break;
                }
            }

            stop.Cancel();
        });

        Task feed = FeedAsync(io, options, stop.Token);
        long lastFullGc = start;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Sample));
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                bool fullGc = options.FullGcEvery > 0 && Stopwatch.GetElapsedTime(lastFullGc).TotalSeconds >= options.FullGcEvery - 0.001;
                if (fullGc)
                {
                    lastFullGc = Stopwatch.GetTimestamp();
                }

                ServerSample sample = Take(io, Stopwatch.GetElapsedTime(start).TotalSeconds, fullGc);
                Console.WriteLine(SampleTag + JsonSerializer.Serialize(sample, Json));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        // A last sample with a full collection: what is left once the load is gone.
        Console.WriteLine(SampleTag + JsonSerializer.Serialize(Take(io, Stopwatch.GetElapsedTime(start).TotalSeconds, fullGc: true), Json));
        await feed.ConfigureAwait(false);
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        return 0;
    }

    private static void OnEngineClosed(EngineSocket session, string reason, string? description)
    {
        Interlocked.Increment(ref _closes);
        string key = description is null ? reason : $"{reason}: {description}";
        Reasons.AddOrUpdate(key, 1, static (_, n) => n + 1);
        if (description == "send buffer full")
        {
            Interlocked.Increment(ref _dropped);
        }
        else if (reason == "ping timeout")
        {
            Interlocked.Increment(ref _pingTimeouts);
        }

        // The load process replaces the slow readers the server dropped, and checks that no other client was.
        if (reason is not ("transport close" or "client namespace disconnect" or "server shutting down"))
        {
            Console.WriteLine($"{ClosedTag}{session.Id} {key}");
        }
    }

    /// <summary>Broadcasts a feed message to the feed room <see cref="SoakOptions.FeedRate"/> times a second.</summary>
    private static async Task FeedAsync(SocketIoServer io, SoakOptions options, CancellationToken cancellationToken)
    {
        if (options.FeedRate <= 0)
        {
            return;
        }

        string payload = new('f', Math.Max(1, options.FeedBytes - 12)); // ["feed","…"] plus the 42 header
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / options.FeedRate));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                io.To("feed").Emit("feed", payload);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static ServerSample Take(SocketIoServer io, double t, bool fullGc)
    {
        long live = -1;
        if (fullGc)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            live = GC.GetTotalMemory(forceFullCollection: false);
        }

        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
        using Process process = Process.GetCurrentProcess();
        return new ServerSample
        {
            T = t,
            HeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            HeapAfterGcBytes = info.HeapSizeBytes,
            CommittedBytes = info.TotalCommittedBytes,
            LiveHeapBytes = live,
            WorkingSetBytes = process.WorkingSet64,
            PrivateBytes = process.PrivateMemorySize64,
            Fds = CountFds(),
            Threads = process.Threads.Count,
            PoolThreads = ThreadPool.ThreadCount,
            PoolQueue = ThreadPool.PendingWorkItemCount,
            Sessions = io.Engine.SessionCount,
            Sockets = io.Sockets.Sockets.Count,
            DroppedSendBufferFull = Interlocked.Read(ref _dropped),
            PingTimeouts = Interlocked.Read(ref _pingTimeouts),
            Closes = Interlocked.Read(ref _closes),
            Connections = Interlocked.Read(ref _connections),
            Gen0 = GC.CollectionCount(0),
            Gen1 = GC.CollectionCount(1),
            Gen2 = GC.CollectionCount(2),
            GcPauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
            CpuSeconds = Environment.CpuUsage.TotalTime.TotalSeconds,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
            LogWarnings = Volatile.Read(ref _logWarnings),
            LogErrors = Volatile.Read(ref _logErrors),
            CloseReasons = new Dictionary<string, long>(Reasons),
        };
    }

    /// <summary>Open file descriptors of this process (sockets, pipes, files).</summary>
    private static int CountFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Counts the server's warnings and errors, and passes a few on to stderr.</summary>
    private sealed class CountingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CountingLogger(categoryName);

        public void Dispose()
        {
        }

        private sealed class CountingLogger(string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                int count = logLevel >= LogLevel.Error ? Interlocked.Increment(ref _logErrors) : Interlocked.Increment(ref _logWarnings);
                if (count <= 5 || (logLevel >= LogLevel.Error && count <= 20))
                {
                    Console.Error.WriteLine($"server {logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
                }
            }
        }
    }
}
