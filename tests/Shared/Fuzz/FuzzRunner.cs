using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace TypedSocketIo.Testing.Fuzz;

/// <summary>What every decode of a fuzz case is held to: allocation proportional to the input, and a time bound.</summary>
/// <param name="FixedBytes">Allocation allowed whatever the input (exception objects, small buffers).</param>
/// <param name="BytesPerInputByte">Allocation allowed per byte of input on top of <paramref name="FixedBytes"/>.</param>
/// <param name="PerInput">The longest one decode may take (generous: the machine may be loaded).</param>
public sealed record FuzzLimits(long FixedBytes, double BytesPerInputByte, TimeSpan PerInput)
{
    /// <summary>64 KiB plus 40 bytes per input byte, 2 s.</summary>
    public static FuzzLimits Default { get; } = new(64 * 1024, 40, TimeSpan.FromSeconds(2));

    public long AllocationBound(long inputLength) => FixedBytes + (long)(BytesPerInputByte * inputLength);
}

/// <summary>A property of a fuzz case does not hold; the runner reports it with the case's seed and inputs.</summary>
public sealed class FuzzFailure(string message) : Exception(message);

/// <summary>
/// One fuzz case: its own seeded <see cref="Random"/> (so it reproduces from <see cref="Seed"/> alone), the inputs it
/// built (shown when it fails), and the checks every decoder call goes through.
/// </summary>
public sealed class FuzzCase
{
    private const int ShownBytes = 2048;
    private readonly List<string> _inputs = new();

    internal FuzzCase(string target, int seed, string label, FuzzLimits limits)
    {
        Target = target;
        Seed = seed;
        Label = label;
        Limits = limits;
        Random = new Random(seed);
    }

    public string Target { get; }

    /// <summary>The case seed: <c>TYPEDSOCKETIO_FUZZ_REPLAY=&lt;seed&gt;</c> runs this case alone.</summary>
    public int Seed { get; }

    /// <summary>"case seed N", or what a deterministic sweep case is.</summary>
    public string Label { get; }

    public Random Random { get; }

    public FuzzLimits Limits { get; set; }

    /// <summary>The inputs recorded so far, one per line.</summary>
    public string Inputs => _inputs.Count == 0 ? "    (no input recorded)" : string.Join(Environment.NewLine, _inputs);

    /// <summary>Records an input, shown as hex (and as text when it is printable UTF-8) if the case fails.</summary>
    public void Input(string label, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> shown = bytes.Length > ShownBytes ? bytes[..ShownBytes] : bytes;
        string more = bytes.Length > ShownBytes ? $" …({bytes.Length} bytes in all)" : "";
        string line = $"    {label} ({bytes.Length} bytes): {Convert.ToHexString(shown)}{more}";
        if (System.Text.Unicode.Utf8.IsValid(shown) && !shown.ContainsAnyInRange((byte)0, (byte)0x1F))
        {
            line += $"{Environment.NewLine}      as text: {Encoding.UTF8.GetString(shown)}{more}";
        }

        _inputs.Add(line);
    }

    /// <summary>Records a textual input (a query string, a description of a step).</summary>
    public void Input(string label, string text) =>
        _inputs.Add($"    {label}: {(text.Length > ShownBytes ? text[..ShownBytes] + $" …({text.Length} chars)" : text)}");

    /// <summary>Fails the case unless <paramref name="condition"/> holds.</summary>
    public void Check([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzFailure(message);
        }
    }

    /// <summary>Fails the case unless <paramref name="condition"/> holds; the message is only built on failure.</summary>
    public void Check([DoesNotReturnIf(false)] bool condition, Func<string> message)
    {
        if (!condition)
        {
            throw new FuzzFailure(message());
        }
    }

    /// <summary>
    /// Runs one decode of <paramref name="inputLength"/> bytes of input. It must return, or throw one of the
    /// <paramref name="documented"/> exception types with a message; any other exception, an allocation beyond
    /// <see cref="FuzzLimits.AllocationBound"/>, or a decode slower than <see cref="FuzzLimits.PerInput"/> fails
    /// the case. Returns whether it returned a value.
    /// </summary>
    public bool TryDecode<T>(string decoder, long inputLength, Func<T> decode, [MaybeNullWhen(false)] out T value, params Type[] documented)
    {
        T? result = default;
        Exception? error = null;
        (long allocated, TimeSpan elapsed) = Measure(() =>
        {
            try
            {
                result = decode();
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });

        long bound = Limits.AllocationBound(inputLength);
        if (allocated > bound || elapsed > Limits.PerInput)
        {
            // A one-time cost (JIT, a type's first use, an array pool still empty) is not the decoder's: measure again.
            (allocated, elapsed) = Measure(() =>
            {
                try
                {
                    decode();
                }
                catch (Exception)
                {
                }
            });
            Check(allocated <= bound, $"{decoder} allocated {allocated:N0} bytes for {inputLength:N0} bytes of input (bound {bound:N0}).");
            Check(elapsed <= Limits.PerInput, $"{decoder} took {elapsed.TotalMilliseconds:N0} ms for {inputLength:N0} bytes of input (bound {Limits.PerInput.TotalMilliseconds:N0} ms).");
        }

        if (error is null)
        {
            value = result!;
            return true;
        }

        if (!documented.Any(type => type.IsInstanceOfType(error)))
        {
            string expected = documented.Length == 0 ? "nothing" : string.Join(" or ", documented.Select(t => t.Name));
            throw new FuzzFailure($"{decoder} threw {error.GetType().FullName} (documented: {expected}): {error.Message}{Environment.NewLine}{error.StackTrace}");
        }

        Check(!string.IsNullOrWhiteSpace(error.Message), $"{decoder} threw {error.GetType().Name} without a message.");
        value = default;
        return false;
    }

    /// <summary><see cref="TryDecode{T}"/> for a decode without a result.</summary>
    public bool TryDecode(string decoder, long inputLength, Action decode, params Type[] documented) =>
        TryDecode(decoder, inputLength, () =>
        {
            decode();
            return true;
        }, out _, documented);

    private static (long Allocated, TimeSpan Elapsed) Measure(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        action();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return (GC.GetAllocatedBytesForCurrentThread() - before, elapsed);
    }
}

/// <summary>
/// Runs fuzz cases within the budget of <see cref="FuzzSettings"/>: each case gets a seed derived from the base seed,
/// the target and its index; failures are collected (one per kind, up to ten kinds) with their seeds and inputs, and
/// the run fails with all of them. A case that does not finish is reported too (the run is watched by a timer).
/// </summary>
public static class FuzzRunner
{
    private const int MaxFailures = 10;
    private const int MaxRepeats = 1000;

    /// <summary>The seed of case <paramref name="index"/> of <paramref name="target"/> (stable across runs and machines).</summary>
    public static int CaseSeed(int baseSeed, string target, long index)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in target)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        ulong z = hash + ((ulong)(uint)baseSeed << 32) + (ulong)index * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>
    /// Runs <paramref name="sweep"/> (deterministic cases, skipped when replaying) and then random cases of
    /// <paramref name="body"/> until the budget is spent: <paramref name="defaultCases"/> cases (at most
    /// <see cref="FuzzSettings.DefaultTimeCap"/>) by default, or as the environment says.
    /// </summary>
    public static void Run(string target, int defaultCases, Action<FuzzCase> body, Action<string>? log = null,
        FuzzLimits? limits = null, IEnumerable<(string Label, Action<FuzzCase> Body)>? sweep = null)
    {
        FuzzSettings settings = FuzzSettings.Current;
        var state = new RunState(target, settings, limits ?? FuzzLimits.Default);
        var thread = new Thread(() => state.Execute(defaultCases, body, sweep), 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + target };
        thread.Start();
        TimeSpan watchdog = settings.TimeBudget + TimeSpan.FromSeconds(60);
        if (!thread.Join(watchdog))
        {
            FuzzCase? stuck = state.Current;
            Assert.Fail($"Fuzz target {target}: a case did not finish within {watchdog.TotalSeconds:N0} s (a hang): {stuck?.Label}{Environment.NewLine}{stuck?.Inputs}" +
                (stuck is { Seed: >= 0 } ? $"{Environment.NewLine}  replay: TYPEDSOCKETIO_FUZZ_REPLAY={stuck.Seed}" : ""));
        }

        state.Finish(log);
    }

    /// <summary>
    /// The asynchronous form of <see cref="Run"/> (cases talk to a server): each case must finish within
    /// <paramref name="caseTimeout"/>.
    /// </summary>
    public static async Task RunAsync(string target, int defaultCases, Func<FuzzCase, Task> body, TimeSpan caseTimeout,
        Action<string>? log = null, FuzzLimits? limits = null)
    {
        FuzzSettings settings = FuzzSettings.Current;
        var state = new RunState(target, settings, limits ?? FuzzLimits.Default);
        long limit = settings.CaseLimit(defaultCases);
        var watch = Stopwatch.StartNew();
        for (long index = 0; index < limit && !state.Full && (settings.Replay is not null || watch.Elapsed < settings.TimeBudget); index++)
        {
            FuzzCase c = state.NewCase(index);
            long start = Stopwatch.GetTimestamp();
            Task run = body(c);
            try
            {
                await run.WaitAsync(caseTimeout);
            }
            catch (TimeoutException) when (!run.IsCompleted)
            {
                state.Record(c, new FuzzFailure($"The case did not finish within {caseTimeout.TotalSeconds:N0} s (a hang)."));
                break;
            }
            catch (Exception ex)
            {
                state.Record(c, ex);
            }

            state.Timed(c, Stopwatch.GetElapsedTime(start));
        }

        state.Finish(log);
    }

    private sealed class RunState(string target, FuzzSettings settings, FuzzLimits limits)
    {
        private readonly List<string> _failures = new();
        private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);
        private readonly Stopwatch _watch = new();
        private long _repeats;
        private long _cases;
        private long _sweepCases;
        private TimeSpan _slowest;
        private string? _slowestLabel;
        private volatile FuzzCase? _current;

        public FuzzCase? Current => _current;

        public bool Full => _failures.Count >= MaxFailures || _repeats >= MaxRepeats;

        public FuzzCase NewCase(long index)
        {
            _watch.Start();
            _cases++;
            int seed = settings.Replay ?? CaseSeed(settings.BaseSeed, target, index);
            var c = new FuzzCase(target, seed, $"case seed {seed}", limits);
            _current = c;
            return c;
        }

        public void Execute(int defaultCases, Action<FuzzCase> body, IEnumerable<(string Label, Action<FuzzCase> Body)>? sweep)
        {
            _watch.Start();
            if (sweep is not null && settings.Replay is null)
            {
                foreach ((string label, Action<FuzzCase> sweepBody) in sweep)
                {
                    var c = new FuzzCase(target, -1, label, limits);
                    _current = c;
                    _sweepCases++;
                    Invoke(c, sweepBody);
                    if (Full)
                    {
                        return;
                    }
                }
            }

            long limit = settings.CaseLimit(defaultCases);
            for (long index = 0; index < limit && !Full && (settings.Replay is not null || _watch.Elapsed < settings.TimeBudget); index++)
            {
                Invoke(NewCase(index), body);
            }
        }

        private void Invoke(FuzzCase c, Action<FuzzCase> body)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                body(c);
            }
            catch (Exception ex)
            {
                Record(c, ex);
            }

            Timed(c, Stopwatch.GetElapsedTime(start));
        }

        /// <summary>Keeps the slowest case, for the summary (where a long run spends its time).</summary>
        public void Timed(FuzzCase c, TimeSpan elapsed)
        {
            if (elapsed > _slowest)
            {
                _slowest = elapsed;
                _slowestLabel = c.Label;
            }
        }

        public void Record(FuzzCase c, Exception error)
        {
            string what = error is FuzzFailure ? error.Message : $"{error.GetType().FullName}: {error.Message}{Environment.NewLine}{error.StackTrace}";
            string replay = c.Seed >= 0 ? $"{Environment.NewLine}    replay: TYPEDSOCKETIO_FUZZ_REPLAY={c.Seed}" : "";
            lock (_failures)
            {
                // One report per kind of failure (its first line, numbers aside): a long run lists distinct bugs.
                string first = what.Split('\n')[0];
                int documented = first.IndexOf(" (documented", StringComparison.Ordinal);
                string kind = documented > 0 ? first[..documented] : Regex.Replace(first[..Math.Min(first.Length, 80)], "[0-9]+", "#");
                if (_kinds.TryGetValue(kind, out int seen))
                {
                    _kinds[kind] = seen + 1;
                    _repeats++;
                    return;
                }

                _kinds[kind] = 1;
                _failures.Add($"  [{c.Label}] {what}{Environment.NewLine}{c.Inputs}{replay}");
            }
        }

        public void Finish(Action<string>? log)
        {
            _watch.Stop();
            string summary = $"Fuzz target {target}: {_cases:N0} random case(s){(_sweepCases > 0 ? $" and {_sweepCases:N0} sweep case(s)" : "")} " +
                $"in {_watch.Elapsed.TotalSeconds:N1} s, base seed {settings.BaseSeed}{(settings.Replay is { } r ? $", replaying case seed {r}" : "")}" +
                $"{(_slowestLabel is null ? "" : $"; slowest: {_slowestLabel}, {_slowest.TotalMilliseconds:N0} ms")}.";
            log?.Invoke(summary);
            if (_failures.Count > 0)
            {
                Assert.Fail($"{summary}{Environment.NewLine}{_failures.Count} kind(s) of failure, {_failures.Count + _repeats} failing case(s){(Full ? " (stopped early)" : "")}:" +
                    $"{Environment.NewLine}{string.Join(Environment.NewLine, _failures)}");
            }
        }
    }
}
