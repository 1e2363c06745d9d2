using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>
/// The rules as a whole: one descriptor catalogue per assembly (the analyzers' and the generator's
/// <c>Descriptors</c>), ids, help links and pages, release tracking, what the code fixes fix, and
/// what the analyzer assemblies are built against.
/// </summary>
public sealed class RuleCatalogTests
{
    private static IEnumerable<DiagnosticDescriptor> Rules =>
        TestSetup.Analyzers.SelectMany(a => a.SupportedDiagnostics).DistinctBy(d => d.Id);

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

    /// <summary>Each compiler component's source folder and its catalogue (null: it declares no descriptor).</summary>
    public static TheoryData<string, Type?> Components => new()
    {
        { "Analyzers", typeof(Descriptors) },
        { "Generator", typeof(TypedSocketIo.Generator.Descriptors) },
        { "Analyzers.CodeFixes", null },
    };

    /// <summary>
    /// Every descriptor of an assembly is a static field of its catalogue, one per <c>const string …Id</c>
    /// and in the same order of ids, each with its page as help link; no other type of the assembly
    /// holds one, and no other source file builds one or spells an id.
    /// </summary>
    [Theory]
    [MemberData(nameof(Components))]
    public void Each_assembly_declares_its_descriptors_in_its_catalogue_only(string folder, Type? catalogue)
    {
        Assembly assembly = folder switch
        {
            "Analyzers" => typeof(Descriptors).Assembly,
            "Generator" => typeof(TypedSocketIo.Generator.SocketIoGenerator).Assembly,
            _ => typeof(ReservedEventNameCodeFix).Assembly,
        };
        const BindingFlags Statics = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
        string[] holders = assembly.GetTypes()
            .Where(t => t != catalogue)
            .SelectMany(t => t.GetFields(Statics).Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => $"{t.FullName}.{f.Name}"))
            .ToArray();
        Assert.True(holders.Length == 0, "Descriptors outside the catalogue: " + string.Join(", ", holders));

        if (catalogue is not null)
        {
            DiagnosticDescriptor[] descriptors = CatalogueDescriptors(catalogue);
            string[] ids = catalogue.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Id", StringComparison.Ordinal))
                .Select(f => (string)f.GetRawConstantValue()!)
                .ToArray();
            Assert.NotEmpty(ids);
            Assert.Equal(ids.Order(StringComparer.Ordinal), descriptors.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
            Assert.All(descriptors, d => Assert.Equal($"https://github.com/TypedSocketIo/TypedSocketIo/blob/main/docs/diagnostics/{d.Id}.md", d.HelpLinkUri));
            Assert.Equal(Descriptors.HelpLinkBase, (string)catalogue.GetField("HelpLinkBase")!.GetRawConstantValue()!);
        }

        // In source: no descriptor built, no descriptor-typed field and no id spelled outside the catalogue.
        var problems = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src", folder), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || (catalogue is not null && Path.GetFileName(file) == "Descriptors.cs"))
            {
                continue;
            }

            SyntaxNode root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (SyntaxNode node in root.DescendantNodes())
            {
                string? problem = node switch
                {
                    ObjectCreationExpressionSyntax { Type: var type } when type.ToString().EndsWith("DiagnosticDescriptor", StringComparison.Ordinal) => "builds a descriptor",
                    VariableDeclarationSyntax { Type: var type } when type.ToString().EndsWith("DiagnosticDescriptor", StringComparison.Ordinal) => "declares a descriptor",
                    LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression)
                        && System.Text.RegularExpressions.Regex.IsMatch(literal.Token.ValueText, @"TSIO\d{3}") => $"spells the id {literal.Token.ValueText}",
                    _ => null,
                };
                if (problem is not null)
                {
                    problems.Add($"{Path.GetRelativePath(RepositoryRoot(), file)}({node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}) {problem}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Every id of both catalogues has its page, a row in the diagnostics index, and a release-tracking row in its own assembly.</summary>
    [Theory]
    [InlineData("Analyzers")]
    [InlineData("Generator")]
    public void Every_catalogued_id_has_its_page_index_row_and_release_tracking(string folder)
    {
        Type catalogue = folder == "Analyzers" ? typeof(Descriptors) : typeof(TypedSocketIo.Generator.Descriptors);
        string root = RepositoryRoot();
        string index = File.ReadAllText(Path.Combine(root, "docs", "diagnostics", "README.md"));
        string[] tracked = File.ReadAllLines(Path.Combine(root, "src", folder, "AnalyzerReleases.Unshipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(root, "src", folder, "AnalyzerReleases.Shipped.md")))
            .Where(l => l.StartsWith("TSIO", StringComparison.Ordinal))
            .Select(r => r.Split('|').Select(c => c.Trim()).ToArray())
            .Select(c => $"{c[0]} {c[1]} {c[2]}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        DiagnosticDescriptor[] descriptors = CatalogueDescriptors(catalogue);
        Assert.Equal(descriptors.Select(d => $"{d.Id} {d.Category} {d.DefaultSeverity}").Order(StringComparer.Ordinal), tracked);
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md")), $"{descriptor.Id} has no page.");
            Assert.Contains($"| [{descriptor.Id}]({descriptor.Id}.md) | {descriptor.DefaultSeverity} |", index, StringComparison.Ordinal);
            Assert.True(descriptor.IsEnabledByDefault, $"{descriptor.Id} is off by default.");
        }
    }

    private static DiagnosticDescriptor[] CatalogueDescriptors(Type catalogue) =>
        catalogue.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

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
        foreach (DiagnosticAnalyzer analyzer in TestSetup.Analyzers)
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
