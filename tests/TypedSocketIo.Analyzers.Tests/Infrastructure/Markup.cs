using Microsoft.CodeAnalysis.Text;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>A diagnostic a test expects: its id and the span it is reported on.</summary>
internal sealed record ExpectedDiagnostic(string Id, TextSpan Span);

/// <summary>
/// Source with diagnostic markup, as in Roslyn's analyzer tests: <c>[|text|]</c> expects the test's
/// default id exactly on <c>text</c>, <c>{|TSIO100:text|}</c> expects TSIO100 there. Markers may nest.
/// </summary>
internal static class Markup
{
    public static (string Source, IReadOnlyList<ExpectedDiagnostic> Expected) Parse(string markup, string? defaultId)
    {
        var source = new System.Text.StringBuilder(markup.Length);
        var open = new Stack<(string? Id, int Start)>();
        var expected = new List<ExpectedDiagnostic>();
        int i = 0;
        while (i < markup.Length)
        {
            if (At(markup, i, "[|"))
            {
                open.Push((null, source.Length));
                i += 2;
            }
            else if (At(markup, i, "{|"))
            {
                int colon = markup.IndexOf(':', i + 2);
                Assert.True(colon > i + 2, $"The marker at offset {i} has no id: write {{|ID:text|}}.");
                open.Push((markup[(i + 2)..colon], source.Length));
                i = colon + 1;
            }
            else if (At(markup, i, "|]") || At(markup, i, "|}"))
            {
                Assert.True(open.Count > 0, $"{markup.Substring(i, 2)} at offset {i} closes no marker.");
                (string? id, int start) = open.Pop();
                Assert.True((id is null) == (markup[i + 1] == ']'), $"{markup.Substring(i, 2)} at offset {i} closes a marker of the other kind.");
                id ??= defaultId ?? throw new InvalidOperationException("[|…|] markup needs the test's default diagnostic id.");
                expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length)));
                i += 2;
            }
            else
            {
                source.Append(markup[i]);
                i++;
            }
        }

        Assert.True(open.Count == 0, "A marker is not closed.");
        return (source.ToString(), expected);
    }

    private static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;
}
