using System.Globalization;

namespace TypedSocketIo.Testing.Fuzz;

/// <summary>
/// The budget and seed of fuzz runs, from the environment:
/// <list type="bullet">
/// <item><c>TYPEDSOCKETIO_FUZZ_SECONDS</c>: run each fuzz test for that many seconds (no case limit). Unset: each
/// test runs its own small number of cases, stopping early after <see cref="DefaultTimeCap"/> (the CI budget).</item>
/// <item><c>TYPEDSOCKETIO_FUZZ_ITERATIONS</c>: run that many cases per test instead of the test's default.</item>
/// <item><c>TYPEDSOCKETIO_FUZZ_SEED</c>: the base seed every case seed derives from (default <see cref="DefaultSeed"/>,
/// so a default run is the same every time).</item>
/// <item><c>TYPEDSOCKETIO_FUZZ_REPLAY</c>: run only the case with that case seed (printed with every failure).</item>
/// </list>
/// </summary>
public sealed record FuzzSettings(int BaseSeed, TimeSpan? Duration, int? Iterations, int? Replay)
{
    public const int DefaultSeed = 20240601;

    /// <summary>Without <c>TYPEDSOCKETIO_FUZZ_SECONDS</c>, a test stops starting new cases after this long.</summary>
    public static readonly TimeSpan DefaultTimeCap = TimeSpan.FromSeconds(4);

    public static FuzzSettings Current { get; } = FromEnvironment();

    /// <summary>Whether this is a long run (a time budget was given).</summary>
    public bool IsLong => Duration is not null;

    /// <summary>How long a test may keep starting cases.</summary>
    public TimeSpan TimeBudget => Duration ?? DefaultTimeCap;

    /// <summary>How many cases a test runs, given its own default.</summary>
    public long CaseLimit(int testDefault) => Replay is not null ? 1 : Iterations ?? (Duration is null ? testDefault : long.MaxValue);

    private static FuzzSettings FromEnvironment()
    {
        double? seconds = Read("TYPEDSOCKETIO_FUZZ_SECONDS", s => double.Parse(s, CultureInfo.InvariantCulture));
        return new FuzzSettings(
            Read("TYPEDSOCKETIO_FUZZ_SEED", ParseInt) ?? DefaultSeed,
            seconds is { } s && s > 0 ? TimeSpan.FromSeconds(s) : null,
            Read("TYPEDSOCKETIO_FUZZ_ITERATIONS", ParseInt) is { } n && n > 0 ? n : null,
            Read("TYPEDSOCKETIO_FUZZ_REPLAY", ParseInt));
    }

    private static int ParseInt(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static T? Read<T>(string name, Func<string, T> parse) where T : struct
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return parse(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{name}={text} is not a number.");
        }
    }
}
