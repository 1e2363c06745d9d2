using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// A <see cref="CSharpGeneratorDriver"/> running the generator with its steps tracked, for the
/// incrementality tests: they run one driver over successive compilations and read each step's
/// Cached/Unchanged/Modified reasons, which Microsoft.CodeAnalysis.Testing 1.1.4 cannot express.
/// </summary>
internal static class TrackingDriver
{
    /// <param name="typeScript">The value of GenerateSocketIoTypeScript; null leaves it unset.</param>
    public static GeneratorDriver Create(string? typeScript = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (typeScript is not null)
        {
            options[SocketIoGeneratorTest.TypeScriptOption] = typeScript;
        }

        return CSharpGeneratorDriver.Create(
            new[] { new SocketIoGenerator().AsSourceGenerator() },
            parseOptions: TestReferences.ParseOptions,
            optionsProvider: new GlobalOptionsProvider(options),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
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
