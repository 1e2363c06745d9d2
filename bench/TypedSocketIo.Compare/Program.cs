// One load generator against every peer doing the same work (see ../README.md, "Peer comparison"):
//
//   dotnet run -c Release --project bench/TypedSocketIo.Compare -- [--rounds 3] [--seconds 5] [--warmup 5] [--idle 10000] [--connects 2000] [--out bench/results]
//       [--scenarios echo,echo-pipelined,polling-echo,binary-1k,binary-64k,binary-1m,broadcast,idle,connect]   ("binary" names the three binary sizes)
//       [--peers tsio-untyped,tsio-typed]
//
// Each peer runs in its own process pinned to core 0 (taskset); the generator pins itself to core 1.
// Every round starts each peer afresh for each scenario, the peers' order rotating between rounds.
// Writes compare.md (medians, ratios, machine and versions) and compare-<scenario>.svg to --out.
using System.Diagnostics;
using System.Globalization;
using TypedSocketIo.Compare;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 2 && args[0] == "peer")
{
    return await PeerHost.RunAsync(args[1]);
}

int rounds = 3, idleConnections = 10000, echoClients = 16, pipelinedClients = 50, pipelineDepth = 8, roomSize = 1000, connectCount = 2000;
double seconds = 5, warmupSeconds = 5;
string root = FindRoot();
string output = Path.Combine(root, "bench", "results");
string[] names = ["echo", "echo-pipelined", "polling-echo", "binary-1k", "binary-64k", "binary-1m", "broadcast", "idle", "connect"];
string[]? only = null;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--warmup": warmupSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--idle": idleConnections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--connects": connectCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--scenarios": names = Next().Split(',').SelectMany(static n => n == "binary" ? ["binary-1k", "binary-64k", "binary-1m"] : new[] { n }).ToArray(); break;
        case "--peers": only = Next().Split(','); break;
        case "--out": output = Path.GetFullPath(Next()); break;
        default:
            Console.Error.WriteLine("usage: TypedSocketIo.Compare [--rounds N] [--seconds S] [--warmup S] [--idle N] [--connects N] [--scenarios echo,echo-pipelined,polling-echo,binary(-1k,-64k,-1m),broadcast,idle,connect] [--peers node-socket.io,tsio-untyped,…] [--out DIR]");
            return 1;
    }
}

// The generator on core 1, every thread of it (the peers get core 0).
PeerProcess.PinThisProcess(1);

var scenarios = new List<Report.Scenario>();
var run = new Dictionary<string, Func<Peer, PeerProcess, Task<Measurement>>>
{
    ["echo"] = (p, s) => Scenarios.EchoAsync(p, s, echoClients, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["echo-pipelined"] = (p, s) => Scenarios.PipelinedEchoAsync(p, s, pipelinedClients, pipelineDepth, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["polling-echo"] = (p, s) => Scenarios.PollingEchoAsync(p, s, echoClients, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["binary-1k"] = (p, s) => Scenarios.BinaryEchoAsync(p, s, echoClients, 1024, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["binary-64k"] = (p, s) => Scenarios.BinaryEchoAsync(p, s, echoClients, 64 * 1024, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["binary-1m"] = (p, s) => Scenarios.BinaryEchoAsync(p, s, echoClients, 1024 * 1024, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["broadcast"] = (p, s) => Scenarios.BroadcastAsync(p, s, roomSize, TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(seconds)),
    ["idle"] = (p, s) => Scenarios.IdleAsync(p, s, idleConnections),
    ["connect"] = (p, s) => Scenarios.ConnectAsync(p, s, connectCount, 32, TimeSpan.FromSeconds(warmupSeconds)),
};
var titles = new Dictionary<string, (string Title, string Unit, bool Lower)>
{
    ["echo"] = ($"Acknowledged echo, {echoClients} clients, 32 bytes", "server CPU µs per round trip", true),
    ["echo-pipelined"] = ($"Acknowledged echo, {pipelinedClients} clients × {pipelineDepth} in flight, 32 bytes", "server CPU µs per round trip", true),
    ["polling-echo"] = ($"Acknowledged echo over long-polling (no upgrade), {echoClients} clients, 32 bytes", "server CPU µs per round trip", true),
    ["binary-1k"] = ($"Acknowledged binary echo, {echoClients} clients, 1 KiB", "server CPU µs per round trip", true),
    ["binary-64k"] = ($"Acknowledged binary echo, {echoClients} clients, 64 KiB", "server CPU µs per round trip", true),
    ["binary-1m"] = ($"Acknowledged binary echo, {echoClients} clients, 1 MiB", "server CPU µs per round trip", true),
    ["broadcast"] = ($"Broadcast to {roomSize} connected clients", "server CPU µs per delivery", true),
    ["idle"] = ($"{idleConnections:N0} idle connections", "server RSS bytes per connection", true),
    ["connect"] = ($"WebSocket connect rate, {connectCount} connections, 32 at a time, handshake included", "connections per second", false),
};
foreach (string name in names)
{
    if (!run.ContainsKey(name))
    {
        Console.Error.WriteLine($"unknown scenario {name}");
        return 1;
    }

    scenarios.Add(new Report.Scenario(name, titles[name].Title, titles[name].Unit, titles[name].Lower, [], NotMeasured(name)));
}

Peer[] peers = only is null ? Peer.All : Peer.All.Concat(Peer.Extra).Where(p => only.Contains(p.Name)).ToArray();
for (int round = 0; round < rounds; round++)
{
    foreach (Report.Scenario scenario in scenarios)
    {
        for (int k = 0; k < peers.Length; k++)
        {
            Peer peer = peers[(k + round) % peers.Length];
            if (scenario.NotMeasured(peer) is not null)
            {
                continue;
            }

            try
            {
                using PeerProcess server = await PeerProcess.StartAsync(peer, 0, root);
                Measurement m = await run[scenario.Name](peer, server);
                (scenario.Results.TryGetValue(peer.Name, out List<Measurement>? list) ? list : scenario.Results[peer.Name] = []).Add(m);
                Console.Error.WriteLine($"round {round + 1} {scenario.Name,-9} {peer.Name,-15} {m.Value,12:F2}  server {m.ServerLoad:F2} generator {m.GeneratorLoad:F2}{(m.GeneratorBound ? " GEN-BOUND" : m.Contended ? " contended" : "")}  {m.Detail}");
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"round {round + 1} {scenario.Name,-9} {peer.Name,-15} failed: {ex.GetType().Name}: {ex.Message}");
                (scenario.Failures.TryGetValue(peer.Name, out List<string>? failures) ? failures : scenario.Failures[peer.Name] = []).Add($"{ex.GetType().Name}: {ex.Message}");
            }
        }
    }
}

// The peers run with this program's runtime settings and environment: its GC is theirs.
static string GcMode() =>
    (System.Runtime.GCSettings.IsServerGC ? "Server GC" : "workstation GC")
    + (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? " without background GC" : " with background GC");

string machine = Machine(root);
string settings = $"Settings: {rounds} rounds; the echoes and broadcast {seconds} s measured after {warmupSeconds} s of warm-up (connects: {warmupSeconds} s of connections made and closed first); each peer started afresh per scenario and round, on core 0; the generator on core 1; the .NET peers tier up without the call-counting delay (`DOTNET_TC_CallCountingDelayMs=0`: steady-state tier-1 code within the warm-up) and run {GcMode()}. " +
    $"Every peer accepts messages of up to {PeerHost.MaxMessageBytes / 1048576} MiB (Node `maxHttpBufferSize`, TypedSocketIo `MaxHttpBufferSize`, SignalR `MaximumReceiveMessageSize` with its pipes' `ApplicationMaxBufferSize` and `TransportMaxBufferSize`, the raw echo's own buffer limit); " +
    "the Socket.IO peers allow long-polling and websocket, each connection stays on the transport it opened with.";
Directory.CreateDirectory(output);
string markdown = Report.Markdown(scenarios, peers, machine, settings);
await File.WriteAllTextAsync(Path.Combine(output, "compare.md"), markdown);
foreach (Report.Scenario scenario in scenarios)
{
    await File.WriteAllTextAsync(Path.Combine(output, $"compare-{scenario.Name}.svg"), Report.Svg(scenario, peers));
}

Console.WriteLine(markdown);
return 0;

// Why a peer has no row in a scenario (null: it is measured).
static Func<Peer, string?> NotMeasured(string scenario) => scenario switch
{
    "polling-echo" => static p => p.Wire switch
    {
        WireKind.SocketIo => null,
        WireKind.SignalR => "SignalR's long polling is another protocol (negotiate, then its own poll and send requests), spoken by its own client: not the generator's Engine.IO code path",
        _ => "a bare WebSocket endpoint has no long-polling",
    },
    _ => static _ => null,
};

static string Machine(string root)
{
    string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(static l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    string kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
    string node = Run("node", "--version");
    string socketIo = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "tests", "node", "node_modules", "socket.io", "package.json"))).RootElement.GetProperty("version").GetString()!;
    return $"Machine: {cpu}, {Environment.ProcessorCount} cores, Linux {kernel}. .NET {Environment.Version} (ASP.NET Core Kestrel, SignalR), Node {node} with socket.io {socketIo}, TypedSocketIo at commit {Run("git", "-C", root, "rev-parse", "--short", "HEAD")}. " +
        "uWebSockets.js: not measured (not on the npm registry: `npm view uWebSockets.js` answers 404; it is distributed from GitHub only).";
}

static string Run(string file, params string[] arguments)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (string a in arguments)
    {
        info.ArgumentList.Add(a);
    }

    using Process process = Process.Start(info)!;
    string text = process.StandardOutput.ReadToEnd().Trim();
    process.WaitForExit();
    return text;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "TypedSocketIo.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
