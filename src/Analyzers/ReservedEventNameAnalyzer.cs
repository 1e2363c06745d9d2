using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedSocketIo.Analyzers;

/// <summary>
/// TSIO100: reserved event names, in contracts (from the method name, the naming policy or
/// [Event]) and as constant names passed to the untyped API (Emit, EmitWithAck, On,
/// ServerSideEmit, broadcast emits).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReservedEventNameAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property a diagnostic on a contract method carries: the reserved wire name.</summary>
    public const string WireNameProperty = "WireName";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ReservedEventName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            INamedTypeSymbol? contractAttribute = start.Compilation.GetTypeByMetadataName(SocketIoSymbols.SocketIoEventsAttribute);
            if (contractAttribute is null)
            {
                return; // TypedSocketIo is not referenced
            }

            INamedTypeSymbol? eventAttribute = start.Compilation.GetTypeByMetadataName(SocketIoSymbols.EventAttribute);
            start.RegisterSymbolAction(c => AnalyzeContract(c, contractAttribute, eventAttribute), SymbolKind.NamedType);
            start.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
        });
    }

    private static void AnalyzeContract(SymbolAnalysisContext context, INamedTypeSymbol contractAttribute, INamedTypeSymbol? eventAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        AttributeData? contract = type.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, contractAttribute));
        if (type.TypeKind != TypeKind.Interface || contract is null)
        {
            return;
        }

        foreach ((IMethodSymbol method, string wireName, AttributeData? named) in SocketIoSymbols.Events(type, contractAttribute, eventAttribute))
        {
            INamedTypeSymbol declaring = method.ContainingType;
            if (!SocketIoSymbols.ReservedEvents.Contains(wireName))
            {
                continue;
            }

            if (!SymbolEqualityComparer.Default.Equals(declaring, type) && declaring.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, contractAttribute)))
            {
                continue; // a base contract reports its own methods
            }

            // On the [Event] attribute when the name comes from there, else on the method name
            // (on the contract when the method is not in source).
            Location? location = named?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation()
                ?? method.Locations.FirstOrDefault(l => l.IsInSource)
                ?? type.Locations.FirstOrDefault();
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.ReservedEventName,
                location,
                ImmutableDictionary<string, string?>.Empty.Add(WireNameProperty, wireName),
                wireName,
                ": give the event another wire name with [Event(\"…\")]"));
        }
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IParameterSymbol? parameter = SocketIoSymbols.EventNameParameter(invocation.TargetMethod);
        if (parameter is null)
        {
            return;
        }

        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition)
                && argument.Value.ConstantValue is { HasValue: true, Value: string name }
                && SocketIoSymbols.ReservedEvents.Contains(name))
            {
                string hint = invocation.TargetMethod.Name.StartsWith("On", System.StringComparison.Ordinal)
                    ? name is "disconnect" or "disconnecting" ? ": use the socket's Disconnected or Disconnecting event" : ": it never arrives as an event"
                    : ": emitting it throws ArgumentException";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.ReservedEventName, argument.Value.Syntax.GetLocation(), name, hint));
            }
        }
    }
}
