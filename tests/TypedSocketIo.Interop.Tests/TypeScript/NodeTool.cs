using System.Diagnostics;
using System.Text;

namespace TypedSocketIo.Interop.Tests.TypeScript;

/// <summary>Runs a Node.js tool of tests/node (tsc, a compiled client) to its end, bounded in time.</summary>
internal static class NodeTool
{
    /// <summary>The result of one run: exit code and everything written.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Describe() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>tsc from tests/node's node_modules (the version package.json pins).</summary>
    public static Task<Result> TscAsync(TimeSpan timeout, params string[] arguments) =>
        RunAsync(timeout, new[] { Path.Combine("node_modules", "typescript", "bin", "tsc") }.Concat(arguments).ToArray());

    /// <summary>Runs <c>node arguments…</c> in tests/node; kills it (and fails) when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        string directory = TypedSocketIo.Testing.NodeDriver.NodeDirectory;
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "typescript")),
            $"typescript is not installed in {directory}: run `npm ci` there (./test.sh does).");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"node {string.Join(' ', arguments)} did not end within {timeout}:\n{output}\n{error}");
        }

        process.WaitForExit(); // drains the output readers
        lock (output)
        {
            lock (error)
            {
                return new Result(process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }
}
