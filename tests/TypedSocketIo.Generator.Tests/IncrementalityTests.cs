using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The generator's caching: with the same compilation, or after an edit that touches no contract,
/// every tracked step is Cached or Unchanged; editing a contract's signature makes that contract's
/// model (and only its) Modified. Diagnostics travel on a branch of their own: an unrelated edit
/// reports them again from the cache, and moving a contract moves its diagnostics, not its model.
/// And the models the pipeline caches hold no Roslyn object. These tests drive one
/// <see cref="GeneratorDriver"/> over successive compilations themselves (<see cref="TrackingDriver"/>):
/// Microsoft.CodeAnalysis.Testing 1.1.4 runs a generator once per compilation and cannot express step reasons.
/// </summary>
public sealed class IncrementalityTests
{
    private static readonly string[] StepNames =
    {
        TrackingNames.Contracts,
        TrackingNames.ImportedContracts,
        TrackingNames.Specs,
        TrackingNames.Registrations,
    };

    /// <summary>The steps above and the diagnostics branch, which has values only for contracts with diagnostics.</summary>
    private static readonly string[] AllStepNames = StepNames.Append(TrackingNames.Diagnostics).ToArray();

    private const string ChatPath = "Chat.cs";
    private const string PresencePath = "Presence.cs";
    private const string OtherPath = "Other.cs";

    private const string Chat = """
        using System.Threading.Tasks;
        using TypedSocketIo;

        [assembly: SocketIoContracts(typeof(Shared.IImported))]

        namespace Demo;

        [SocketIoEvents]
        public interface IChatEvents
        {
            void Message(string text);

            Task<int> Count(string room);
        }
        """;

    private const string Presence = """
        using TypedSocketIo;

        namespace Demo;

        [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
        public interface IPresenceEvents
        {
            void UserJoined(string name);
        }
        """;

    private const string Other = """
        namespace Demo;

        public sealed class Unrelated
        {
            public int Value { get; set; }
        }
        """;

    private static readonly Lazy<MetadataReference> s_shared = new(() => TestReferences.MetadataOnlyReference("""
        using TypedSocketIo;

        namespace Shared;

        public interface IImported
        {
            void Hello(string name);
        }
        """, "Shared"));

    [Fact]
    public void Second_run_with_the_same_compilation_is_cached()
    {
        CSharpCompilation compilation = Compilation();
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);
        AssertAllSteps(driver, IncrementalStepRunReason.New);

        driver = driver.RunGenerators(compilation);

        AssertAllSteps(driver, IncrementalStepRunReason.Cached);
        AssertOutputs(driver, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Unrelated_file_added_keeps_every_step_cached()
    {
        CSharpCompilation compilation = Compilation();
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(Parse("""
            namespace Demo.More;

            public static class Helpers
            {
                public static int Twice(int value) => value * 2;
            }
            """, "Helpers.cs")));

        AssertAllSteps(driver, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(driver, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Unrelated_edit_keeps_every_step_cached()
    {
        CSharpCompilation compilation = Compilation();
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);

        // A new member in a class of another file, and a new class after the contract in its own file.
        compilation = Replace(compilation, OtherPath, Other.Replace("public int Value { get; set; }", "public int Value { get; set; }\n\n    public string? Name { get; set; }", StringComparison.Ordinal));
        compilation = Replace(compilation, ChatPath, Chat + "\n\npublic sealed class AfterTheContract\n{\n}\n");
        driver = driver.RunGenerators(compilation);

        AssertAllSteps(driver, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertOutputs(driver, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Signature_edit_modifies_that_contract_only()
    {
        CSharpCompilation compilation = Compilation();
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);

        driver = driver.RunGenerators(Replace(compilation, ChatPath, Chat.Replace("void Message(string text);", "void Message(string text, int priority);", StringComparison.Ordinal)));

        GeneratorRunResult result = Ours(driver);
        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged }, Reasons(result, TrackingNames.Contracts).Order());
        Assert.All(Reasons(result, TrackingNames.ImportedContracts), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        // One spec changed (IChatEvents), the imported and the other declared one did not.
        IncrementalStepRunReason[] specs = Reasons(result, TrackingNames.Specs).ToArray();
        Assert.Equal(3, specs.Length);
        Assert.Single(specs, IncrementalStepRunReason.Modified);
        Assert.All(specs.Where(r => r != IncrementalStepRunReason.Modified), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(result, TrackingNames.Registrations));

        // Only the edited contract's file is written again.
        IncrementalStepRunReason[] outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.Contains(IncrementalStepRunReason.Modified, outputs);
        Assert.Contains("int priority", result.GeneratedSources.Single(s => s.HintName == "Demo.IChatEvents.SocketIo.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_argument_edit_modifies_the_model()
    {
        CSharpCompilation compilation = Compilation();
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);

        driver = driver.RunGenerators(Replace(compilation, PresencePath, Presence.Replace("KebabCase", "SnakeCase", StringComparison.Ordinal)));

        GeneratorRunResult result = Ours(driver);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.Specs));
        Assert.Contains("\"user_joined\"", result.GeneratedSources.Single(s => s.HintName == "Demo.IPresenceEvents.SocketIo.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    private const string BrokenPath = "Broken.cs";

    /// <summary>A contract with a warning (still generated) and one with errors (not generated).</summary>
    private const string Broken = """
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using TypedSocketIo;

        namespace Demo.Broken;

        public sealed record Known(string Name);

        public sealed record Unknown(int Value);

        [JsonSerializable(typeof(Known))]
        public sealed partial class AppJsonContext : JsonSerializerContext;

        [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
        public interface IWarned
        {
            void Send(Known known, Unknown unknown);
        }

        [SocketIoEvents]
        public interface IBroken
        {
            void Send(ref int value);

            IAsyncEnumerable<int> Stream();
        }
        """;

    [Fact]
    public void Diagnostics_are_reported_again_from_the_cache_after_an_unrelated_edit()
    {
        CSharpCompilation compilation = Compilation().AddSyntaxTrees(Parse(Broken, BrokenPath));
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);
        string[] first = Describe(Ours(driver).Diagnostics);
        Assert.Equal(3, first.Length);

        // Another file edited, and a class added after the contracts in their own file.
        compilation = Replace(compilation, OtherPath, Other.Replace("public int Value { get; set; }", "public int Value { get; set; }\n\n    public string? Name { get; set; }", StringComparison.Ordinal));
        compilation = Replace(compilation, BrokenPath, Broken + "\n\npublic sealed class AfterTheContracts\n{\n}\n");
        driver = driver.RunGenerators(compilation);

        GeneratorRunResult result = Ours(driver);
        IncrementalStepRunReason[] reasons = Reasons(result, TrackingNames.Diagnostics).ToArray();
        Assert.Equal(2, reasons.Length); // IWarned and IBroken; the other contracts have none
        Assert.True(reasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), string.Join(", ", reasons));
        AssertOutputs(driver, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Equal(first, Describe(result.Diagnostics));
    }

    [Fact]
    public void Edit_above_a_contract_moves_its_diagnostics_and_keeps_its_model()
    {
        CSharpCompilation compilation = Compilation().AddSyntaxTrees(Parse(Broken, BrokenPath));
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);
        string[] before = Describe(Ours(driver).Diagnostics);

        // Two lines more above both contracts: every diagnostic of the file moves two lines down.
        driver = driver.RunGenerators(Replace(compilation, BrokenPath, Broken.Replace("namespace Demo.Broken;", "namespace Demo.Broken;\n\n// Moved.", StringComparison.Ordinal)));

        GeneratorRunResult result = Ours(driver);
        IncrementalStepRunReason[] diagnostics = Reasons(result, TrackingNames.Diagnostics).ToArray();
        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Modified }, diagnostics);

        // IWarned's model is the same (only its warning moved): its generated file is not written again.
        Assert.True(Reasons(result, TrackingNames.Specs).All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), string.Join(", ", Reasons(result, TrackingNames.Specs)));
        Assert.True(Reasons(result, TrackingNames.Registrations).All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Contains("Demo.Broken.IWarned.SocketIo.g.cs", result.GeneratedSources.Select(s => s.HintName));

        string[] after = Describe(result.Diagnostics);
        Assert.Equal(before.Select(d => Shift(d, 2)), after);
    }

    [Fact]
    public void Fixing_a_contract_drops_its_diagnostics_and_generates_it()
    {
        CSharpCompilation compilation = Compilation().AddSyntaxTrees(Parse(Broken, BrokenPath));
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);
        Assert.Equal(2, Ours(driver).Diagnostics.Count(d => d.Location.GetLineSpan().Path == BrokenPath && d.Severity == DiagnosticSeverity.Error));

        string fixedSource = Broken.Replace("void Send(ref int value);", "void Send(int value);", StringComparison.Ordinal)
            .Replace("IAsyncEnumerable<int> Stream();", "void Stream();", StringComparison.Ordinal);
        driver = driver.RunGenerators(Replace(compilation, BrokenPath, fixedSource));

        GeneratorRunResult result = Ours(driver);
        Assert.Equal(new[] { Descriptors.TypeMissingFromContextId }, result.Diagnostics.Select(d => d.Id));
        // IBroken leaves the diagnostics branch; IWarned's warning stays where it was.
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Removed }, Reasons(result, TrackingNames.Diagnostics).Order());
        Assert.Contains(IncrementalStepRunReason.New, Reasons(result, TrackingNames.Specs));
        Assert.Contains("Demo.Broken.IBroken.SocketIo.g.cs", result.GeneratedSources.Select(s => s.HintName));
    }

    /// <summary>
    /// Every value a tracked step produced — models of valid contracts, of contracts with errors
    /// and with warnings (their diagnostics and locations), imported ones — is free of symbols,
    /// syntax, locations and compilations.
    /// </summary>
    [Fact]
    public void Models_hold_no_Roslyn_objects()
    {
        // The contracts with diagnostics above, and a property (TSIO005) in the broken one.
        CSharpCompilation compilation = Compilation().AddSyntaxTrees(Parse(
            Broken.Replace("void Send(ref int value);", "int Property { get; }\n\n    void Send(ref int value);", StringComparison.Ordinal), BrokenPath));
        GeneratorDriver driver = TrackingDriver.Create().RunGenerators(compilation);
        GeneratorRunResult result = Ours(driver);

        int values = 0;
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        foreach (string name in AllStepNames)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
                {
                    problems.AddRange(ModelGraph.FindForbidden(value, $"{name}[{values++}]", seen));
                }
            }
        }

        Assert.Empty(problems);
        Assert.True(values >= 6, $"Only {values} step outputs were inspected.");
        string[] reached = seen.Select(t => t.Name).ToArray();
        Assert.Superset(
            new HashSet<string> { "ParseResult", "ContractSpec", "EventSpec", "ParameterSpec", "DiagnosticInfo", "LocationInfo", "DiagnosticDescriptor", "String[]" },
            new HashSet<string>(reached));
        Assert.Contains(result.Diagnostics, d => d.Id == Descriptors.TypeMissingFromContextId);
        Assert.Contains(result.Diagnostics, d => d.Id == Descriptors.UnsupportedParameterId);
    }

    /// <summary>The walk above finds what it looks for, however deep.</summary>
    [Fact]
    public void Model_graph_finds_Roslyn_objects()
    {
        CSharpCompilation compilation = Compilation();
        SyntaxTree tree = compilation.SyntaxTrees.First();
        INamedTypeSymbol symbol = compilation.GetTypeByMetadataName("Demo.IChatEvents")!;

        Assert.Equal(new[] { "model.Value[1].Value: " + Location.None.GetType().FullName }, ModelGraph.FindForbidden(new Holder(new object?[] { "text", new Holder(Location.None) })));
        Assert.Single(ModelGraph.FindForbidden(new Holder(new List<object> { 1, symbol })));
        Assert.Single(ModelGraph.FindForbidden(new Holder((1, tree.GetRoot()))));
        Assert.Single(ModelGraph.FindForbidden(new Holder(compilation)));
        Assert.Empty(ModelGraph.FindForbidden(new Holder(new[] { "a", "b" })));
    }

    private sealed record Holder(object? Value);

    private static CSharpCompilation Compilation() =>
        TestReferences.Compile(
            new[] { (ChatPath, Chat), (PresencePath, Presence), (OtherPath, Other) },
            new[] { s_shared.Value });

    private static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, TestReferences.ParseOptions, path);

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string text) =>
        compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(t => t.FilePath == path), Parse(text, path));

    private static GeneratorRunResult Ours(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(SocketIoGenerator));

    /// <summary><c>TSIO003 Broken.cs(25,19)-(25,24)</c>: the id, the path and the line span each diagnostic carries.</summary>
    private static string[] Describe(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d => (d.Id, Lines: d.Location.GetLineSpan()))
            .Select(d => $"{d.Id} {d.Lines.Path}({d.Lines.StartLinePosition.Line + 1},{d.Lines.StartLinePosition.Character + 1})-({d.Lines.EndLinePosition.Line + 1},{d.Lines.EndLinePosition.Character + 1})")
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>A <see cref="Describe(IEnumerable{Diagnostic})"/> line moved <paramref name="lines"/> lines down.</summary>
    private static string Shift(string described, int lines) =>
        System.Text.RegularExpressions.Regex.Replace(described, @"\((\d+),", m => "(" + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + lines) + ",");

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.ContainsKey(step), $"No tracked step {step}; tracked: {string.Join(", ", result.TrackedSteps.Keys)}");
        return result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);
    }

    private static void AssertAllSteps(GeneratorDriver driver, params IncrementalStepRunReason[] allowed)
    {
        GeneratorRunResult result = Ours(driver);
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(4, result.GeneratedSources.Length);
        foreach (string name in StepNames)
        {
            IncrementalStepRunReason[] reasons = Reasons(result, name).ToArray();
            Assert.NotEmpty(reasons);
            Assert.True(reasons.All(allowed.Contains), $"{name}: {string.Join(", ", reasons)} (expected only {string.Join(" or ", allowed)})");
        }
    }

    private static void AssertOutputs(GeneratorDriver driver, params IncrementalStepRunReason[] allowed)
    {
        GeneratorRunResult result = Ours(driver);
        IncrementalStepRunReason[] reasons = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.True(reasons.All(allowed.Contains), $"source outputs: {string.Join(", ", reasons)} (expected only {string.Join(" or ", allowed)})");
    }
}
