using System.Diagnostics.Tracing;

namespace TypedSocketIo.Bench;

/// <summary>
/// With <c>--alloc-types</c>: listens to the runtime's allocation samples and attributes them to the
/// measured slices by time, to show which types make up the allocations of each scenario.
/// <para>
/// On .NET 10 it uses the randomized <c>AllocationSampled</c> event (keyword 0x80000000000): each
/// allocated byte has the same chance of being sampled, so the share of samples is the share of
/// bytes. The older <c>GCAllocationTick</c> (one event per ~100 KB, naming the object that crossed
/// the mark) is the fallback; it is biased when a fixed sequence of allocations repeats, as it does
/// per round trip, because the same object keeps crossing the mark.
/// </para>
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const long GcKeyword = 0x1;
    private const long AllocationSamplingKeyword = 0x80000000000;

    private readonly List<(DateTime Time, string Type, long Bytes, bool Randomized)> _samples = new();
    private readonly List<(string Group, DateTime Start, DateTime End)> _windows = new();
    private bool _enabled;

    public void Enable()
    {
        lock (_samples)
        {
            _enabled = true;
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)(GcKeyword | AllocationSamplingKeyword));
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        bool randomized = eventData.EventName == "AllocationSampled";
        if (eventData.Payload is null
            || !(randomized || (eventData.EventName is not null && eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))))
        {
            return;
        }

        string type = "?";
        long bytes = 0;
        for (int i = 0; i < eventData.Payload.Count; i++)
        {
            string? name = eventData.PayloadNames?[i];
            if (name == "TypeName")
            {
                type = eventData.Payload[i] as string ?? "?";
            }
            else if (name == "AllocationAmount64")
            {
                bytes = Convert.ToInt64(eventData.Payload[i], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        lock (_samples)
        {
            if (_enabled)
            {
                _samples.Add((eventData.TimeStamp.ToUniversalTime(), type, randomized ? 1 : bytes, randomized));
            }
        }
    }

    public void AddWindow(string group, DateTime start, DateTime end)
    {
        lock (_samples)
        {
            _windows.Add((group, start, end));
        }
    }

    /// <summary>
    /// The sampled types of <paramref name="group"/>'s slices, most allocated first, with their share
    /// of the bytes and that share of <paramref name="bytesPerRoundTrip"/> (the exact allocated bytes per
    /// round trip), so an estimate of each type's bytes per round trip.
    /// </summary>
    public List<string> Top(string group, int count, double bytesPerRoundTrip)
    {
        lock (_samples)
        {
            var windows = _windows.Where(w => w.Group == group).ToList();
            var inWindows = _samples.Where(s => windows.Any(w => s.Time >= w.Start && s.Time < w.End)).ToList();
            bool randomized = inWindows.Any(s => s.Randomized);
            var mine = inWindows.Where(s => s.Randomized == randomized).ToList();
            long total = mine.Sum(s => s.Bytes);
            return mine.GroupBy(s => s.Type)
                .Select(g => (Type: g.Key, Bytes: g.Sum(s => s.Bytes)))
                .OrderByDescending(g => g.Bytes)
                .Take(count)
                .Select(g =>
                {
                    double share = (double)g.Bytes / Math.Max(total, 1);
                    return $"{g.Type} {100 * share:F0}% (~{share * bytesPerRoundTrip:F0} B/rt)";
                })
                .Prepend(mine.Count == 0 ? "no samples" : $"{mine.Count} {(randomized ? "AllocationSampled" : "AllocationTick")} samples")
                .ToList();
        }
    }
}
