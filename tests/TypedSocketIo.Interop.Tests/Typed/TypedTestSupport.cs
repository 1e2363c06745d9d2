using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>One log entry written by the server under test.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>A logger provider that keeps every entry, for tests that assert what the server logged.</summary>
internal sealed class LogCapture(LogLevel minimumLevel = LogLevel.Information) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public LogLevel MinimumLevel => minimumLevel;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits (bounded) for an entry that matches.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match, TimeSpan? timeout = null)
    {
        LogEntry? found = null;
        try
        {
            await Wait.UntilAsync(() => (found = _entries.FirstOrDefault(match)) is not null, timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("No matching log entry. Logged:\n" + string.Join('\n', _entries.Select(e => $"{e.Level} {e.EventId} {e.Message} {e.Exception?.Message}")), ex);
        }

        return found!;
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
            }
        }
    }
}

/// <summary>The typed server sockets of a namespace, by id, as they connect.</summary>
internal sealed class TypedSockets<TListen, TEmit>
    where TListen : class
    where TEmit : class
{
    private readonly ConcurrentDictionary<string, Server.Socket<TListen, TEmit>> _sockets = new();

    public void Add(Server.Socket<TListen, TEmit> socket) => _sockets[socket.Id] = socket;

    /// <summary>Waits (bounded) for the socket <paramref name="id"/> to have run the connection handlers.</summary>
    public async Task<Server.Socket<TListen, TEmit>> GetAsync(string id)
    {
        await Wait.UntilAsync(() => _sockets.ContainsKey(id));
        return _sockets[id];
    }
}
