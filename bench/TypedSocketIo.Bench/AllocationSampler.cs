using System.Diagnostics.Tracing;

namespace TypedSocketIo.Bench;

/// <summary>
/// With <c>--alloc-types</c>: listens to the runtime's GC AllocationTick event (one sample per
/// ~100 KB allocated, with the type of the object that crossed the mark) and attributes the samples
/// to the measured slices by time, to show which types make up the allocations of each scenario.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const long GcKeyword = 0x1;

    private readonly List<(DateTime Time, string Type, long Bytes)> _samples = new();
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
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
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
                _samples.Add((eventData.TimeStamp.ToUniversalTime(), type, bytes));
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

    /// <summary>The sampled types of <paramref name="group"/>'s slices, most sampled first, with their share of the samples.</summary>
    public List<string> Top(string group, int count)
    {
        lock (_samples)
        {
            var windows = _windows.Where(w => w.Group == group).ToList();
            var mine = _samples.Where(s => windows.Any(w => s.Time >= w.Start && s.Time < w.End)).ToList();
            long total = mine.Sum(s => s.Bytes);
            return mine.GroupBy(s => s.Type)
                .Select(g => (Type: g.Key, Bytes: g.Sum(s => s.Bytes)))
                .OrderByDescending(g => g.Bytes)
                .Take(count)
                .Select(g => $"{g.Type} {100.0 * g.Bytes / Math.Max(total, 1):F0}%")
                .Prepend($"{mine.Count} samples")
                .ToList();
        }
    }
}
