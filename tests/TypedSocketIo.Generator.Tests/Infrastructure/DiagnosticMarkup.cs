using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>A diagnostic a test expects: its id and where it is reported.</summary>
internal sealed record ExpectedDiagnostic(string Id, string Path, TextSpan Span);

/// <summary>
/// Source with diagnostic markup, as in Roslyn's analyzer tests: <c>{|TSIO002:text|}</c> says that
/// TSIO002 is reported exactly on <c>text</c>. Markers may nest.
/// </summary>
internal static class DiagnosticMarkup
{
    public static (string Source, IReadOnlyList<ExpectedDiagnostic> Expected) Parse(string markup, string path = GeneratorHarness.DefaultPath)
    {
        var source = new System.Text.StringBuilder(markup.Length);
        var open = new Stack<(string Id, int Start)>();
        var expected = new List<ExpectedDiagnostic>();
        int i = 0;
        while (i < markup.Length)
        {
            if (markup[i] == '{' && i + 1 < markup.Length && markup[i + 1] == '|')
            {
                int colon = markup.IndexOf(':', i + 2);
                Assert.True(colon > i + 2, $"A marker at offset {i} has no id: {{|ID:text|}}.");
                open.Push((markup[(i + 2)..colon], source.Length));
                i = colon + 1;
            }
            else if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}')
            {
                Assert.True(open.Count > 0, $"|}} at offset {i} closes no marker.");
                (string id, int start) = open.Pop();
                expected.Add(new ExpectedDiagnostic(id, path, TextSpan.FromBounds(start, source.Length)));
                i += 2;
            }
            else
            {
                source.Append(markup[i]);
                i++;
            }
        }

        Assert.True(open.Count == 0, $"Unclosed marker {(open.Count > 0 ? open.Peek().Id : "")}.");
        return (source.ToString(), expected);
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> are exactly the <paramref name="expected"/> diagnostics:
    /// the same ids at the same places, none missing and none more.
    /// </summary>
    public static void AssertExactly(IReadOnlyList<ExpectedDiagnostic> expected, IEnumerable<Diagnostic> actual, IReadOnlyDictionary<string, string> sources)
    {
        List<string> want = expected.Select(e => Describe(e.Id, e.Path, e.Span, sources)).Order(StringComparer.Ordinal).ToList();
        List<string> got = actual.Select(d => Describe(d, sources)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(want, got);
    }

    /// <summary>
    /// Describes a reported diagnostic with the line span it carries (not one recomputed from its
    /// text span), so a wrong line span fails as surely as a wrong text span. The generator reports
    /// file locations (path, span, line span) rather than syntax-tree ones: its models hold no trees.
    /// </summary>
    private static string Describe(Diagnostic diagnostic, IReadOnlyDictionary<string, string> sources)
    {
        Location location = diagnostic.Location;
        if (location == Location.None)
        {
            return $"{diagnostic.Id} at no location: {diagnostic.GetMessage()}";
        }

        FileLinePositionSpan lines = location.GetLineSpan();
        TextSpan span = location.SourceSpan;
        string covered = sources.TryGetValue(lines.Path, out string? text) && span.End <= text.Length ? text.Substring(span.Start, span.Length) : "?";
        return $"{diagnostic.Id} {lines.Path}({lines.StartLinePosition.Line + 1},{lines.StartLinePosition.Character + 1})-({lines.EndLinePosition.Line + 1},{lines.EndLinePosition.Character + 1}) \"{covered}\"";
    }

    /// <summary><c>TSIO002 Contracts.cs(5,10)-(5,15) "Count"</c>: 1-based lines and columns, and the text the span covers.</summary>
    private static string Describe(string id, string path, TextSpan span, IReadOnlyDictionary<string, string> sources)
    {
        if (!sources.TryGetValue(path, out string? text))
        {
            return $"{id} {path}[{span.Start}..{span.End})";
        }

        LinePositionSpan lines = SourceText.From(text).Lines.GetLinePositionSpan(span);
        return $"{id} {path}({lines.Start.Line + 1},{lines.Start.Character + 1})-({lines.End.Line + 1},{lines.End.Character + 1}) \"{text.Substring(span.Start, span.Length)}\"";
    }
}
