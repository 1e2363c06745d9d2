using System.Diagnostics;
using System.Globalization;

namespace TypedSocketIo.Compare;

/// <summary>A peer server in its own process, pinned to one core with taskset; its CPU time and RSS read from /proc.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts <paramref name="peer"/> on core <paramref name="core"/> and waits for its port.</summary>
    public static async Task<PeerProcess> StartAsync(Peer peer, int core, string root)
    {
        var info = new ProcessStartInfo("taskset")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(core.ToString(CultureInfo.InvariantCulture));
        if (peer.Node)
        {
            info.ArgumentList.Add("node");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "node", "socketio-peer.js"));
            info.Environment["NODE_PATH"] = Path.Combine(root, "tests", "node", "node_modules");
            info.Environment["NODE_ENV"] = "production";
        }
        else
        {
            // The same program: through the dotnet host (dotnet <dll>) or its own executable (the apphost dotnet run starts).
            info.ArgumentList.Add(Environment.ProcessPath!);
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                info.ArgumentList.Add(typeof(PeerProcess).Assembly.Location);
            }

            info.ArgumentList.Add("peer");
            info.ArgumentList.Add(peer.HostKind!);
            info.Environment["DOTNET_TieredPGO"] = "1";
            // Tier-up without the call-counting delay: on one saturated core the runtime keeps
            // extending that delay, and the hot path stays in tier-0 and instrumented code for
            // 20-40 s, longer than a round; the figures are to be of the steady state a server
            // reaches (tier-1 code with PGO), as Node's are of V8's optimized code.
            info.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
            if (peer.Inline)
            {
                // Read by the socket engine at start only, for the whole process: the peer's, not the generator's.
                info.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
            }
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{peer.Name} did not start.");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{peer.Name} did not start: '{line}'.");
        }

        return new PeerProcess(process, int.Parse(line["listening ".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>Pins every thread of this process to core <paramref name="core"/> (taskset), the load generator's own.</summary>
    public static void PinThisProcess(int core)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "-a", "-cp", core.ToString(CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        using Process pin = Process.Start(info)!;
        pin.StandardOutput.ReadToEnd();
        pin.WaitForExit();
    }

    /// <summary>
    /// Writes <paramref name="command"/> as one line to the peer's stdin and returns the next line it
    /// prints (for peers that take commands, as TypedSocketIo.RecoveryBench's server does).
    /// </summary>
    public async Task<string> AskAsync(string command, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await _process.StandardInput.WriteLineAsync(command.AsMemory(), cts.Token);
        await _process.StandardInput.FlushAsync(cts.Token);
        return await _process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException($"The peer exited before answering '{command}'.");
    }

    /// <summary>User plus system CPU time of the process so far.</summary>
    public TimeSpan CpuTime()
    {
        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" of the name.
        string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Resident set size in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
