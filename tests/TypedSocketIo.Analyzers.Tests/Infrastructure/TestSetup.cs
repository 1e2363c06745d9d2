using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// What the analyzer and code-fix tests share: every analyzer runs in every test (a rule firing
/// where it should not fails it), the source generator runs first (generated typed members bind as
/// in a real project), C# latest with nullable reference types, and the references of
/// <see cref="TestReferences"/>.
/// </summary>
internal static class TestSetup
{
    /// <summary>All the analyzers.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(
        new ReservedEventNameAnalyzer(),
        new EmitChainingAnalyzer(),
        new EmitUsageAnalyzer());

    public static IEnumerable<Type> Generators { get; } = new[] { typeof(SocketIoGenerator) };

    public static ParseOptions ParseOptions { get; } = new CSharpParseOptions(LanguageVersion.Latest);

    public static CompilationOptions WithNullable(CompilationOptions options) =>
        ((CSharpCompilationOptions)options).WithNullableContextOptions(NullableContextOptions.Enable);

    /// <summary>Sets a test's references and what it leaves unchecked (the generated files: the generator's own tests check them).</summary>
    public static void Apply(SolutionState state, IEnumerable<MetadataReference>? extraReferences)
    {
        state.AdditionalReferences.AddRange(TestReferences.All);
        state.AdditionalReferences.AddRange(extraReferences ?? Array.Empty<MetadataReference>());
    }

    /// <summary>The descriptor <c>[|…|]</c> stands for: the one with <paramref name="id"/>.</summary>
    public static DiagnosticDescriptor? Default(string? id) =>
        id is null ? null : Analyzers.SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == id);
}
