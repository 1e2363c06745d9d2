using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedSocketIo.Tests;

/// <summary>
/// docs/architecture.md's layers, checked on the source: every name a file uses that is declared in
/// another runtime file must belong to a layer the first file's layer may see (itself, or one below).
/// </summary>
public sealed class LayerTests
{
    private static readonly Dictionary<string, string[]> MaySee = new()
    {
        ["core"] = [],
        ["core/EngineIO"] = ["core"],
        ["core/Protocol"] = ["core", "core/EngineIO"],
        ["core/Events"] = ["core", "core/EngineIO", "core/Protocol"],
        ["core/Typed"] = ["core", "core/EngineIO", "core/Protocol", "core/Events"],
        ["server/EngineIO"] = ["core", "core/EngineIO"],
        ["server/Core"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "server/EngineIO"],
        ["server/Typed"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "core/Typed", "server/EngineIO", "server/Core"],
        ["server/Hosting"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "core/Typed", "server/EngineIO", "server/Core", "server/Typed"],
        ["client/EngineIO"] = ["core", "core/EngineIO"],
        ["client"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "client/EngineIO"],
        ["client/Typed"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "core/Typed", "client/EngineIO", "client"],
        // The Redis package sits on the server's cluster adapter (server/Core) and plugs itself in through Hosting.
        ["redis"] = ["core", "core/EngineIO", "core/Protocol", "core/Events", "core/Typed", "server/EngineIO", "server/Core", "server/Typed", "server/Hosting"],
    };

    private static readonly (string Folder, string Name)[] Projects =
    [
        ("src/Runtime/TypedSocketIo", "core"),
        ("src/Runtime/TypedSocketIo.Server", "server"),
        ("src/Runtime/TypedSocketIo.Client", "client"),
        ("src/Runtime/TypedSocketIo.Redis", "redis"),
    ];

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedSocketIo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TypedSocketIo.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The layer of a file: its project, and its first folder where the layer is a folder.</summary>
    private static string LayerOf(string root, string path)
    {
        foreach ((string folder, string name) in Projects)
        {
            string projectDir = Path.Combine(root, folder) + Path.DirectorySeparatorChar;
            if (path.StartsWith(projectDir, StringComparison.Ordinal))
            {
                string relative = path[projectDir.Length..];
                int slash = relative.IndexOf(Path.DirectorySeparatorChar);
                string layer = slash < 0 ? name : name + "/" + relative[..slash];
                // The core library's Buffers/ and Threading/ are part of its foundation, with the files at its root.
                return layer is "core/Buffers" or "core/Threading" ? "core" : layer;
            }
        }

        throw new InvalidOperationException("Not a runtime file: " + path);
    }

    [Fact]
    public void No_runtime_file_uses_a_type_of_a_layer_above_its_own()
    {
        string root = RepositoryRoot();
        var files = new List<string>();
        foreach ((string folder, _) in Projects)
        {
            string dir = Path.Combine(root, folder);
            files.AddRange(Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains("node_modules", StringComparison.Ordinal)));
        }

        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        List<SyntaxTree> trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, path: f)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", parse, path: "GlobalUsings.cs"));
        IEnumerable<MetadataReference> references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("TypedSocketIo", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        CSharpCompilation compilation = CSharpCompilation.Create("Layers", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

        var violations = new SortedSet<string>(StringComparer.Ordinal);
        int checkedReferences = 0;
        foreach (SyntaxTree tree in trees.Where(t => t.FilePath != "GlobalUsings.cs"))
        {
            string layer = LayerOf(root, tree.FilePath);
            Assert.True(MaySee.ContainsKey(layer), $"{tree.FilePath} is in a folder no layer names ({layer}): add it to docs/architecture.md and to this test.");
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                SymbolInfo info = model.GetSymbolInfo(name);
                ISymbol? symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (symbol is not (INamedTypeSymbol or IMethodSymbol or IPropertySymbol or IFieldSymbol or IEventSymbol))
                {
                    continue; // namespaces, locals, parameters, type parameters: nothing of another file
                }

                // A member is where it is declared (a partial type can span layers: its typed entry
                // points live in Typed/); a type is visible when one of its parts is.
                ISymbol declared = symbol is INamedTypeSymbol ? symbol : symbol.OriginalDefinition;
                if (symbol is not INamedTypeSymbol && declared.DeclaringSyntaxReferences.IsEmpty)
                {
                    declared = symbol.ContainingType?.OriginalDefinition ?? declared;
                }

                if (declared is INamedTypeSymbol namedType)
                {
                    declared = namedType.OriginalDefinition;
                }

                string[] layers = declared.DeclaringSyntaxReferences
                    .Select(r => r.SyntaxTree.FilePath)
                    .Where(p => p != "GlobalUsings.cs")
                    .Select(p => LayerOf(root, p))
                    .Distinct()
                    .ToArray();
                if (layers.Length == 0)
                {
                    continue;
                }

                checkedReferences++;
                if (!layers.Any(used => used == layer || MaySee[layer].Contains(used)))
                {
                    int line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    violations.Add($"{Path.GetRelativePath(root, tree.FilePath)}:{line} ({layer}) uses {declared.Name} ({string.Join(", ", layers)})");
                }
            }
        }

        Assert.True(checkedReferences > 1000, $"only {checkedReferences} references to runtime types were resolved: the check sees too little");
        Assert.True(violations.Count == 0, "Layer violations:\n" + string.Join("\n", violations));
    }
}
