using System.Globalization;
using System.Text;

namespace TypedSocketIo.Soak;

/// <summary>The CSV, the SVG plot and the summary of a soak run.</summary>
internal static class SoakReport
{
    private const double MB = 1048576.0;

    public const string CsvHeader =
        "phase,t_s,server_heap_mb,server_heap_after_gc_mb,server_live_heap_mb,server_committed_mb,server_working_set_mb,server_private_mb," +
        "server_fds,server_threads,server_pool_threads,server_pool_queue,server_sessions,server_sockets,server_dropped_send_buffer_full," +
        "server_ping_timeouts,server_closes,server_connections,server_gen0,server_gen1,server_gen2,server_gc_pause_ms,server_cpu_s," +
        "server_cpu_cores,server_alloc_mb,server_log_warnings,server_log_errors,clients_open,slow_open,acks,ack_p50_ms,ack_p99_ms," +
        "ack_timeouts,ack_mismatches,said,feed_msgs,unexpected_ends,churned,connects,connect_failures,slow_opened,slow_dropped," +
        "slow_ping_timeouts,normal_closed_by_server,load_cpu_s";

    public static string CsvLine(Row row)
    {
        ServerSample s = row.Server;
        LoadSnapshot l = row.Load;
        return string.Join(',',
            row.Phase, F(s.T, 1), F(s.HeapBytes / MB, 2), F(s.HeapAfterGcBytes / MB, 2), s.LiveHeapBytes < 0 ? "" : F(s.LiveHeapBytes / MB, 2),
            F(s.CommittedBytes / MB, 2), F(s.WorkingSetBytes / MB, 2), F(s.PrivateBytes / MB, 2), I(s.Fds), I(s.Threads), I(s.PoolThreads), I(s.PoolQueue),
            I(s.Sessions), I(s.Sockets), I(s.DroppedSendBufferFull), I(s.PingTimeouts), I(s.Closes), I(s.Connections), I(s.Gen0), I(s.Gen1), I(s.Gen2),
            F(s.GcPauseMs, 1), F(s.CpuSeconds, 2), F(row.ServerCpuCores, 3), F(s.AllocatedBytes / MB, 1), I(s.LogWarnings), I(s.LogErrors),
            I(row.ClientsOpen), I(row.SlowOpen), I(row.Acks), double.IsNaN(row.AckP50Ms) ? "" : F(row.AckP50Ms, 2), double.IsNaN(row.AckP99Ms) ? "" : F(row.AckP99Ms, 2),
            I(l.AckTimeouts), I(l.AckMismatches), I(l.Said), I(l.FeedMessages), I(l.UnexpectedEnds), I(l.Churned), I(l.Connects), I(l.ConnectFailures),
            I(l.SlowOpened), I(l.SlowDropped), I(l.SlowPingTimeouts), I(l.NormalClosedByServer), F(row.LoadCpuSeconds, 2));
    }

    /// <summary>A least-squares line through the points: the slope per minute and the mean.</summary>
    public static (double PerMinute, double Mean, int Points) Slope(IReadOnlyList<(double T, double Value)> points)
    {
        if (points.Count < 2)
        {
            return (double.NaN, points.Count == 1 ? points[0].Value : double.NaN, points.Count);
        }

        double meanT = points.Average(p => p.T);
        double mean = points.Average(p => p.Value);
        double num = points.Sum(p => (p.T - meanT) * (p.Value - mean));
        double den = points.Sum(p => (p.T - meanT) * (p.T - meanT));
        return (den == 0 ? 0 : num / den * 60, mean, points.Count);
    }

    private sealed record Metric(string Name, string Unit, Func<Row, double?> Value, double FlatAbsolute);

    /// <summary>The measures whose slope after warm-up tells a leak; each with the change below which it counts as flat whatever its relative size.</summary>
    private static readonly Metric[] Metrics =
    [
        new("live heap after a full GC", "MB", r => r.Server.LiveHeapBytes < 0 ? null : r.Server.LiveHeapBytes / MB, 2),
        new("managed heap after the last GC", "MB", r => r.Server.HeapAfterGcBytes / MB, 8),
        new("working set", "MB", r => r.Server.WorkingSetBytes / MB, 16),
        new("private memory", "MB", r => r.Server.PrivateBytes / MB, 16),
        new("file descriptors − sessions", "", r => r.Server.Fds - r.Server.Sessions, 20),
        new("file descriptors", "", r => r.Server.Fds, 50),
        new("threads", "", r => r.Server.Threads, 4),
        new("sessions", "", r => r.Server.Sessions, 50),
    ];

    public static string Summary(SoakOptions options, List<Row> rows, LoadStats stats, List<string> failures, double loadStart, double loadEnd, string machine, string loadAverages, string stamp)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Soak run {stamp}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- machine: {machine}; 1-minute load average {loadAverages}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- load: {SoakRun.Describe(options)}");
        List<Row> load = rows.Where(r => r.Phase == "load").ToList();
        List<Row> measured = load.Where(r => r.Server.T >= loadStart + options.Warmup).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"- {rows.Count} samples; opening took {loadStart:F1} s, the load ran from {loadStart:F1} s to {loadEnd:F1} s; slopes over {measured.Count} samples from {loadStart + options.Warmup:F0} s (after {options.Warmup:F0} s of warm-up)");
        text.AppendLine();

        text.AppendLine("| measure | after warm-up | at the end of the load | slope per minute | change over the window | verdict |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        double window = measured.Count < 2 ? 0 : (measured[^1].Server.T - measured[0].Server.T) / 60;
        foreach (Metric metric in Metrics)
        {
            List<(double T, double Value)> points = measured.Where(r => metric.Value(r) is not null).Select(r => (r.Server.T, metric.Value(r)!.Value)).ToList();
            (double perMinute, double mean, int count) = Slope(points);
            if (count == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {metric.Name} | - | - | - | - | no samples |");
                continue;
            }

            double change = perMinute * window;
            bool flat = double.IsNaN(change) || Math.Abs(change) <= Math.Max(metric.FlatAbsolute, 0.05 * Math.Abs(mean));
            string unit = metric.Unit.Length == 0 ? "" : " " + metric.Unit;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {metric.Name} | {F(points[0].Value, 1)}{unit} | {F(points[^1].Value, 1)}{unit} | {Signed(perMinute, 2)}{unit} | {Signed(change, 1)}{unit} ({Signed(100 * change / Math.Max(Math.Abs(mean), 1e-9), 1)} %) | {(flat ? "flat" : "GROWS")} |");
        }

        text.AppendLine();
        text.AppendLine("Flat: the fitted change over the window is within 5 % of the mean, or within 2 MB (live heap), 8 MB (heap), 16 MB (working set, private), 20 (descriptors beyond sessions), 50 (descriptors, sessions) or 4 (threads).");
        text.AppendLine();

        if (load.Count > 0)
        {
            Row first = load[0], last = load[^1];
            double forcedPause = load.Skip(1).Zip(load).Where(p => p.First.Server.LiveHeapBytes >= 0).Sum(p => p.First.Server.GcPauseMs - p.Second.Server.GcPauseMs);
            double seconds = Math.Max(last.Server.T - first.Server.T, 1e-9);
            text.AppendLine(CultureInfo.InvariantCulture, $"- server CPU during the load: {F((last.Server.CpuSeconds - first.Server.CpuSeconds) / seconds, 2)} cores on average (max sample {F(load.Max(r => r.ServerCpuCores), 2)}); " +
                $"load process CPU {F((last.LoadCpuSeconds - first.LoadCpuSeconds) / seconds, 2)} cores");
            text.AppendLine(CultureInfo.InvariantCulture, $"- server GCs during the load: {last.Server.Gen0 - first.Server.Gen0} gen0, {last.Server.Gen1 - first.Server.Gen1} gen1, {last.Server.Gen2 - first.Server.Gen2} gen2 (the forced full GCs included), " +
                $"{F(last.Server.GcPauseMs - first.Server.GcPauseMs, 0)} ms paused ({F(forcedPause, 0)} ms of it in the intervals with a forced full GC); allocated {F((last.Server.AllocatedBytes - first.Server.AllocatedBytes) / MB / seconds, 1)} MB/s");
            text.AppendLine(CultureInfo.InvariantCulture, $"- sessions during the load: {load.Min(r => r.Server.Sessions)}–{load.Max(r => r.Server.Sessions)}; thread pool threads {load.Min(r => r.Server.PoolThreads)}–{load.Max(r => r.Server.PoolThreads)}, queue max {load.Max(r => r.Server.PoolQueue)}");
        }

        (double p50, double p99, double p999, double max, long ackCount) = stats.Total();
        Row? end = rows.LastOrDefault();
        string serverDrops = end is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; the server counted {end.Server.DroppedSendBufferFull:N0} 'send buffer full' drops in all");
        text.AppendLine(CultureInfo.InvariantCulture, $"- acks: {ackCount:N0} received ({stats.EchoesSent:N0} echoes sent), p50 {F(p50, 2)} ms, p99 {F(p99, 2)} ms, p99.9 {F(p999, 1)} ms, max {F(max, 1)} ms; timed out (> 10 s) {stats.AckTimeouts}, mismatched {stats.AckMismatches}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- room broadcasts: {stats.SaysSent:N0} sent, {stats.Said:N0} deliveries received; feed: {stats.FeedMessages:N0} messages ({F(stats.FeedBytes / MB, 0)} MB) read by the feed readers");
        text.AppendLine(CultureInfo.InvariantCulture, $"- churn: {stats.ChurnedGraceful:N0} clients closed with the WebSocket handshake and {stats.ChurnedAborted:N0} dropped without it, each replaced; {stats.Connects:N0} connections opened in all, {stats.ConnectFailures} failed");
        text.AppendLine(CultureInfo.InvariantCulture, $"- slow readers: {stats.SlowOpened:N0} opened; dropped by the server for a full send buffer {stats.SlowDropped:N0}, by a ping timeout {stats.SlowPingTimeouts:N0}, for another reason {stats.SlowOtherCloses}{serverDrops}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- normal clients closed by the server: {stats.NormalClosedByServer}; normal clients that lost their connection: {stats.UnexpectedEnds}; unexpected frames {stats.UnexpectedFrames}");
        Row? baseline = rows.FirstOrDefault(r => r.Phase == "start");
        if (baseline is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- before any connection (first sample, after a full GC): live heap {F(baseline.Server.LiveHeapBytes / MB, 1)} MB, working set {F(baseline.Server.WorkingSetBytes / MB, 0)} MB, fds {baseline.Server.Fds}, threads {baseline.Server.Threads}");
        }

        if (end is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- server log: {end.Server.LogWarnings} warnings, {end.Server.LogErrors} errors; closes by reason: {string.Join(", ", end.Server.CloseReasons.OrderByDescending(p => p.Value).Select(p => $"'{p.Key}' {p.Value:N0}"))}");
            text.AppendLine(CultureInfo.InvariantCulture, $"- after every client closed (last sample, after a full GC): sessions {end.Server.Sessions}, live heap {F(end.Server.LiveHeapBytes / MB, 1)} MB, working set {F(end.Server.WorkingSetBytes / MB, 0)} MB, fds {end.Server.Fds}, threads {end.Server.Threads}");
        }

        foreach ((string key, int times) in stats.Ends())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- connection end: {key} ×{times}");
        }

        foreach ((string key, int times) in stats.ConnectErrors())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- connect failure: {key} ×{times}");
        }

        text.AppendLine();
        text.AppendLine(failures.Count == 0 ? "No failures." : "FAILURES:");
        foreach (string failure in failures)
        {
            text.AppendLine("- " + failure);
        }

        return text.ToString();
    }

    /// <summary>
    /// Reads the rows back from a CSV written by <see cref="CsvLine"/> (the fields the plot needs),
    /// with the load's start and end (its first and last sample).
    /// </summary>
    public static (List<Row> Rows, double LoadStart, double LoadEnd) ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is >= 0 and int index ? index : throw new InvalidDataException($"No column {name} in {path}.");
        var rows = new List<Row>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split(',');
            double D(string name) => cells[Column(name)] is { Length: > 0 } cell ? double.Parse(cell, CultureInfo.InvariantCulture) : double.NaN;
            long Bytes(string name) => double.IsNaN(D(name)) ? -1 : (long)(D(name) * MB);
            var server = new ServerSample
            {
                T = D("t_s"), HeapBytes = Bytes("server_heap_mb"), HeapAfterGcBytes = Bytes("server_heap_after_gc_mb"),
                CommittedBytes = Bytes("server_committed_mb"), LiveHeapBytes = Bytes("server_live_heap_mb"),
                WorkingSetBytes = Bytes("server_working_set_mb"), PrivateBytes = Bytes("server_private_mb"), Fds = (int)D("server_fds"),
                Threads = (int)D("server_threads"), PoolThreads = (int)D("server_pool_threads"), PoolQueue = (long)D("server_pool_queue"),
                Sessions = (int)D("server_sessions"), Sockets = (int)D("server_sockets"), DroppedSendBufferFull = (long)D("server_dropped_send_buffer_full"),
                PingTimeouts = (long)D("server_ping_timeouts"), Closes = (long)D("server_closes"), Connections = (long)D("server_connections"),
                Gen0 = (int)D("server_gen0"), Gen1 = (int)D("server_gen1"), Gen2 = (int)D("server_gen2"), GcPauseMs = D("server_gc_pause_ms"),
                CpuSeconds = D("server_cpu_s"), AllocatedBytes = Bytes("server_alloc_mb"), LogWarnings = (int)D("server_log_warnings"),
                LogErrors = (int)D("server_log_errors"), CloseReasons = new(),
            };
            var load = new LoadSnapshot((long)D("connects"), (long)D("connect_failures"), (long)D("ack_timeouts"), (long)D("ack_mismatches"),
                (long)D("said"), (long)D("feed_msgs"), (long)D("unexpected_ends"), (long)D("churned"), (long)D("slow_opened"), (long)D("slow_dropped"),
                (long)D("slow_ping_timeouts"), (long)D("normal_closed_by_server"), 0);
            rows.Add(new Row(cells[Column("phase")], server, D("server_cpu_cores"), (int)D("clients_open"), (int)D("slow_open"), (long)D("acks"),
                D("ack_p50_ms"), D("ack_p99_ms"), load, D("load_cpu_s")));
        }

        List<Row> loadRows = rows.Where(r => r.Phase == "load").ToList();
        return (rows, loadRows.Count == 0 ? 0 : loadRows[0].Server.T, loadRows.Count == 0 ? 0 : loadRows[^1].Server.T);
    }

    private sealed record Series(string Name, string Color, Func<Row, double?> Value);

    private sealed record Panel(string Title, Series[] Series);

    /// <summary>A stack of line charts over time, the warm-up and the load's end marked.</summary>
    public static string Svg(SoakOptions options, List<Row> rows, double loadStart, double loadEnd)
    {
        Panel[] panels =
        [
            new("server managed heap (MB)", [
                new("heap", "#1f77b4", r => r.Server.HeapBytes / MB),
                new("after last GC", "#ff7f0e", r => r.Server.HeapAfterGcBytes / MB),
                new("live, after a full GC", "#2ca02c", r => r.Server.LiveHeapBytes < 0 ? null : r.Server.LiveHeapBytes / MB)]),
            new("server memory (MB)", [
                new("working set", "#1f77b4", r => r.Server.WorkingSetBytes / MB),
                new("private", "#ff7f0e", r => r.Server.PrivateBytes / MB)]),
            new("server file descriptors and sessions", [
                new("fds", "#1f77b4", r => r.Server.Fds),
                new("sessions", "#ff7f0e", r => r.Server.Sessions)]),
            new("server threads", [
                new("threads", "#1f77b4", r => r.Server.Threads),
                new("thread pool", "#ff7f0e", r => r.Server.PoolThreads)]),
            new("slow readers dropped (send buffer full, cumulative)", [
                new("dropped", "#d62728", r => r.Server.DroppedSendBufferFull)]),
            new("server CPU (cores, over each interval)", [
                new("server CPU", "#1f77b4", r => r.ServerCpuCores)]),
            new("ack latency over each interval (ms)", [
                new("p50", "#2ca02c", r => double.IsNaN(r.AckP50Ms) ? null : r.AckP50Ms),
                new("p99", "#9467bd", r => double.IsNaN(r.AckP99Ms) ? null : r.AckP99Ms)]),
        ];

        // The description on lines of at most 130 characters, cut after a comma.
        var titleLines = new List<string>();
        foreach (string part in ("Soak: " + SoakRun.Describe(options)).Split(", "))
        {
            if (titleLines.Count > 0 && titleLines[^1].Length + part.Length + 2 <= 130)
            {
                titleLines[^1] += ", " + part;
            }
            else
            {
                titleLines.Add(part);
            }
        }

        const int width = 900, panelHeight = 150, left = 70, right = 20, gap = 45;
        int top = 14 + (16 * titleLines.Count);
        int height = top + (panels.Length * (panelHeight + gap));
        double tMax = Math.Max(rows.Count == 0 ? 1 : rows.Max(r => r.Server.T), 1);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        for (int line = 0; line < titleLines.Count; line++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"{14 + (16 * line)}\" font-size=\"12\">{Escape(titleLines[line])}{(line < titleLines.Count - 1 ? "," : "")}</text>");
        }
        double X(double t) => left + ((width - left - right) * t / tMax);
        for (int p = 0; p < panels.Length; p++)
        {
            Panel panel = panels[p];
            int y0 = top + (p * (panelHeight + gap)) + 20;
            var values = rows.SelectMany(r => panel.Series.Select(s => s.Value(r))).OfType<double>().ToList();
            double min = values.Count == 0 ? 0 : Math.Min(0, values.Min());
            double max = values.Count == 0 ? 1 : values.Max();
            if (max <= min)
            {
                max = min + 1;
            }

            max += (max - min) * 0.05;
            double Y(double v) => y0 + panelHeight - (panelHeight * (v - min) / (max - min));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{y0 - 6}\" font-weight=\"bold\">{Escape(panel.Title)}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y0}\" width=\"{width - left - right}\" height=\"{panelHeight}\" fill=\"none\" stroke=\"#999\"/>");
            for (int tick = 0; tick <= 4; tick++)
            {
                double v = min + ((max - min) * tick / 4);
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(Y(v) + 4, 1)}\" text-anchor=\"end\">{F(v, v >= 100 ? 0 : 1)}</text>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(v), 1)}\" y2=\"{F(Y(v), 1)}\" stroke=\"#eee\"/>");
            }

            foreach ((double t, string label) in new[] { (loadStart, "load"), (loadStart + options.Warmup, "warm-up end"), (loadEnd, "load end") })
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(t), 1)}\" x2=\"{F(X(t), 1)}\" y1=\"{y0}\" y2=\"{y0 + panelHeight}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>");
                if (p == 0)
                {
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(X(t) + 3, 1)}\" y=\"{y0 + 12}\" fill=\"#666\">{label}</text>");
                }
            }

            int legendX = width - right - 10;
            for (int s = panel.Series.Length - 1; s >= 0; s--)
            {
                Series series = panel.Series[s];
                var points = rows.Select(r => (r.Server.T, V: series.Value(r))).Where(x => x.V is not null).Select(x => $"{F(X(x.T), 1)},{F(Y(x.V!.Value), 1)}").ToList();
                if (points.Count > 0)
                {
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>");
                }

                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{legendX}\" y=\"{y0 - 6}\" text-anchor=\"end\" fill=\"{series.Color}\">{Escape(series.Name)}</text>");
                legendX -= (series.Name.Length * 6) + 16;
            }

            if (p == panels.Length - 1)
            {
                for (int tick = 0; tick <= 10; tick++)
                {
                    double t = tMax * tick / 10;
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(X(t), 1)}\" y=\"{y0 + panelHeight + 14}\" text-anchor=\"middle\">{F(t, 0)} s</text>");
                }
            }
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string F(double value, int decimals) => double.IsNaN(value) ? "-" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Signed(double value, int decimals) => double.IsNaN(value) ? "-" : (value >= 0 ? "+" : "") + F(value, decimals);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
