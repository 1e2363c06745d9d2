using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedSocketIo.Generator;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// Test compilations as a project using TypedSocketIo compiles: the shared frameworks (.NET and
/// ASP.NET Core), TypedSocketIo.dll and TypedSocketIo.Server.dll, and the source generator run
/// over the source first, so generated typed members bind as they do in a real project.
/// </summary>
internal static class Compilations
{
    public const string DefaultPath = "Test.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    /// <summary>The running shared frameworks' assemblies, TypedSocketIo.dll and TypedSocketIo.Server.dll.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpCompilationOptions Options { get; } =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, deterministic: true);

    /// <summary>Compiles <paramref name="source"/> and adds what the generator produces for it.</summary>
    /// <param name="source">The source.</param>
    /// <param name="extraReferences">Assemblies referenced besides the frameworks and TypedSocketIo's.</param>
    public static (Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics) CompileWithGenerator(string source, IEnumerable<MetadataReference>? extraReferences = null)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Tests",
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, DefaultPath) },
            References.AddRange(extraReferences ?? Array.Empty<MetadataReference>()),
            Options);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new SocketIoGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (output, diagnostics);
    }

    /// <summary>
    /// <paramref name="source"/> compiled on its own into an assembly named
    /// <paramref name="assemblyName"/>, as a reference: types the tests use from metadata.
    /// </summary>
    public static MetadataReference CompileToReference(string source, string assemblyName)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            assemblyName,
            new[] { CSharpSyntaxTree.ParseText(source, ParseOptions, assemblyName + ".cs") },
            References,
            Options);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The frameworks these tests run on (implementation assemblies compile as well as the
        // reference packs do): .NET's and ASP.NET Core's, which TypedSocketIo.Server's surface uses.
        var folders = new HashSet<string>(StringComparer.Ordinal)
        {
            Path.GetDirectoryName(typeof(object).Assembly.Location)!,
            Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Builder.WebApplication).Assembly.Location)!,
        };
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            if (path.EndsWith(".dll", StringComparison.Ordinal) && folders.Contains(Path.GetDirectoryName(path)!))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }

        Assert.True(references.Count > 200, $"Too few framework assemblies found in {string.Join(", ", folders)}.");
        references.Add(MetadataReference.CreateFromFile(typeof(SocketIoEventsAttribute).Assembly.Location));
        references.Add(MetadataReference.CreateFromFile(typeof(TypedSocketIo.Server.SocketIoServer).Assembly.Location));
        return references.ToImmutable();
    }
}
