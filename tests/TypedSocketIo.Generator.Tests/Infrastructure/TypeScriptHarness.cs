using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// Runs the generator as a project with <c>GenerateSocketIoTypeScript</c> set does: the MSBuild
/// property reaches it as the global analyzer option <c>build_property.GenerateSocketIoTypeScript</c>.
/// </summary>
internal static class TypeScriptHarness
{
    public const string HintName = "SocketIo.TypeScript.g.cs";

    public static GeneratorDriver CreateDriver(string? switchValue = "true", bool trackSteps = false)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (switchValue is not null)
        {
            options["build_property.GenerateSocketIoTypeScript"] = switchValue;
        }

        return CSharpGeneratorDriver.Create(
            new[] { new SocketIoGenerator().AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions,
            optionsProvider: new GlobalOptionsProvider(options),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));
    }

    public static GeneratorRun Run(CSharpCompilation compilation, string? switchValue = "true")
    {
        GeneratorDriver driver = CreateDriver(switchValue).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(compilation, output, driver.GetRunResult(), diagnostics);
    }

    /// <summary>The declarations the build copies out of the generated file (the text between its markers).</summary>
    public static string Declarations(GeneratorRun run)
    {
        string carrier = run.File(HintName);
        const string Begin = "//// TYPEDSOCKETIO TYPESCRIPT BEGIN\n", End = "//// TYPEDSOCKETIO TYPESCRIPT END\n";
        int begin = carrier.IndexOf(Begin, StringComparison.Ordinal);
        int end = carrier.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "The generated file has no declarations between its markers:\n" + carrier);
        return carrier[(begin + Begin.Length)..end];
    }

    private sealed class GlobalOptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global = new(values);

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new(new Dictionary<string, string>());

            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
