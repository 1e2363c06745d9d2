using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TypedSocketIo.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

_ = Diagnostics.Instance; // start counting exceptions before anything runs

if (options.Child is { } child)
{
    // A child process: one measurement, its result as one tagged JSON line on stdout.
    object result = await Runner.RunMeasurementAsync(child, options);
    Console.WriteLine(Runner.ResultTag + child + " " + JsonSerializer.Serialize(result, result.GetType(), Runner.Json));
    return 0;
}

return await Runner.RunAsync(options);

namespace TypedSocketIo.Bench
{
    internal static class Runner
    {
        public const string ResultTag = "##RESULT## ";

        /// <summary>A child process that needs clients from the runner says so with this tag, its measurement and its address.</summary>
        public const string ReadyTag = "##READY## ";

        public static readonly JsonSerializerOptions Json = new()
        {
            WriteIndented = false,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        /// <summary>The measurements (each a child process) that the scenarios need.</summary>
        private static List<string> Measurements(BenchOptions options)
        {
            var measurements = new List<string>();
            foreach (string scenario in options.Scenarios)
            {
                if (ServerKinds.RoundTripScenarios.Contains(scenario))
                {
                    if (!measurements.Contains("roundtrip"))
                    {
                        measurements.Add("roundtrip");
                    }
                }
                else if (scenario == HeartbeatScenario.Measurement)
                {
                    measurements.Add(HeartbeatScenario.Measurement);
                }
                else
                {
                    measurements.Add("idle-raw");
                    measurements.Add("idle-engine");
                }
            }

            return measurements;
        }

        public static async Task<object> RunMeasurementAsync(string measurement, BenchOptions options) => measurement switch
        {
            "roundtrip" => await EchoScenario.RunAsync(options.RoundTripScenarios.Select(ServerKinds.FromName).ToList(), options),
            "idle-engine" => await IdleScenario.RunAsync(ServerKind.EngineIo, options),
            "idle-raw" => await IdleScenario.RunAsync(ServerKind.Raw, options),
            HeartbeatScenario.Measurement when options.Child is not null => await HeartbeatScenario.RunServerAsync(options, uri => ReadyAsync(uri, options)),
            HeartbeatScenario.Measurement => await HeartbeatScenario.RunInProcessAsync(options),
            _ => throw new ArgumentException($"Unknown measurement '{measurement}'."),
        };

        /// <summary>
        /// In a heartbeat child process: tells the runner where the server listens, then waits
        /// (bounded) for the line <c>opened K</c> once its clients have finished opening.
        /// </summary>
        private static async Task<int> ReadyAsync(Uri uri, BenchOptions options)
        {
            Console.WriteLine($"{ReadyTag}{HeartbeatScenario.Measurement} {uri}");
            TimeSpan limit = TimeSpan.FromSeconds(120 + (options.HeartbeatSessions / 50.0));
            string? line = await Task.Run(Console.In.ReadLine).WaitAsync(limit);
            if (line is null || !line.StartsWith("opened ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Expected 'opened K' from the runner, got '{line}'.");
            }

            return int.Parse(line.AsSpan(7), CultureInfo.InvariantCulture);
        }

        public static async Task<int> RunAsync(BenchOptions options)
        {
            DateTimeOffset started = DateTimeOffset.Now;
            Console.WriteLine($"TypedSocketIo.Bench — {started:yyyy-MM-dd HH:mm} — {Machine.Describe()}");
            Console.WriteLine($"scenarios: {string.Join(" ", options.Scenarios)}; clients {options.Clients}, message {options.MessageSize} B, " +
                $"warm-up {options.Warmup} s + {options.Duration} s measured per server in {options.Slice} s slices; idle connections {options.Connections}; " +
                (options.Scenarios.Contains(HeartbeatScenario.Measurement) ? $"heartbeat sessions {options.HeartbeatSessions}, pingInterval {options.PingInterval} s, pingTimeout {options.PingTimeout} s; " : "") +
                (options.InProcess ? "all in this process" : "a fresh process per measurement"));
            Console.WriteLine();

            RoundTripResult? roundTrip = null;
            var idleResults = new List<IdleResult>();
            var heartbeats = new List<HeartbeatResult>();
            var errors = new List<string>();
            foreach (string measurement in Measurements(options))
            {
                Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] running {measurement} …");
                try
                {
                    object result = options.InProcess
                        ? await RunMeasurementAsync(measurement, options)
                        : await RunChildAsync(measurement, options);
                    switch (result)
                    {
                        case RoundTripResult r:
                            roundTrip = r;
                            break;
                        case IdleResult idle:
                            idleResults.Add(idle);
                            break;
                        case HeartbeatResult heartbeat:
                            heartbeats.Add(heartbeat);
                            if (heartbeat.Server.Failures > 0 || heartbeat.Clients.NotClosed > 0 || heartbeat.Clients.Opened != heartbeat.Clients.Requested)
                            {
                                errors.Add($"{measurement}: {string.Join("; ", heartbeat.Server.FailureTexts.Append($"{heartbeat.Clients.Opened} of {heartbeat.Clients.Requested} clients opened, {heartbeat.Clients.NotClosed} not closed"))}");
                            }

                            break;
                    }
                }
                catch (Exception ex)
                {
                    errors.Add($"{measurement}: {ex.GetType().Name}: {ex.Message}");
                    Console.Error.WriteLine($"{measurement} failed: {ex}");
                }
            }

            Report.Print(roundTrip, idleResults, heartbeats, options);
            foreach (string error in errors)
            {
                Console.WriteLine("FAILED " + error);
            }

            if (options.Out is { } path)
            {
                AppendJsonLine(path, started, options, roundTrip, idleResults, heartbeats, errors);
                Console.WriteLine($"appended the results to {Path.GetFullPath(path)}");
            }

            Console.WriteLine($"total {(DateTimeOffset.Now - started).TotalSeconds:F1} s");
            return errors.Count == 0 ? 0 : 1;
        }

        /// <summary>Runs one measurement in a fresh process of this program (bounded); returns its result.</summary>
        private static async Task<object> RunChildAsync(string measurement, BenchOptions options)
        {
            var start = new ProcessStartInfo
            {
                FileName = Environment.ProcessPath ?? throw new InvalidOperationException("No process path."),
                RedirectStandardOutput = true,
                RedirectStandardInput = measurement == HeartbeatScenario.Measurement,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                start.ArgumentList.Add(typeof(Runner).Assembly.Location); // started as `dotnet TypedSocketIo.Bench.dll`
            }

            foreach (string argument in options.ChildArguments(measurement))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
            string? resultLine = null;
            Task<HeartbeatClientResult>? clients = null;
            Task reader = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith(ResultTag, StringComparison.Ordinal))
                    {
                        resultLine = line;
                    }
                    else if (line.StartsWith(ReadyTag, StringComparison.Ordinal) && measurement == HeartbeatScenario.Measurement)
                    {
                        // The heartbeat server is up: its clients run here, and the child learns when they have opened.
                        var uri = new Uri(line[(ReadyTag.Length + measurement.Length + 1)..]);
                        clients = Task.Run(() => HeartbeatScenario.RunClientsAsync(uri, options, opened =>
                        {
                            process.StandardInput.WriteLine($"opened {opened}");
                            process.StandardInput.Flush();
                        }));
                    }
                    else
                    {
                        Console.Error.WriteLine($"  [{measurement}] {line}");
                    }
                }
            });

            // Warm-up and measurement, plus generous time for start-up, connecting and closing.
            double limit = measurement.StartsWith("idle", StringComparison.Ordinal)
                ? 90 + (options.Connections / 50.0)
                : measurement == HeartbeatScenario.Measurement
                    ? 180 + (options.HeartbeatSessions / 25.0) + options.PingInterval + options.PingTimeout
                    : 90 + (2 * (options.Warmup + options.Duration));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(limit));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{measurement} did not finish within {limit:F0} s; the child process {process.Id} was killed.");
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (process.ExitCode != 0 || resultLine is null)
            {
                throw new InvalidOperationException($"{measurement} exited with code {process.ExitCode} without a result.");
            }

            string json = resultLine[(ResultTag.Length + measurement.Length + 1)..];
            if (measurement == HeartbeatScenario.Measurement)
            {
                HeartbeatServerResult server = JsonSerializer.Deserialize<HeartbeatServerResult>(json, Json)!;
                HeartbeatClientResult clientResult = await (clients ?? throw new InvalidOperationException("The heartbeat child never said where it listens."))
                    .WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                return new HeartbeatResult { Server = server, Clients = clientResult, InProcess = false };
            }

            return measurement.StartsWith("idle", StringComparison.Ordinal)
                ? JsonSerializer.Deserialize<IdleResult>(json, Json)!
                : JsonSerializer.Deserialize<RoundTripResult>(json, Json)!;
        }

        /// <summary>Appends everything of this run as one JSON line.</summary>
        private static void AppendJsonLine(string path, DateTimeOffset started, BenchOptions options, RoundTripResult? roundTrip, List<IdleResult> idle, List<HeartbeatResult> heartbeats, List<string> errors)
        {
            var line = new JsonObject
            {
                ["timestamp"] = started.ToString("O", CultureInfo.InvariantCulture),
                ["machine"] = Machine.Describe(),
                ["options"] = new JsonObject
                {
                    ["scenarios"] = new JsonArray(options.Scenarios.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                    ["clients"] = options.Clients,
                    ["duration"] = options.Duration,
                    ["warmup"] = options.Warmup,
                    ["slice"] = options.Slice,
                    ["connections"] = options.Connections,
                    ["heartbeatSessions"] = options.HeartbeatSessions,
                    ["pingInterval"] = options.PingInterval,
                    ["pingTimeout"] = options.PingTimeout,
                    ["size"] = options.MessageSize,
                    ["inProcess"] = options.InProcess,
                },
                ["roundTrip"] = roundTrip is null ? null : JsonSerializer.SerializeToNode(roundTrip, Json),
                ["idle"] = JsonSerializer.SerializeToNode(idle, Json),
                ["heartbeat"] = JsonSerializer.SerializeToNode(heartbeats, Json),
                ["errors"] = JsonSerializer.SerializeToNode(errors, Json),
            };
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.AppendAllText(path, line.ToJsonString(Json) + Environment.NewLine);
        }
    }
}
