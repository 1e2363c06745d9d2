using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// An analyzer test (Microsoft.CodeAnalysis.Testing) over every TypedSocketIo analyzer: the markup
/// of <see cref="AnalyzerTest{TVerifier}.TestCode"/> gives every diagnostic expected, analyzer and
/// compiler errors alike, with <c>[|…|]</c> standing for <see cref="DefaultId"/>.
/// </summary>
internal sealed class SocketIoAnalyzerTest : CSharpAnalyzerTest<ReservedEventNameAnalyzer, DefaultVerifier>
{
    public SocketIoAnalyzerTest(string? defaultId = null, IEnumerable<MetadataReference>? extraReferences = null)
    {
        DefaultId = defaultId;
        ReferenceAssemblies = TestReferences.Offline;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestSetup.Apply(TestState, extraReferences);
    }

    /// <summary>The id <c>[|…|]</c> stands for.</summary>
    public string? DefaultId { get; }

    /// <summary>The analyzers' diagnostics as reported, for the tests that read their messages and properties.</summary>
    public ImmutableArray<Diagnostic> Reported { get; private set; } = ImmutableArray<Diagnostic>.Empty;

    /// <summary>Runs <paramref name="markup"/> and returns what the analyzers reported.</summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAsync(string markup, string? defaultId = null, IEnumerable<MetadataReference>? extraReferences = null)
    {
        var test = new SocketIoAnalyzerTest(defaultId, extraReferences) { TestCode = markup };
        await test.RunAsync();
        return test.Reported;
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => TestSetup.Analyzers;

    protected override IEnumerable<Type> GetSourceGenerators() => TestSetup.Generators;

    protected override DiagnosticDescriptor? GetDefaultDiagnostic(DiagnosticAnalyzer[] analyzers) => TestSetup.Default(DefaultId);

    protected override CompilationOptions CreateCompilationOptions() => TestSetup.WithNullable(base.CreateCompilationOptions());

    protected override ParseOptions CreateParseOptions() => TestSetup.ParseOptions;

    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
    {
        ImmutableArray<(Project project, Diagnostic diagnostic)> kept = base.FilterDiagnostics(diagnostics);
        if (Reported.IsEmpty)
        {
            Reported = kept.Select(d => d.diagnostic).Where(d => d.Id.StartsWith("TSIO", StringComparison.Ordinal)).ToImmutableArray();
        }

        return kept;
    }
}
