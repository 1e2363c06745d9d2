using System.Globalization;

namespace TypedSocketIo.Soak;

/// <summary>Command-line options of the soak test.</summary>
internal sealed class SoakOptions
{
    /// <summary>Seconds of load (the connections are opened before and closed after).</summary>
    public double Duration { get; set; } = 600;

    /// <summary>Connections kept open: normal clients plus slow readers.</summary>
    public int Connections { get; set; } = 5000;

    /// <summary>The share of <see cref="Connections"/> that are slow readers.</summary>
    public double SlowShare { get; set; } = 0.02;

    /// <summary>Normal clients replaced per second (half close the WebSocket, half drop the TCP connection).</summary>
    public double Churn { get; set; } = 10;

    /// <summary>Events with an ack per second, all clients together.</summary>
    public double Events { get; set; } = 1000;

    /// <summary>Room broadcasts per second, all clients together (each reaches the sender's room).</summary>
    public double Broadcasts { get; set; } = 20;

    /// <summary>Rooms the normal clients are spread over.</summary>
    public int Rooms { get; set; } = 100;

    /// <summary>Bytes of each message of the feed room, which the slow readers and <see cref="FeedReaders"/> normal clients join.</summary>
    public int FeedBytes { get; set; } = 16_384;

    /// <summary>Feed messages per second.</summary>
    public double FeedRate { get; set; } = 16;

    /// <summary>Normal clients in the feed room (they read it all and must never be dropped).</summary>
    public int FeedReaders { get; set; } = 10;

    /// <summary>Seconds between samples.</summary>
    public double Sample { get; set; } = 5;

    /// <summary>Seconds between the server's forced full collections (the live heap is read right after them).</summary>
    public double FullGcEvery { get; set; } = 60;

    /// <summary>Seconds from the start of the load excluded from the slopes.</summary>
    public double? WarmupGiven { get; set; }

    public double Warmup => WarmupGiven ?? Math.Min(120, Duration / 4);

    /// <summary>The server's MaxSendBufferSize, when not the library's default.</summary>
    public long? MaxSendBufferSize { get; set; }

    /// <summary>Where the CSV, the SVG and the summary go.</summary>
    public string OutDirectory { get; set; } = Path.Combine("bench", "results");

    /// <summary>Only draw the SVG again from this CSV of an earlier run (with that run's options for the title and the warm-up line).</summary>
    public string? Replot { get; set; }

    /// <summary>Internal: this process is the server.</summary>
    public bool Server { get; set; }

    public bool Help { get; set; }

    public int SlowReaders => (int)Math.Round(Connections * SlowShare);

    public int NormalClients => Connections - SlowReaders;

    public static SoakOptions Parse(string[] args)
    {
        var options = new SoakOptions();
        bool smoke = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    options.Help = true;
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                case "-d" or "--duration":
                    options.Duration = Double(arg, Value(), 5, 24 * 3600);
                    break;
                case "-n" or "--connections":
                    options.Connections = (int)Double(arg, Value(), 10, 15_000);
                    break;
                case "--slow-share":
                    options.SlowShare = Double(arg, Value(), 0, 0.5);
                    break;
                case "--churn":
                    options.Churn = Double(arg, Value(), 0, 1000);
                    break;
                case "--events":
                    options.Events = Double(arg, Value(), 0, 100_000);
                    break;
                case "--broadcasts":
                    options.Broadcasts = Double(arg, Value(), 0, 10_000);
                    break;
                case "--rooms":
                    options.Rooms = (int)Double(arg, Value(), 1, 100_000);
                    break;
                case "--feed-bytes":
                    options.FeedBytes = (int)Double(arg, Value(), 1, 1_000_000);
                    break;
                case "--feed-rate":
                    options.FeedRate = Double(arg, Value(), 0, 1000);
                    break;
                case "--feed-readers":
                    options.FeedReaders = (int)Double(arg, Value(), 0, 10_000);
                    break;
                case "--sample":
                    options.Sample = Double(arg, Value(), 0.5, 600);
                    break;
                case "--full-gc-every":
                    options.FullGcEvery = Double(arg, Value(), 0, 3600);
                    break;
                case "--warmup":
                    options.WarmupGiven = Double(arg, Value(), 0, 24 * 3600);
                    break;
                case "--max-send-buffer":
                    options.MaxSendBufferSize = (long)Double(arg, Value(), 1024, 1L << 40);
                    break;
                case "-o" or "--out":
                    options.OutDirectory = Value();
                    break;
                case "--replot":
                    options.Replot = Value();
                    break;
                case "--server":
                    options.Server = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {arg}.");
            }
        }

        if (smoke)
        {
            // A quick run that still goes through every path: a few slow readers dropped, churn, samples.
            options.Duration = Math.Min(options.Duration, 60);
            options.Connections = Math.Min(options.Connections, 500);
            options.SlowShare = Math.Max(options.SlowShare, 0.02);
            options.Churn = Math.Min(options.Churn, 5);
            options.Events = Math.Min(options.Events, 200);
            options.Rooms = Math.Min(options.Rooms, 10);
            options.Sample = Math.Min(options.Sample, 2);
            options.FullGcEvery = Math.Min(options.FullGcEvery, 10);
        }

        if (options.FeedReaders > options.NormalClients)
        {
            options.FeedReaders = options.NormalClients;
        }

        return options;
    }

    /// <summary>The arguments that give the server process the same settings.</summary>
    public IEnumerable<string> ServerArguments()
    {
        yield return "--server";
        yield return "--duration";
        yield return Duration.ToString(CultureInfo.InvariantCulture);
        yield return "--feed-bytes";
        yield return FeedBytes.ToString(CultureInfo.InvariantCulture);
        yield return "--feed-rate";
        yield return FeedRate.ToString(CultureInfo.InvariantCulture);
        yield return "--sample";
        yield return Sample.ToString(CultureInfo.InvariantCulture);
        yield return "--full-gc-every";
        yield return FullGcEvery.ToString(CultureInfo.InvariantCulture);
        if (MaxSendBufferSize is { } max)
        {
            yield return "--max-send-buffer";
            yield return max.ToString(CultureInfo.InvariantCulture);
        }
    }

    public const string Usage = """
        TypedSocketIo soak test: a Socket.IO server (MapSocketIo, in a child process) under steady load
        from this process on 127.0.0.1, sampled every few seconds.

        Usage: dotnet run -c Release --project bench/TypedSocketIo.Soak -- [options]

        Options:
              --smoke              a 60 s run with 500 connections (every path, quickly)
          -d, --duration S         seconds of load (default 600)
          -n, --connections N      connections kept open, slow readers included (default 5000)
              --slow-share F       share of the connections that are slow readers (default 0.02)
              --churn R            normal clients replaced per second (default 10)
              --events R           events with an ack per second, all clients together (default 1000)
              --broadcasts R       room broadcasts per second (default 20)
              --rooms N            rooms the normal clients are spread over (default 100)
              --feed-bytes B       bytes per feed message (default 16384)
              --feed-rate R        feed messages per second (default 16)
              --feed-readers N     normal clients in the feed room (default 10)
              --sample S           seconds between samples (default 5)
              --full-gc-every S    seconds between the server's forced full collections (default 60; 0: never)
              --warmup S           seconds excluded from the slopes (default: a quarter of the duration, at most 120)
              --max-send-buffer B  the server's MaxSendBufferSize (default: the library's, 4 MB)
          -o, --out DIR            where the CSV, SVG and summary go (default bench/results)
              --replot FILE.csv    only draw FILE.svg again from FILE.csv (give the run's options too)
        """;

    private static double Double(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) || result < min || result > max)
        {
            throw new ArgumentException($"{name} must be a number from {min} to {max}.");
        }

        return result;
    }
}
