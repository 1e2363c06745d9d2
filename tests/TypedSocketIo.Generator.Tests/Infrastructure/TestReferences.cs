using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// What test compilations compile against, without NuGet: the testing library's reference assemblies
/// (<c>ReferenceAssemblies.Net.*</c>) are packages it downloads at test time, so the tests name a
/// target framework with no package and add the assemblies of the shared framework they run on
/// (implementation assemblies: they compile as the reference pack does, and the runtime smoke tests
/// can load what they compile) and TypedSocketIo.dll.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    /// <summary>A target framework with no package to download.</summary>
    public static ReferenceAssemblies Offline { get; } = new("net10.0");

    /// <summary>The shared framework's assemblies and TypedSocketIo.dll.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    /// <summary>C# as the SDK compiles it, with documentation comments checked.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>Nullable reference types on, every warning wave, CS1591 off (test sources are not documented; the generated code turns it off itself).</summary>
    public static CSharpCompilationOptions CompilationOptions { get; } =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999, deterministic: true)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress });

    /// <summary>A compilation of <paramref name="sources"/> (path, text) with these references and options, for the tests that drive the generator themselves.</summary>
    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> sources, IEnumerable<MetadataReference>? extraReferences = null, string assemblyName = "Tests") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            All.AddRange(extraReferences ?? Array.Empty<MetadataReference>()),
            CompilationOptions);

    /// <summary>
    /// A reference to <paramref name="source"/> compiled on its own, metadata only (as a referenced
    /// assembly that did not run the generator), for [assembly: SocketIoContracts(…)].
    /// </summary>
    public static MetadataReference MetadataOnlyReference(string source, string assemblyName)
    {
        CSharpCompilation compilation = Compile(new[] { (assemblyName + ".cs", source) }, assemblyName: assemblyName);
        Diagnostic[] problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, $"Diagnostics in the referenced assembly {assemblyName}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(d => d.ToString()))}");
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream, options: new Microsoft.CodeAnalysis.Emit.EmitOptions(metadataOnly: true));
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static ImmutableArray<MetadataReference> Load()
    {
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
}
