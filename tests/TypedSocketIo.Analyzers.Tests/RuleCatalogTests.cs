using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>
/// The rules as a whole: ids, help links and pages, release tracking, what the code fixes fix, and
/// what the analyzer assemblies are built against.
/// </summary>
public sealed class RuleCatalogTests
{
    private static IEnumerable<DiagnosticDescriptor> Rules =>
        AnalyzerHarness.Analyzers.SelectMany(a => a.SupportedDiagnostics).DistinctBy(d => d.Id);

    [Fact]
    public void The_rules_are_TSIO100_and_TSIO200_to_TSIO205()
    {
        Assert.Equal(
            new[] { "TSIO100", "TSIO200", "TSIO201", "TSIO202", "TSIO203", "TSIO204", "TSIO205" },
            Rules.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { "TSIO100", "TSIO200" },
            Rules.Where(d => d.DefaultSeverity == DiagnosticSeverity.Error).Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(Rules, d => Assert.True(d.IsEnabledByDefault, $"{d.Id} is off by default."));
    }

    [Fact]
    public void Every_rule_links_to_its_page_and_the_page_exists()
    {
        foreach (DiagnosticDescriptor rule in Rules)
        {
            Assert.Equal(Descriptors.HelpLinkBase + rule.Id + ".md", rule.HelpLinkUri);
            string page = Path.Combine(RepositoryRoot(), "docs", "diagnostics", rule.Id + ".md");
            Assert.True(File.Exists(page), $"{rule.Id} has no page {page}.");
        }
    }

    [Fact]
    public void Release_tracking_lists_every_rule_with_its_category_and_severity()
    {
        string root = RepositoryRoot();
        string[] rows = File.ReadAllLines(Path.Combine(root, "src", "Analyzers", "AnalyzerReleases.Unshipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(root, "src", "Analyzers", "AnalyzerReleases.Shipped.md")))
            .Where(l => l.StartsWith("TSIO", StringComparison.Ordinal))
            .ToArray();
        var tracked = rows
            .Select(r => r.Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => $"{c[0]} {c[1]} {c[2]}")
            .Order(StringComparer.Ordinal);
        var declared = Rules.Select(d => $"{d.Id} {d.Category} {d.DefaultSeverity}").Order(StringComparer.Ordinal);
        Assert.Equal(declared, tracked);
    }

    [Fact]
    public void The_code_fixes_fix_TSIO100_and_TSIO200_and_support_FixAll()
    {
        CodeFixProvider[] fixes = { new ReservedEventNameCodeFix(), new EmitChainingCodeFix() };
        Assert.Equal(new[] { "TSIO100", "TSIO200" }, fixes.SelectMany(f => f.FixableDiagnosticIds).Order(StringComparer.Ordinal));
        Assert.All(fixes, f => Assert.NotNull(f.GetFixAllProvider()));
    }

    [Theory]
    [InlineData("TypedSocketIo.Analyzers.dll", false)]
    [InlineData("TypedSocketIo.Analyzers.CodeFixes.dll", true)]
    [InlineData("TypedSocketIo.Generator.dll", false)]
    public void The_compiler_components_target_netstandard20_and_Roslyn_4_14(string file, bool workspaces)
    {
        // A component built against a newer Roslyn than the SDK's compiler does not load (CS9057);
        // one that needs Workspaces cannot be loaded by the compiler at all (RS1038).
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, file));
        using var pe = new PEReader(stream);
        MetadataReader metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences
            .Select(h => metadata.GetAssemblyReference(h))
            .ToDictionary(r => metadata.GetString(r.Name), r => r.Version, StringComparer.Ordinal);

        Assert.Equal(new Version(2, 0, 0, 0), references["netstandard"]);
        Assert.Equal(new Version(4, 14, 0, 0), references["Microsoft.CodeAnalysis"]);
        Assert.Equal(workspaces, references.ContainsKey("Microsoft.CodeAnalysis.Workspaces"));
    }

    [Fact]
    public void Every_analyzer_is_a_CSharp_analyzer()
    {
        foreach (DiagnosticAnalyzer analyzer in AnalyzerHarness.Analyzers)
        {
            var attribute = Assert.Single(analyzer.GetType().GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), inherit: false).Cast<DiagnosticAnalyzerAttribute>());
            Assert.Equal(new[] { LanguageNames.CSharp }, attribute.Languages);
        }
    }

    /// <summary>The repository, found from this file's path (the tests run from a build of this source tree).</summary>
    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
        Assert.True(File.Exists(Path.Combine(root, "TypedSocketIo.sln")), $"The repository root was not found from {thisFile}.");
        return root;
    }
}
