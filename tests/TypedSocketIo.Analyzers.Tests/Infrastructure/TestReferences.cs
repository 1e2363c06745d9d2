using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// What test projects compile against, without NuGet: the testing library's reference assemblies
/// (<c>ReferenceAssemblies.Net.*</c>) are packages it downloads at test time, so the tests name a
/// target framework with no package and add the assemblies of the frameworks they run on (.NET and
/// ASP.NET Core, implementation assemblies: they compile as the reference packs do), TypedSocketIo.dll
/// and TypedSocketIo.Server.dll.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(Load);

    /// <summary>A target framework with no package to download.</summary>
    public static ReferenceAssemblies Offline { get; } = new("net10.0");

    /// <summary>The frameworks' assemblies, TypedSocketIo.dll and TypedSocketIo.Server.dll.</summary>
    public static ImmutableArray<MetadataReference> All => s_all.Value;

    /// <summary>
    /// <paramref name="source"/> compiled on its own into an assembly named
    /// <paramref name="assemblyName"/>: a referenced assembly whose types the tests use from metadata.
    /// </summary>
    public static MetadataReference CompileToReference(string source, string assemblyName)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            assemblyName,
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), assemblyName + ".cs") },
            All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static ImmutableArray<MetadataReference> Load()
    {
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
