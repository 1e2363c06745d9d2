using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Aot.Tests;

/// <summary>A native binary as a child process: its stdout and stderr lines kept; disposing it kills it.</summary>
internal sealed class NativeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private NativeProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>When the process was started.</summary>
    public long StartedAt { get; private init; }

    /// <summary>Starts <paramref name="binary"/> with <paramref name="arguments"/> in its own directory.</summary>
    public static NativeProcess Start(string binary, params string[] arguments)
    {
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        long started = Stopwatch.GetTimestamp();
        Process process = Process.Start(info) ?? throw new InvalidOperationException(binary + " did not start.");
        var child = new NativeProcess(process) { StartedAt = started };
        NodeDriver.StartReader(process.StandardOutput, child._lines.Enqueue, "native stdout");
        NodeDriver.StartReader(process.StandardError, line => child._lines.Enqueue("stderr: " + line), "native stderr");
        return child;
    }

    /// <summary>Every line so far, for failure messages.</summary>
    public string Describe() => string.Join('\n', _lines);

    /// <summary>The first line that matches, waited for at most <paramref name="limit"/>.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, TimeSpan limit)
    {
        string? found = null;
        try
        {
            await Wait.UntilAsync(() => (found = _lines.FirstOrDefault(match)) is not null || _process.HasExited, limit);
        }
        catch (TimeoutException)
        {
        }

        return found ?? throw new TimeoutException("no matching line; output so far:\n" + Describe());
    }

    /// <summary>Writes a line to stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Resident set size (VmRSS) in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS for process " + _process.Id);
    }

    /// <summary>Waits for the exit code, at most <paramref name="limit"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.Dispose();
    }
}
