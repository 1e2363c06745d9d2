using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>One source file given to a test compilation.</summary>
/// <param name="Path">The file path diagnostics report.</param>
/// <param name="Text">The C# source.</param>
internal sealed record SourceFile(string Path, string Text);

/// <summary>One file the generator added.</summary>
internal sealed record GeneratedFile(string HintName, string Text);

/// <summary>
/// Builds test compilations and runs <see cref="SocketIoGenerator"/> over them with
/// <see cref="CSharpGeneratorDriver"/>, the way the compiler does, without MSBuild.
/// </summary>
internal static class GeneratorHarness
{
    public const string DefaultPath = "Contracts.cs";

    /// <summary>C# as the SDK compiles it, with documentation comments checked.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);
    private static readonly Lazy<ISourceGenerator> s_jsonGenerator = new(LoadJsonGenerator);

    /// <summary>The running shared framework's assemblies and TypedSocketIo.dll.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpCompilationOptions CompilationOptions(OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999, deterministic: true)
            // Test sources are not documented; the generated code turns CS1591 off itself.
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress });

    public static CSharpCompilation Compile(string source, IEnumerable<MetadataReference>? extraReferences = null, string assemblyName = "Tests") =>
        Compile(new[] { new SourceFile(DefaultPath, source) }, extraReferences, assemblyName);

    public static CSharpCompilation Compile(IEnumerable<SourceFile> sources, IEnumerable<MetadataReference>? extraReferences = null, string assemblyName = "Tests") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            References.AddRange(extraReferences ?? Array.Empty<MetadataReference>()),
            CompilationOptions());

    /// <summary>
    /// A reference to <paramref name="source"/> compiled on its own, metadata only (as a referenced
    /// assembly that did not run the generator), for [assembly: SocketIoContracts(…)].
    /// </summary>
    public static MetadataReference MetadataOnlyReference(string source, string assemblyName)
    {
        CSharpCompilation compilation = Compile(new[] { new SourceFile(assemblyName + ".cs", source) }, assemblyName: assemblyName);
        AssertNoProblems(compilation.GetDiagnostics(), $"the referenced assembly {assemblyName}");
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream, options: new Microsoft.CodeAnalysis.Emit.EmitOptions(metadataOnly: true));
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    /// <summary>A driver running the generator (and, when asked, System.Text.Json's, so JsonSerializerContexts compile).</summary>
    public static GeneratorDriver CreateDriver(bool withJsonGenerator = false, bool trackSteps = false)
    {
        var generators = new List<ISourceGenerator> { new SocketIoGenerator().AsSourceGenerator() };
        if (withJsonGenerator)
        {
            generators.Add(s_jsonGenerator.Value);
        }

        return CSharpGeneratorDriver.Create(
            generators,
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
    }

    public static GeneratorRun Run(string source, bool withJsonGenerator = false, IEnumerable<MetadataReference>? extraReferences = null) =>
        Run(Compile(source, extraReferences), withJsonGenerator);

    public static GeneratorRun Run(CSharpCompilation compilation, bool withJsonGenerator = false)
    {
        GeneratorDriver driver = CreateDriver(withJsonGenerator).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        return new GeneratorRun(compilation, output, driver.GetRunResult(), driverDiagnostics);
    }

    /// <summary>Fails with every listed diagnostic of severity warning or error.</summary>
    public static void AssertNoProblems(IEnumerable<Diagnostic> diagnostics, string what)
    {
        Diagnostic[] problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, $"Diagnostics in {what}:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(d => d.ToString())));
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The shared framework the tests run on (implementation assemblies; they compile as well as
        // the reference pack does and let the runtime smoke tests load what they compile).
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            if (string.Equals(Path.GetDirectoryName(path), framework, StringComparison.Ordinal) && path.EndsWith(".dll", StringComparison.Ordinal))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        Assert.True(references.Count > 100, $"Too few framework assemblies found in {framework}.");
        references.Add(MetadataReference.CreateFromFile(typeof(SocketIoEventsAttribute).Assembly.Location));
        return references.ToImmutable();
    }

    private static ISourceGenerator LoadJsonGenerator()
    {
        // Copied next to the tests at build time from the targeting pack the SDK compiles with
        // (see the project file). It is built against an older Roslyn and loads in this one.
        string path = Path.Combine(AppContext.BaseDirectory, "analyzers", "System.Text.Json.SourceGeneration.dll");
        Assert.True(File.Exists(path), $"System.Text.Json's source generator was not copied to {path}.");
        Assembly assembly = Assembly.LoadFrom(path);
        Type type = assembly.GetType("System.Text.Json.SourceGeneration.JsonSourceGenerator", throwOnError: true)!;
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(CSharpCompilation input, Compilation output, GeneratorDriverRunResult runResult, ImmutableArray<Diagnostic> driverDiagnostics)
    {
        Input = input;
        Output = output;
        RunResult = runResult;
        DriverDiagnostics = driverDiagnostics;
        Result = runResult.Results.Single(r => r.Generator.GetGeneratorType() == typeof(SocketIoGenerator));
        Files = Result.GeneratedSources.Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString())).ToImmutableArray();
    }

    public CSharpCompilation Input { get; }

    /// <summary>The input with every generator's output added.</summary>
    public Compilation Output { get; }

    public GeneratorDriverRunResult RunResult { get; }

    /// <summary>This generator's result.</summary>
    public GeneratorRunResult Result { get; }

    /// <summary>What the driver reported: every generator's diagnostics, and CS8784/CS8785 when one threw.</summary>
    public ImmutableArray<Diagnostic> DriverDiagnostics { get; }

    /// <summary>The files this generator added.</summary>
    public ImmutableArray<GeneratedFile> Files { get; }

    /// <summary>The diagnostics this generator reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    public string File(string hintName) =>
        Files.SingleOrDefault(f => f.HintName == hintName)?.Text
        ?? throw new Xunit.Sdk.XunitException($"No generated file {hintName}; generated: {string.Join(", ", Files.Select(f => f.HintName))}");

    /// <summary>Asserts the generator threw nothing and reported nothing, and the output compiles without warnings.</summary>
    public void AssertCleanAndCompiles()
    {
        Assert.Null(Result.Exception);
        GeneratorHarness.AssertNoProblems(DriverDiagnostics, "the generator run");
        GeneratorHarness.AssertNoProblems(Output.GetDiagnostics(), "the compilation with the generated code");
    }
}
