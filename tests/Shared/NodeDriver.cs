using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TypedSocketIo.Testing;

/// <summary>
/// Runs one of the JSON-lines drivers of tests/node (official npm clients) and exchanges
/// commands and events with it. A missing Node.js or missing npm packages fail the test: the
/// peers are part of the test command (npm ci), never optional.
/// </summary>
public sealed class NodeDriver : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _events = new();
    private readonly List<bool> _taken = new();
    private readonly StringBuilder _stderr = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeDriver(Process process) => _process = process;

    /// <summary>The folder holding the drivers and their node_modules.</summary>
    public static string NodeDirectory { get; } = FindNodeDirectory();

    /// <summary>The ready event the driver sent when it started.</summary>
    public JsonElement Ready { get; private set; }

    /// <summary>The process id of node (to suspend it, or kill it without warning).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether node has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Kills node at once (no goodbye), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
    }

    /// <summary>Starts <paramref name="script"/> with <paramref name="arguments"/> and waits for its ready event.</summary>
    public static async Task<NodeDriver> StartAsync(string script = "engine-driver.js", params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(NodeDirectory, "node_modules")))
        {
            throw new InvalidOperationException($"The npm peers are not installed: run `npm ci` in {NodeDirectory} (./test.sh does).");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = NodeDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Node.js is required for the interop tests and was not found on PATH.", ex);
        }

        var driver = new NodeDriver(process);
        // Dedicated threads, not BeginOutputReadLine: on Unix, reading a redirected pipe blocks a
        // thread-pool thread per stream for the driver's lifetime, which starves a small pool and
        // delays the very server under test.
        StartReader(process.StandardOutput, driver.OnLine);
        StartReader(process.StandardError, line =>
        {
            lock (driver._stderr)
            {
                driver._stderr.AppendLine(line);
            }
        });
        driver.Ready = await driver.NextAsync(e => e.GetProperty("event").GetString() == "ready", TimeSpan.FromSeconds(30));
        return driver;
    }

    /// <summary>Reads a child process's redirected stream line by line on a thread of its own.</summary>
    internal static void StartReader(StreamReader reader, Action<string> onLine, string threadName = "node driver reader")
    {
        var thread = new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line)
                {
                    onLine(line);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }
        })
        {
            IsBackground = true,
            Name = threadName,
        };
        thread.Start();
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        JsonElement element;
        try
        {
            element = JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException)
        {
            lock (_stderr)
            {
                _stderr.AppendLine("(stdout, not JSON) " + line);
            }

            return;
        }

        TaskCompletionSource changed;
        lock (_events)
        {
            _events.Add(element);
            _taken.Add(false);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    // Commands are serialized by reflection with an explicit resolver, which works in test
    // processes that turn System.Text.Json's default reflection off.
    private static readonly JsonSerializerOptions CommandOptions = new() { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(), MaxDepth = 2048 };

    /// <summary>Sends one command.</summary>
    public async Task SendAsync(object command)
    {
        string line = JsonSerializer.Serialize(command, command.GetType(), CommandOptions);
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits (bounded) for the first event not yet taken that matches, and takes it.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(15);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_events)
            {
                for (int i = 0; i < _events.Count; i++)
                {
                    if (!_taken[i] && match(_events[i]))
                    {
                        _taken[i] = true;
                        return _events[i];
                    }
                }

                changed = _changed.Task;
            }

            TimeSpan left = limit - watch.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited && changed.IsCompleted == false && left < limit - TimeSpan.FromSeconds(1))
            {
                throw new TimeoutException($"No matching driver event within {limit}. Events so far:\n{Describe()}");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits for the next <paramref name="eventName"/> event of connection <paramref name="id"/>.</summary>
    public Task<JsonElement> NextAsync(string eventName, string id, TimeSpan? timeout = null) =>
        NextAsync(e => e.GetProperty("event").GetString() == eventName && e.TryGetProperty("id", out JsonElement i) && i.GetString() == id, timeout);

    /// <summary>How many events of that name connection <paramref name="id"/> reported (taken or not) that match.</summary>
    public int Count(string eventName, string id, Func<JsonElement, bool>? match = null)
    {
        lock (_events)
        {
            return _events.Count(e => e.GetProperty("event").GetString() == eventName
                && e.TryGetProperty("id", out JsonElement i) && i.GetString() == id && (match?.Invoke(e) ?? true));
        }
    }

    /// <summary>Every event so far, and the driver's stderr, for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        lock (_events)
        {
            foreach (JsonElement e in _events.TakeLast(60))
            {
                text.AppendLine(e.GetRawText());
            }
        }

        lock (_stderr)
        {
            text.AppendLine("stderr:").Append(_stderr);
        }

        return text.ToString();
    }

    public ValueTask DisposeAsync() => StopAsync(_process, () => SendAsync(new { cmd = "exit" }));

    /// <summary>
    /// Stops a child process: asks it to leave (<paramref name="goodbye"/>, when given) and waits up
    /// to 5 s, then kills what is left of it; disposes it.
    /// </summary>
    internal static async ValueTask StopAsync(Process process, Func<Task>? goodbye)
    {
        try
        {
            if (!process.HasExited && goodbye is not null)
            {
                await goodbye();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            process.Dispose();
        }
    }

    private static string FindNodeDirectory()
    {
        // Builds with --artifacts-path put the tests outside the repository: say where tests/node is.
        if (Environment.GetEnvironmentVariable("TYPEDSOCKETIO_NODE_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "node");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/node not found above " + AppContext.BaseDirectory);
    }
}
