using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime;

namespace TypedSocketIo.Bench;

/// <summary>
/// Process-wide counters of what may go wrong during a run: exceptions thrown (first chance, caught
/// or not), unobserved task exceptions, warnings and errors logged by the server, sends the library
/// refused, and the reasons sessions closed.
/// </summary>
internal sealed class Diagnostics
{
    private const int MaxSamples = 8;

    private readonly ConcurrentDictionary<string, int> _firstChance = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _closeReasons = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _logSamples = new();
    private int _unobserved;
    private int _logWarnings;
    private int _logErrors;
    private long _refusedSends;

    public static readonly Diagnostics Instance = new();

    private Diagnostics()
    {
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
            _firstChance.AddOrUpdate(e.Exception.GetType().Name, 1, static (_, n) => n + 1);
        TaskScheduler.UnobservedTaskException += (_, e) =>
        {
            Interlocked.Increment(ref _unobserved);
            AddSample($"unobserved task exception: {e.Exception.GetBaseException().GetType().Name}: {e.Exception.GetBaseException().Message}");
            e.SetObserved();
        };
    }

    public int UnobservedTaskExceptions => Volatile.Read(ref _unobserved);

    public long RefusedSends => Interlocked.Read(ref _refusedSends);

    public void CountRefusedSend() => Interlocked.Increment(ref _refusedSends);

    public void CountClose(string reason) => _closeReasons.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public void CountLog(LogLevel level, string category, string message, Exception? exception)
    {
        if (level >= LogLevel.Error)
        {
            Interlocked.Increment(ref _logErrors);
        }
        else
        {
            Interlocked.Increment(ref _logWarnings);
        }

        AddSample($"{level} {category}: {message}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
    }

    private void AddSample(string text)
    {
        if (_logSamples.Count < MaxSamples)
        {
            _logSamples.Enqueue(text);
        }
    }

    public Snapshot Take() => new(
        new Dictionary<string, int>(_firstChance),
        new Dictionary<string, int>(_closeReasons),
        Volatile.Read(ref _logWarnings),
        Volatile.Read(ref _logErrors),
        Volatile.Read(ref _unobserved),
        Interlocked.Read(ref _refusedSends));

    public IReadOnlyList<string> Samples => _logSamples.ToArray();

    public sealed record Snapshot(
        Dictionary<string, int> FirstChance,
        Dictionary<string, int> CloseReasons,
        int LogWarnings,
        int LogErrors,
        int Unobserved,
        long RefusedSends)
    {
        /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
        public Events Since(Snapshot earlier) => new(
            Delta(FirstChance, earlier.FirstChance),
            Delta(CloseReasons, earlier.CloseReasons),
            LogWarnings - earlier.LogWarnings,
            LogErrors - earlier.LogErrors,
            Unobserved - earlier.Unobserved,
            RefusedSends - earlier.RefusedSends);

        private static Dictionary<string, int> Delta(Dictionary<string, int> now, Dictionary<string, int> before)
        {
            var delta = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach ((string key, int count) in now)
            {
                int d = count - before.GetValueOrDefault(key);
                if (d != 0)
                {
                    delta[key] = d;
                }
            }

            return delta;
        }
    }
}

/// <summary>Events counted over a phase of a run.</summary>
internal sealed record Events(
    Dictionary<string, int> Exceptions,
    Dictionary<string, int> SessionCloses,
    int LogWarnings,
    int LogErrors,
    int UnobservedTaskExceptions,
    long RefusedSends)
{
    public static Events Empty => new(new(StringComparer.Ordinal), new(StringComparer.Ordinal), 0, 0, 0, 0);

    public int ExceptionCount => Exceptions.Values.Sum();

    public Events Plus(Events other) => new(
        Merge(Exceptions, other.Exceptions),
        Merge(SessionCloses, other.SessionCloses),
        LogWarnings + other.LogWarnings,
        LogErrors + other.LogErrors,
        UnobservedTaskExceptions + other.UnobservedTaskExceptions,
        RefusedSends + other.RefusedSends);

    private static Dictionary<string, int> Merge(Dictionary<string, int> a, Dictionary<string, int> b)
    {
        var merged = new Dictionary<string, int>(a, StringComparer.Ordinal);
        foreach ((string key, int count) in b)
        {
            merged[key] = merged.GetValueOrDefault(key) + count;
        }

        return merged;
    }

    public string Describe()
    {
        var parts = new List<string>();
        if (Exceptions.Count > 0)
        {
            parts.Add("exceptions " + string.Join(", ", Exceptions.OrderByDescending(p => p.Value).Select(p => $"{p.Key}×{p.Value}")));
        }

        if (SessionCloses.Count > 0)
        {
            parts.Add("session closes " + string.Join(", ", SessionCloses.OrderByDescending(p => p.Value).Select(p => $"'{p.Key}'×{p.Value}")));
        }

        if (LogWarnings + LogErrors > 0)
        {
            parts.Add($"log warnings {LogWarnings}, errors {LogErrors}");
        }

        if (UnobservedTaskExceptions > 0)
        {
            parts.Add($"unobserved task exceptions {UnobservedTaskExceptions}");
        }

        if (RefusedSends > 0)
        {
            parts.Add($"Send() returned false {RefusedSends}×");
        }

        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }
}

/// <summary>A logger provider that only counts (and samples) warnings and errors.</summary>
internal sealed class CountingLoggerProvider : ILoggerProvider
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
            if (IsEnabled(logLevel))
            {
                Diagnostics.Instance.CountLog(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}

/// <summary>Resource usage of the process at one instant.</summary>
internal readonly record struct ResourceSnapshot(
    long Timestamp,
    long AllocatedBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    TimeSpan Cpu,
    TimeSpan GcPause)
{
    public static ResourceSnapshot Take() => new(
        Stopwatch.GetTimestamp(),
        GC.GetTotalAllocatedBytes(precise: true),
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        Environment.CpuUsage.TotalTime,
        GC.GetTotalPauseDuration());
}

/// <summary>The runtime configuration that the numbers depend on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        IReadOnlyDictionary<string, object> gc = GC.GetConfigurationVariables();
        string heaps = gc.TryGetValue("HeapCount", out object? count) ? $", heaps {count}" : "";
        string datas = gc.TryGetValue("GCDynamicAdaptationMode", out object? mode) ? $", DATAS {(Convert.ToInt64(mode, System.Globalization.CultureInfo.InvariantCulture) == 1 ? "on" : "off")}" : "";
        return $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, " +
            $".NET {Environment.Version}, {(GCSettings.IsServerGC ? "Server" : "Workstation")} GC" +
            $"{(GCSettings.LatencyMode == GCLatencyMode.Batch ? " (non-concurrent)" : " (concurrent)")}{heaps}{datas}";
    }

    /// <summary>A full, compacting, blocking collection, finalizers included.</summary>
    public static void FullCollect()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }

    public static long WorkingSet()
    {
        using Process process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
