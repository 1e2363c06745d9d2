using System.Diagnostics;
using System.Text;

namespace TypedSocketIo.Sample.Tests;

/// <summary>
/// A child process (<c>dotnet Chat.Server.dll</c>) whose stdout lines are kept in a
/// <see cref="LineLog"/>. Disposing it ends it: politely when a goodbye line is given, else by killing it.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly string? _goodbye;
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process, string name, string? goodbye)
    {
        _process = process;
        _name = name;
        _goodbye = goodbye;
        Output = new LineLog(name, () => process.HasExited);
    }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Runs <c>dotnet &lt;assembly&gt; args…</c> from <paramref name="workingDirectory"/>.</summary>
    public static ChildProcess StartDotnet(string name, string assembly, string workingDirectory, string? goodbye, params string[] arguments)
    {
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"{assembly} not found: the test project references the sample projects, whose output is copied next to the tests.");
        }

        var info = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add(assembly);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        var child = new ChildProcess(process, name, goodbye);
        StartReader(process.StandardOutput, child.Output.Add);
        StartReader(process.StandardError, line =>
        {
            lock (child._stderr)
            {
                child._stderr.AppendLine(line);
            }
        });
        return child;
    }

    // Dedicated threads (NodeDriver's reader): reading a redirected pipe would otherwise hold a pool thread per stream.
    private static void StartReader(StreamReader reader, Action<string> onLine) =>
        TypedSocketIo.Testing.NodeDriver.StartReader(reader, onLine, "child process reader");

    /// <summary>Writes one line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The stdout lines.</summary>
    public LineLog Output { get; }

    /// <summary>Waits (bounded) for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>The last stdout lines and stderr, for failure messages.</summary>
    public string Describe()
    {
        lock (_stderr)
        {
            return Output.Describe() + $"--- {_name} stderr:\n" + _stderr;
        }
    }

    public ValueTask DisposeAsync() =>
        TypedSocketIo.Testing.NodeDriver.StopAsync(_process, _goodbye is null ? null : () => WriteLineAsync(_goodbye));
}
