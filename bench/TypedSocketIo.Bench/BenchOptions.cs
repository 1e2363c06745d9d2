using System.Globalization;

namespace TypedSocketIo.Bench;

/// <summary>Command-line options of the benchmark.</summary>
internal sealed class BenchOptions
{
    /// <summary>The scenarios one may name.</summary>
    public static readonly string[] KnownScenarios = ["echo", "raw", "sio", "sio-ackraw", "idle", "heartbeat"];

    /// <summary>What <c>all</c> (and no scenario) runs.</summary>
    public static readonly string[] AllScenarios = ["echo", "raw", "sio", "idle"];

    /// <summary>The scenarios to run, in order.</summary>
    public List<string> Scenarios { get; } = new();

    /// <summary>
    /// The round-trip scenarios among <see cref="Scenarios"/>, in the fixed order echo, raw, sio,
    /// sio-ackraw (the order of their servers in each round of slices, whatever order they were named in).
    /// </summary>
    public IEnumerable<string> RoundTripScenarios => ServerKinds.RoundTripScenarios.Where(Scenarios.Contains);

    /// <summary>Concurrent request/response clients of the echo and raw scenarios.</summary>
    public int Clients { get; set; } = 8;

    /// <summary>Measured seconds of the echo and raw scenarios.</summary>
    public double Duration { get; set; } = 10;

    /// <summary>Warm-up seconds before the measurement of the echo and raw scenarios.</summary>
    public double Warmup { get; set; } = 2;

    /// <summary>Seconds of one measurement slice; echo and raw alternate slice by slice.</summary>
    public double Slice { get; set; } = 1;

    /// <summary>The <c>--connections</c> given, if any (each scenario has its own default).</summary>
    public int? ConnectionsGiven { get; set; }

    /// <summary>Idle connections of the idle scenario.</summary>
    public int Connections => ConnectionsGiven ?? 1000;

    /// <summary>Sessions of the heartbeat scenario.</summary>
    public int HeartbeatSessions => ConnectionsGiven ?? 10_000;

    /// <summary>The heartbeat scenario's pingInterval, in seconds.</summary>
    public double PingInterval { get; set; } = 3;

    /// <summary>The heartbeat scenario's pingTimeout, in seconds.</summary>
    public double PingTimeout { get; set; } = 2;

    /// <summary>Bytes of application data per echo message (the frame carries one more: the Engine.IO type digit).</summary>
    public int MessageSize { get; set; } = 32;

    /// <summary>A file to append the run's results to, as one JSON line.</summary>
    public string? Out { get; set; }

    /// <summary>Run the scenarios in this process instead of one child process each.</summary>
    public bool InProcess { get; set; }

    /// <summary>Internal: the measurement a child process runs (echo, raw, idle-engine, idle-raw).</summary>
    public string? Child { get; set; }

    /// <summary>Sample the types allocated during the round trips (GC AllocationTick events).</summary>
    public bool AllocTypes { get; set; }

    public bool Help { get; set; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    options.Help = true;
                    break;
                case "--clients" or "-c":
                    options.Clients = ParseInt(arg, Value(), 1, 10_000);
                    break;
                case "--duration" or "-d":
                    options.Duration = ParseDouble(arg, Value(), 0.5, 3600);
                    break;
                case "--warmup" or "-w":
                    options.Warmup = ParseDouble(arg, Value(), 0, 600);
                    break;
                case "--slice":
                    options.Slice = ParseDouble(arg, Value(), 0.1, 3600);
                    break;
                case "--connections" or "-n":
                    options.ConnectionsGiven = ParseInt(arg, Value(), 1, 100_000);
                    break;
                case "--ping-interval":
                    options.PingInterval = ParseDouble(arg, Value(), 0.05, 600);
                    break;
                case "--ping-timeout":
                    options.PingTimeout = ParseDouble(arg, Value(), 0.05, 600);
                    break;
                case "--size" or "-s":
                    options.MessageSize = ParseInt(arg, Value(), 1, 1_000_000);
                    break;
                case "--out" or "-o":
                    options.Out = Value();
                    break;
                case "--alloc-types":
                    options.AllocTypes = true;
                    break;
                case "--in-process":
                    options.InProcess = true;
                    break;
                case "--child":
                    options.Child = Value();
                    break;
                case "all":
                    options.Scenarios.AddRange(AllScenarios);
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        throw new ArgumentException($"Unknown option {arg}.");
                    }

                    string name = arg.ToLowerInvariant();
                    if (!KnownScenarios.Contains(name))
                    {
                        throw new ArgumentException($"Unknown scenario '{arg}'; use {string.Join(", ", KnownScenarios)} or all.");
                    }

                    options.Scenarios.Add(name);
                    break;
            }
        }

        if (options.Scenarios.Count == 0)
        {
            options.Scenarios.AddRange(AllScenarios);
        }

        // Keep the order given, without repeats.
        List<string> distinct = options.Scenarios.Distinct().ToList();
        options.Scenarios.Clear();
        options.Scenarios.AddRange(distinct);
        return options;
    }

    /// <summary>The arguments that give a child process the same settings.</summary>
    public IEnumerable<string> ChildArguments(string child)
    {
        yield return "--child";
        yield return child;
        if (child == "roundtrip")
        {
            foreach (string scenario in RoundTripScenarios)
            {
                yield return scenario;
            }
        }

        if (AllocTypes)
        {
            yield return "--alloc-types";
        }

        yield return "--slice";
        yield return Slice.ToString(CultureInfo.InvariantCulture);
        yield return "--clients";
        yield return Clients.ToString(CultureInfo.InvariantCulture);
        yield return "--duration";
        yield return Duration.ToString(CultureInfo.InvariantCulture);
        yield return "--warmup";
        yield return Warmup.ToString(CultureInfo.InvariantCulture);
        if (ConnectionsGiven is { } connections)
        {
            yield return "--connections";
            yield return connections.ToString(CultureInfo.InvariantCulture);
        }

        yield return "--ping-interval";
        yield return PingInterval.ToString(CultureInfo.InvariantCulture);
        yield return "--ping-timeout";
        yield return PingTimeout.ToString(CultureInfo.InvariantCulture);
        yield return "--size";
        yield return MessageSize.ToString(CultureInfo.InvariantCulture);
    }

    public const string Usage = """
        TypedSocketIo benchmarks (in-process Kestrel on 127.0.0.1, System.Net.WebSockets clients).

        Usage: dotnet run -c Release --project bench/TypedSocketIo.Bench -- [scenario...] [options]

        Scenarios (default: all):
          echo        Engine.IO WebSocket echo (MapEngineIo, socket.Send on MessageReceived): round trips
          raw         the same clients against a plain ASP.NET Core WebSocket echo endpoint (baseline)
          sio         Socket.IO event with ack over WebSocket (MapSocketIo, socket.On("echo", e =>
                      e.Ack(e.Args.GetString(0)))): round trips of 42<id>["echo","<data>"] → 43<id>["<data>"]
          sio-ackraw  the same, but the handler acks with e.AckRaw(the argument's raw JSON in [...])
                      (not in all); the round-trip scenarios named together run in one process,
                      interleaved slice by slice
          idle        N idle Engine.IO WebSocket sessions vs N idle plain WebSockets: memory per connection
          heartbeat   N Engine.IO WebSocket sessions whose clients never answer a ping: how late each ping
                      and each ping-timeout close comes against its deadline, server side (not in all)
          all         echo, raw, sio and idle

        Options:
          -c, --clients C        concurrent clients per server, each doing sequential round trips (default 8)
          -d, --duration S       measured seconds per server, each round-trip scenario (default 10)
          -w, --warmup S         warm-up seconds per server before the round-trip measurement (default 2)
              --slice S          the round-trip scenarios take turns in slices of S seconds (default 1)
          -n, --connections N    idle connections (default 1000); heartbeat sessions (default 10000)
              --ping-interval S  the heartbeat scenario's pingInterval (default 3)
              --ping-timeout S   the heartbeat scenario's pingTimeout (default 2)
          -s, --size B           message data bytes (default 32)
          -o, --out FILE         append the results of the run to FILE as one JSON line
              --alloc-types      list the types allocated most during each round-trip scenario's slices, with
                                 their estimated bytes per round trip (the runtime's randomized
                                 AllocationSampled events, GC AllocationTick before .NET 10; adds some overhead)
              --in-process       run everything in this process (default: a fresh child process for the
                                 round trips and for each idle measurement; the heartbeat server runs in a
                                 child process and its clients in this one)
        """;

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new ArgumentException($"{name} must be an integer from {min} to {max}.");
        }

        return result;
    }

    private static double ParseDouble(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) || result < min || result > max)
        {
            throw new ArgumentException($"{name} must be a number from {min} to {max}.");
        }

        return result;
    }
}
