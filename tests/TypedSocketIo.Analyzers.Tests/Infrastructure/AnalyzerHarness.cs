using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>What one analyzer run over a test compilation produced.</summary>
internal sealed record AnalyzerRun(Compilation Compilation, ImmutableArray<Diagnostic> AnalyzerDiagnostics, ImmutableArray<Diagnostic> CompilerDiagnostics);

/// <summary>
/// Runs every TypedSocketIo analyzer over a test source and checks that exactly the diagnostics
/// of its markup are reported, that no analyzer threw (no AD0001), and that the source compiles
/// except for the compiler errors the test names.
/// </summary>
internal static class AnalyzerHarness
{
    /// <summary>All the analyzers: a test sees every rule, so a rule firing where it should not fails it.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(
        new ReservedEventNameAnalyzer(),
        new EmitChainingAnalyzer(),
        new EmitUsageAnalyzer());

    /// <summary>
    /// Asserts that the analyzers report exactly the diagnostics of <paramref name="markup"/>.
    /// </summary>
    /// <param name="markup">The source, with <c>[|…|]</c> for <paramref name="defaultId"/> and <c>{|ID:…|}</c> for others.</param>
    /// <param name="defaultId">The id <c>[|…|]</c> stands for.</param>
    /// <param name="allowedCompilerErrors">Compiler errors the source is expected to have (emit chaining that does not compile).</param>
    public static Task<AnalyzerRun> VerifyAsync(string markup, string? defaultId = null, params string[] allowedCompilerErrors) =>
        VerifyAsync(markup, defaultId, Array.Empty<MetadataReference>(), allowedCompilerErrors);

    /// <summary>As <see cref="VerifyAsync(string, string?, string[])"/>, with more assemblies referenced.</summary>
    public static async Task<AnalyzerRun> VerifyAsync(string markup, string? defaultId, IEnumerable<MetadataReference> extraReferences, params string[] allowedCompilerErrors)
    {
        (string source, IReadOnlyList<ExpectedDiagnostic> expected) = Markup.Parse(markup, defaultId);
        AnalyzerRun run = await RunAsync(source, extraReferences);
        AssertCompiles(run.CompilerDiagnostics, allowedCompilerErrors, source);
        AssertExactly(expected, run.AnalyzerDiagnostics, source);
        return run;
    }

    /// <summary>Compiles <paramref name="source"/> with the generator and runs the analyzers; fails on any analyzer exception.</summary>
    public static async Task<AnalyzerRun> RunAsync(string source, IEnumerable<MetadataReference>? extraReferences = null)
    {
        (Compilation compilation, ImmutableArray<Diagnostic> generatorDiagnostics) = Compilations.CompileWithGenerator(source, extraReferences);
        Assert.True(generatorDiagnostics.All(d => d.Severity < DiagnosticSeverity.Error),
            "The generator reported errors:" + Environment.NewLine + string.Join(Environment.NewLine, generatorDiagnostics));
        return await RunAsync(compilation, Analyzers);
    }

    /// <summary>Runs <paramref name="analyzers"/> over <paramref name="compilation"/>; fails on any analyzer exception.</summary>
    public static async Task<AnalyzerRun> RunAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        ImmutableArray<Diagnostic> all = await withAnalyzers.GetAllDiagnosticsAsync();
        ImmutableArray<Diagnostic> analyzerDiagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        Assert.True(exceptions.IsEmpty, "An analyzer threw:" + Environment.NewLine + string.Join(Environment.NewLine, exceptions));
        Diagnostic[] failures = all.Concat(analyzerDiagnostics).Where(d => d.Id == "AD0001").ToArray();
        Assert.True(failures.Length == 0, "An analyzer failed (AD0001):" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(d => d.ToString())));

        ImmutableArray<Diagnostic> compilerDiagnostics = all.Where(d => !analyzerDiagnostics.Contains(d) && !d.Id.StartsWith("TSIO", StringComparison.Ordinal)).ToImmutableArray();
        return new AnalyzerRun(compilation, analyzerDiagnostics, compilerDiagnostics);
    }

    /// <summary>Fails on compiler errors other than <paramref name="allowed"/>, and on an allowed error that does not occur.</summary>
    public static void AssertCompiles(IEnumerable<Diagnostic> compilerDiagnostics, IReadOnlyCollection<string> allowed, string source)
    {
        Diagnostic[] errors = compilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Diagnostic[] unexpected = errors.Where(d => !allowed.Contains(d.Id)).ToArray();
        Assert.True(unexpected.Length == 0,
            "The test source does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, unexpected.Select(d => Describe(d, source) + " " + d.GetMessage())));
        foreach (string id in allowed)
        {
            Assert.True(errors.Any(d => d.Id == id), $"The test allows the compiler error {id}, which the source does not have.");
        }
    }

    /// <summary>Asserts that <paramref name="actual"/> are exactly <paramref name="expected"/>: the same ids at the same spans.</summary>
    public static void AssertExactly(IReadOnlyList<ExpectedDiagnostic> expected, IEnumerable<Diagnostic> actual, string source)
    {
        List<string> want = expected.Select(e => Describe(e.Id, e.Span, source)).Order(StringComparer.Ordinal).ToList();
        List<string> got = actual.Select(d => Describe(d, source)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(want, got);
    }

    /// <summary><c>TSIO100 (5,10)-(5,15) "Count"</c>: 1-based lines and columns, and the text the span covers.</summary>
    public static string Describe(Diagnostic diagnostic, string source)
    {
        Location location = diagnostic.Location;
        if (!location.IsInSource)
        {
            return $"{diagnostic.Id} outside the source: {diagnostic.GetMessage()}";
        }

        if (location.SourceTree!.FilePath != Compilations.DefaultPath)
        {
            return $"{diagnostic.Id} in {location.SourceTree.FilePath} {location.GetLineSpan().Span}: {diagnostic.GetMessage()}";
        }

        return Describe(diagnostic.Id, location.SourceSpan, source);
    }

    private static string Describe(string id, TextSpan span, string source)
    {
        LinePositionSpan lines = SourceText.From(source).Lines.GetLinePositionSpan(span);
        string covered = span.End <= source.Length ? source.Substring(span.Start, span.Length) : "?";
        return $"{id} ({lines.Start.Line + 1},{lines.Start.Character + 1})-({lines.End.Line + 1},{lines.End.Character + 1}) \"{covered}\"";
    }
}
