using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedSocketIo.Generator.TypeScript;

namespace TypedSocketIo.Generator;

/// <summary>
/// Turns interfaces marked [SocketIoEvents] (and those imported with [assembly: SocketIoContracts])
/// into typed emitters, dispatchers, handler registration and a module initializer registering them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SocketIoGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> declared = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.SocketIoEventsAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => new ContractParser(ctx.SemanticModel.Compilation)
                    .Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], ctx.TargetNode.GetLocation(), imported: false, ct))
            .WithTrackingName(TrackingNames.Contracts);

        IncrementalValuesProvider<ParseResult> imported = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ContractParser.SocketIoContractsAttribute,
                static (node, _) => node is CompilationUnitSyntax,
                static (ctx, ct) =>
                {
                    var parser = new ContractParser(ctx.SemanticModel.Compilation);
                    var results = new List<ParseResult>();
                    foreach (AttributeData attribute in ctx.Attributes)
                    {
                        Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation();
                        foreach (INamedTypeSymbol type in ContractParser.ImportedTypes(attribute))
                        {
                            results.Add(parser.Parse(type, null, location, imported: true, ct));
                        }
                    }

                    return new EquatableArray<ParseResult>(results.ToArray());
                })
            .SelectMany(static (results, _) => results)
            .WithTrackingName(TrackingNames.ImportedContracts);

        // Declared contracts first: a contract both declared and imported is generated once, as declared.
        IncrementalValuesProvider<ParseResult> all = declared.Collect()
            .Combine(imported.Collect())
            .SelectMany(static (pair, _) => DistinctResults(pair.Left.AddRange(pair.Right)));

        // Diagnostics travel on a branch of their own, their locations as values (LocationInfo): an edit
        // elsewhere leaves them Unchanged, and they are reported again from the cache without the
        // compilation. A contract's model and its diagnostics change apart: moving a contract down the
        // file moves its diagnostics and leaves its generated code alone.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = all
            .Where(static r => r.Diagnostics.Count > 0)
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (DiagnosticInfo diagnostic in items)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<ContractSpec> specs = all
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Specs);

        context.RegisterSourceOutput(specs, static (spc, spec) => spc.AddSource(ContractEmitter.HintName(spec), ContractEmitter.Emit(spec)));

        IncrementalValueProvider<EquatableArray<ContractSpec>> registrations = specs.Collect()
            .Select(static (items, _) => new EquatableArray<ContractSpec>(Distinct(items)))
            .WithTrackingName(TrackingNames.Registrations);

        context.RegisterSourceOutput(registrations, static (spc, items) =>
        {
            if (items.Count > 0)
            {
                spc.AddSource("SocketIoContractRegistration.g.cs", ContractEmitter.EmitRegistration(items.ToList()));
            }
        });

        // TypeScript declarations, when the project asks for them: built from the same contract
        // models; the compilation is read only then, for the payload types behind the arguments.
        IncrementalValueProvider<TypeScriptModel?> typeScript = registrations
            .Combine(context.AnalyzerConfigOptionsProvider.Select(static (options, _) => TypeScriptOptions.Enabled(options)))
            .Combine(context.CompilationProvider)
            .Select(static (input, ct) => input.Left.Right ? TypeScriptModelBuilder.Build(input.Left.Left, input.Right, ct) : null)
            .WithTrackingName(TrackingNames.TypeScript);

        // No item when the declarations are off: the step above returns at once, and no output runs.
        IncrementalValuesProvider<TypeScriptModel> typeScriptModels = typeScript.SelectMany(static (model, _) =>
            model is null ? ImmutableArray<TypeScriptModel>.Empty : ImmutableArray.Create(model));
        context.RegisterSourceOutput(typeScriptModels, static (spc, model) =>
        {
            foreach (DiagnosticInfo diagnostic in model.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            spc.AddSource(TypeScriptEmitter.HintName, TypeScriptEmitter.EmitCarrier(model));
        });
    }

    private static IEnumerable<ParseResult> DistinctResults(ImmutableArray<ParseResult> results)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var reported = new HashSet<ParseResult>();
        foreach (ParseResult result in results)
        {
            if (result.Spec is not null ? seen.Add(result.Spec.FullName) : reported.Add(result))
            {
                yield return result;
            }
        }
    }

    private static ContractSpec[] Distinct(ImmutableArray<ContractSpec> items)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        return items.Where(s => seen.Add(s.FullName)).OrderBy(s => s.FullName, System.StringComparer.Ordinal).ToArray();
    }
}
