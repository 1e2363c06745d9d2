using System.Diagnostics;

namespace TypedSocketIo.Bench;

/// <summary>
/// A fixed-size latency histogram that records without allocating: 1 µs buckets up to 10 ms, then
/// 1 ms buckets up to 10 s (anything longer counts in the last bucket; the exact maximum is kept).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int FineBuckets = 10_000;   // 0 … 9 999 µs
    private const int CoarseBuckets = 10_000; // 10 … 10 009 ms

    private readonly int[] _fine = new int[FineBuckets];
    private readonly int[] _coarse = new int[CoarseBuckets];
    private long _maxTicks;

    public long Count { get; private set; }

    public void Record(long stopwatchTicks)
    {
        long micros = stopwatchTicks * 1_000_000 / Stopwatch.Frequency;
        if (micros < FineBuckets)
        {
            _fine[micros]++;
        }
        else
        {
            long millis = (micros / 1000) - (FineBuckets / 1000);
            _coarse[Math.Min(millis, CoarseBuckets - 1)]++;
        }

        if (stopwatchTicks > _maxTicks)
        {
            _maxTicks = stopwatchTicks;
        }

        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < FineBuckets; i++)
        {
            _fine[i] += other._fine[i];
        }

        for (int i = 0; i < CoarseBuckets; i++)
        {
            _coarse[i] += other._coarse[i];
        }

        _maxTicks = Math.Max(_maxTicks, other._maxTicks);
        Count += other.Count;
    }

    public double MaxMicroseconds => _maxTicks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>The latency below which <paramref name="percentile"/> % of the samples fall, in µs (bucket midpoint).</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(Count * percentile / 100.0));
        long seen = 0;
        for (int i = 0; i < FineBuckets; i++)
        {
            seen += _fine[i];
            if (seen >= rank)
            {
                return Math.Min(i + 0.5, MaxMicroseconds);
            }
        }

        for (int i = 0; i < CoarseBuckets; i++)
        {
            seen += _coarse[i];
            if (seen >= rank)
            {
                return Math.Min(((FineBuckets / 1000) + i + 0.5) * 1000, MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }
}
