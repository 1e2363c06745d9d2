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
            _ => throw new ArgumentException($"Unknown measurement '{measurement}'."),
        };

        public static async Task<int> RunAsync(BenchOptions options)
        {
            DateTimeOffset started = DateTimeOffset.Now;
            Console.WriteLine($"TypedSocketIo.Bench — {started:yyyy-MM-dd HH:mm} — {Machine.Describe()}");
            Console.WriteLine($"scenarios: {string.Join(" ", options.Scenarios)}; clients {options.Clients}, message {options.MessageSize} B, " +
                $"warm-up {options.Warmup} s + {options.Duration} s measured per server in {options.Slice} s slices; idle connections {options.Connections}; " +
                (options.InProcess ? "all in this process" : "a fresh process per measurement"));
            Console.WriteLine();

            RoundTripResult? roundTrip = null;
            var idleResults = new List<IdleResult>();
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
                    }
                }
                catch (Exception ex)
                {
                    errors.Add($"{measurement}: {ex.GetType().Name}: {ex.Message}");
                    Console.Error.WriteLine($"{measurement} failed: {ex}");
                }
            }

            Report.Print(roundTrip, idleResults, options);
            foreach (string error in errors)
            {
                Console.WriteLine("FAILED " + error);
            }

            if (options.Out is { } path)
            {
                AppendJsonLine(path, started, options, roundTrip, idleResults, errors);
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
            Task reader = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith(ResultTag, StringComparison.Ordinal))
                    {
                        resultLine = line;
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
            return measurement.StartsWith("idle", StringComparison.Ordinal)
                ? JsonSerializer.Deserialize<IdleResult>(json, Json)!
                : JsonSerializer.Deserialize<RoundTripResult>(json, Json)!;
        }

        /// <summary>Appends everything of this run as one JSON line.</summary>
        private static void AppendJsonLine(string path, DateTimeOffset started, BenchOptions options, RoundTripResult? roundTrip, List<IdleResult> idle, List<string> errors)
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
                    ["size"] = options.MessageSize,
                    ["inProcess"] = options.InProcess,
                },
                ["roundTrip"] = roundTrip is null ? null : JsonSerializer.SerializeToNode(roundTrip, Json),
                ["idle"] = JsonSerializer.SerializeToNode(idle, Json),
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
