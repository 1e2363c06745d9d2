using System.Globalization;
using System.Text;

namespace TypedSocketIo.Compare;

/// <summary>The Markdown table of medians and ratios, and one SVG bar chart per scenario.</summary>
internal static class Report
{
    /// <summary>
    /// A scenario's name, unit, whether lower is better, its results per peer (one per round), and
    /// why a peer is not measured in it (null when it is).
    /// </summary>
    public sealed record Scenario(string Name, string Title, string Unit, bool LowerIsBetter, Dictionary<string, List<Measurement>> Results, Func<Peer, string?> NotMeasured)
    {
        /// <summary>The rounds a peer failed in, each with its error, per peer.</summary>
        public Dictionary<string, List<string>> Failures { get; } = [];
    }

    public static string Markdown(IReadOnlyList<Scenario> scenarios, IReadOnlyList<Peer> peers, string machine, string settings)
    {
        var md = new StringBuilder();
        md.AppendLine("# Peer comparison (bench/TypedSocketIo.Compare)").AppendLine();
        md.AppendLine(machine).AppendLine();
        md.AppendLine(settings).AppendLine();
        md.AppendLine("Medians over the rounds; the ratio is to Node socket.io (below 1 is better where lower is better). ")
          .AppendLine("Server load and generator load are CPU time over wall time of their one core; a run is flagged **gen-bound** when the generator's core was at 90 % or more while the server's was not, ")
          .AppendLine("and *contended* when the server's core was under half busy without the generator being the limit (other processes held the cores: CPU per operation stays comparable, rates do not).")
          .AppendLine();
        foreach (Scenario scenario in scenarios)
        {
            md.AppendLine($"## {scenario.Title}").AppendLine();
            md.AppendLine($"| peer | {scenario.Unit} (median) | ratio to Node | server load | generator load | rounds | notes |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            double? reference = Median(scenario, peers[0].Name);
            foreach (Peer peer in peers)
            {
                if (scenario.NotMeasured(peer) is string reason)
                {
                    md.AppendLine($"| {peer.Name} | – | | | | | {reason} |");
                    continue;
                }

                List<string> failures = scenario.Failures.GetValueOrDefault(peer.Name) ?? [];
                string failed = failures.Count > 0 ? $"failed in {failures.Count} round{(failures.Count > 1 ? "s" : "")}: {string.Join("; ", failures.Distinct())}" : "";
                if (!scenario.Results.TryGetValue(peer.Name, out List<Measurement>? runs) || runs.Count == 0)
                {
                    md.AppendLine($"| {peer.Name} | failed | | | | 0 | {failed} |");
                    continue;
                }

                double median = Median(scenario, peer.Name)!.Value;
                string ratio = reference is > 0 ? (median / reference.Value).ToString("F2", CultureInfo.InvariantCulture) : "";
                int bound = runs.Count(static r => r.GeneratorBound);
                int contended = runs.Count(static r => r.Contended);
                string notes = runs[^1].Detail + (bound > 0 ? $"; **gen-bound** in {bound} of {runs.Count}" : "")
                    + (contended > 0 ? $"; contended in {contended} of {runs.Count}" : "") + (failed.Length > 0 ? $"; **{failed}**" : "");
                md.AppendLine(CultureInfo.InvariantCulture, $"| {peer.Name} | {Format(median)} | {ratio} | {MedianOf(runs, static r => r.ServerLoad):F2} | {MedianOf(runs, static r => r.GeneratorLoad):F2} | {runs.Count} | {notes} |");
            }

            md.AppendLine();
            md.AppendLine($"![{scenario.Title}](compare-{scenario.Name}.svg)").AppendLine();
        }

        return md.ToString();
    }

    public static string Svg(Scenario scenario, IReadOnlyList<Peer> peers)
    {
        const int barHeight = 26, left = 140, width = 640, chartWidth = 420, top = 40;
        var values = peers.Select(p => (p.Name, Value: Median(scenario, p.Name), Measured: scenario.NotMeasured(p) is null)).ToList();
        double max = values.Max(static v => v.Value ?? 0);
        int height = top + values.Count * (barHeight + 8) + 20;
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(scenario.Title)} ({Escape(scenario.Unit)}, median; {(scenario.LowerIsBetter ? "lower" : "higher")} is better)</text>");
        for (int i = 0; i < values.Count; i++)
        {
            int y = top + i * (barHeight + 8);
            double value = values[i].Value ?? 0;
            double w = max > 0 ? value / max * chartWidth : 0;
            string color = values[i].Name.StartsWith("tsio", StringComparison.Ordinal) ? "#3b73b9" : "#9aa5b1";
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 17}\" text-anchor=\"end\">{Escape(values[i].Name)}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight}\" fill=\"{color}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + w + 6:F1}\" y=\"{y + 17}\">{(!values[i].Measured ? "– (not measured)" : values[i].Value is null ? "failed" : Format(value))}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double? Median(Scenario scenario, string peer) =>
        scenario.Results.TryGetValue(peer, out List<Measurement>? runs) && runs.Count > 0 ? MedianOf(runs, static r => r.Value) : null;

    private static double MedianOf(List<Measurement> runs, Func<Measurement, double> value)
    {
        double[] sorted = runs.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double value) => value switch
    {
        >= 1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
