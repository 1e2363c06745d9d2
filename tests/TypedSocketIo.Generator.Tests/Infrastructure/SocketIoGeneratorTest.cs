using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// A source generator test (Microsoft.CodeAnalysis.Testing) of <see cref="SocketIoGenerator"/>:
/// <list type="bullet">
/// <item>the markup of <see cref="AnalyzerTest{TVerifier}.TestCode"/> (<c>{|TSIO002:…|}</c>) gives every
/// diagnostic expected, the generator's and the compiler's alike, exactly where it is reported;</item>
/// <item>compiler warnings count (<see cref="CompilerDiagnostics.Warnings"/>): a test that expects no
/// diagnostic asserts that the sources with the generated code compile without error or warning;</item>
/// <item><see cref="SolutionState.GeneratedSources"/> are every file the generator adds (none when left
/// empty), unless <see cref="TestBehaviors.SkipGeneratedSourcesCheck"/> is set;</item>
/// <item>C# latest with documentation comments checked, nullable reference types, every warning wave,
/// and the references of <see cref="TestReferences"/>.</item>
/// </list>
/// </summary>
internal sealed class SocketIoGeneratorTest : CSharpSourceGeneratorTest<SocketIoGenerator, DefaultVerifier>
{
    /// <summary>The MSBuild property GenerateSocketIoTypeScript, as the generator reads it.</summary>
    public const string TypeScriptOption = "build_property.GenerateSocketIoTypeScript";

    private static readonly Lazy<Type> s_jsonGenerator = new(LoadJsonGenerator);

    private bool _compiling;

    private Compilation? _output;

    public SocketIoGeneratorTest()
    {
        ReferenceAssemblies = TestReferences.Offline;
        TestState.AdditionalReferences.AddRange(TestReferences.All);
        CompilerDiagnostics = CompilerDiagnostics.Warnings;
    }

    /// <summary>
    /// Runs System.Text.Json's source generator beside this one, so that JsonSerializerContexts are
    /// the real generated ones and compile as in a project. Its files are part of the compilation, not
    /// of <see cref="SolutionState.GeneratedSources"/>: they are the SDK's output, which these tests do not check.
    /// </summary>
    public bool WithJsonGenerator { get; init; }

    /// <summary>Sets GenerateSocketIoTypeScript to the value given (a global analyzer config, as the SDK writes it); null leaves it unset.</summary>
    public string? TypeScript
    {
        init
        {
            if (value is not null)
            {
                TestState.AnalyzerConfigFiles.Add(("/.globalconfig", $"is_global = true\n{TypeScriptOption} = {value}\n"));
            }
        }
    }

    /// <summary>The compilation with every generator's output, as the test last compiled it.</summary>
    public Compilation Output => _output ?? throw new InvalidOperationException("The test has not run.");

    /// <summary>What the generators reported in that compilation (this one's, and the driver's own).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; private set; } = ImmutableArray<Diagnostic>.Empty;

    /// <summary>The files this generator added to <see cref="Output"/>, by hint name.</summary>
    public IReadOnlyDictionary<string, string> Generated =>
        Output.SyntaxTrees
            .Where(t => Path.GetFileName(Path.GetDirectoryName(t.FilePath)) == typeof(SocketIoGenerator).FullName)
            .ToDictionary(t => Path.GetFileName(t.FilePath), t => t.GetText().ToString(), StringComparer.Ordinal);

    /// <summary>The hint names of <see cref="Generated"/>, sorted.</summary>
    public string[] GeneratedNames => Generated.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The text of the generated file <paramref name="hintName"/>.</summary>
    public string File(string hintName) =>
        Generated.TryGetValue(hintName, out string? text)
            ? text
            : throw new Xunit.Sdk.XunitException($"No generated file {hintName}; generated: {string.Join(", ", GeneratedNames)}");

    /// <summary>The messages of the reported <paramref name="id"/> diagnostics, one a line.</summary>
    public string Messages(string id) =>
        string.Join(Environment.NewLine, GeneratorDiagnostics.Where(d => d.Id == id).Select(d => d.GetMessage()));

    /// <summary>
    /// This generator alone where the framework checks <see cref="SolutionState.GeneratedSources"/>;
    /// with System.Text.Json's too where it compiles (<see cref="GetProjectCompilationAsync"/>).
    /// </summary>
    protected override IEnumerable<Type> GetSourceGenerators() =>
        _compiling && WithJsonGenerator ? new[] { typeof(SocketIoGenerator), s_jsonGenerator.Value } : new[] { typeof(SocketIoGenerator) };

    protected override CompilationOptions CreateCompilationOptions() => TestReferences.CompilationOptions;

    protected override ParseOptions CreateParseOptions() => TestReferences.ParseOptions;

    /// <summary>The compilation whose diagnostics the test checks: every generator runs here, and the result is kept.</summary>
    protected override async Task<(Compilation compilation, ImmutableArray<Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
    {
        _compiling = true;
        try
        {
            (Compilation compilation, ImmutableArray<Diagnostic> diagnostics) = await base.GetProjectCompilationAsync(project, verifier, cancellationToken);
            _output = compilation;
            GeneratorDiagnostics = diagnostics;
            return (compilation, diagnostics);
        }
        finally
        {
            _compiling = false;
        }
    }

    private static Type LoadJsonGenerator()
    {
        // Copied next to the tests at build time from the targeting pack the SDK compiles with
        // (see the project file). It is built against an older Roslyn and loads in this one.
        string path = Path.Combine(AppContext.BaseDirectory, "analyzers", "System.Text.Json.SourceGeneration.dll");
        Assert.True(System.IO.File.Exists(path), $"System.Text.Json's source generator was not copied to {path}.");
        return Assembly.LoadFrom(path).GetType("System.Text.Json.SourceGeneration.JsonSourceGenerator", throwOnError: true)!;
    }
}
