using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedSocketIo.Analyzers;

/// <summary>
/// Emit usage: broadcast acknowledgements without a timeout (TSIO201), acknowledgements expected
/// from volatile emits (TSIO202), untyped emits and handlers on typed sockets (TSIO203, TSIO204),
/// and blocking on an acknowledgement inside a handler (TSIO205).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmitUsageAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.BroadcastAckWithoutTimeout,
        Descriptors.VolatileAck,
        Descriptors.UntypedDeclaredEvent,
        Descriptors.UntypedUndeclaredEvent,
        Descriptors.BlockingAck);

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
                return;
            }

            var symbols = new Symbols(
                contractAttribute,
                start.Compilation.GetTypeByMetadataName(SocketIoSymbols.EventAttribute),
                start.Compilation.GetTypeByMetadataName("TypedSocketIo.BroadcastAcks`1"),
                start.Compilation.GetTypeByMetadataName("System.Threading.Tasks.Task"),
                start.Compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask"),
                start.Compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1"));
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeResult(c, symbols), OperationKind.PropertyReference);
        });
    }

    private sealed record Symbols(
        INamedTypeSymbol ContractAttribute,
        INamedTypeSymbol? EventAttribute,
        INamedTypeSymbol? BroadcastAcks,
        INamedTypeSymbol? Task,
        INamedTypeSymbol? ValueTask,
        INamedTypeSymbol? ValueTaskOfT);

    private static void AnalyzeInvocation(OperationAnalysisContext context, Symbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;

        // Blocking waits: task.Wait(), task.GetAwaiter().GetResult().
        if (method.Name == "Wait" && IsTask(method.ContainingType, symbols) && IsAck(invocation.Instance, symbols) && InHandler(invocation, symbols))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingAck, invocation.Syntax.GetLocation(), ".Wait()"));
        }
        else if (method.Name == "GetResult" && invocation.Instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter" } awaiter
            && IsAck(awaiter.Instance, symbols) && InHandler(invocation, symbols))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingAck, invocation.Syntax.GetLocation(), ".GetAwaiter().GetResult()"));
        }

        // Untyped acknowledged emits: EmitWithAck on a socket emitter or a broadcast.
        if (method.Name == "EmitWithAck" && SocketIoSymbols.IsSocketIoType(method.ContainingType) && invocation.Instance is not null)
        {
            EmitChain chain = EmitChain.From(invocation.Instance);
            ReportAckFlags(context, invocation, chain, isBroadcast: method.ContainingType.Name == "BroadcastOperator");
        }

        // Typed acknowledged emits: a contract method returning a task, on a generated emitter.
        if (invocation.Instance is not null && method.ContainingType.TypeKind == TypeKind.Interface && !method.ReturnsVoid
            && IsContract(method.ContainingType, symbols) && invocation.Instance is IPropertyReferenceOperation { Property.Name: "Emit" } emit
            && SocketIoSymbols.IsSocketIoType(emit.Property.ContainingType))
        {
            EmitChain chain = EmitChain.From(emit.Instance);
            ReportAckFlags(context, invocation, chain, isBroadcast: false);
        }

        // Typed broadcast acknowledgements: generated extensions of BroadcastAcks<T>.
        if (method.IsExtensionMethod && method.Parameters.Length > 0 && invocation.Arguments.Length > 0
            && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type.OriginalDefinition, symbols.BroadcastAcks)
            && invocation.Arguments[0].Value is IPropertyReferenceOperation { Property.Name: "EmitWithAck" } acks
            && acks.Property.ContainingType.Name == "BroadcastOperator")
        {
            EmitChain chain = EmitChain.From(acks.Instance);
            ReportAckFlags(context, invocation, chain, isBroadcast: true);
        }

        // Untyped emits and handlers reached through a typed view's Untyped.
        IParameterSymbol? eventName = SocketIoSymbols.EventNameParameter(method);
        if (eventName is not null && invocation.Instance is not null)
        {
            AnalyzeUntypedOnTyped(context, invocation, eventName, symbols);
        }
    }

    private static void ReportAckFlags(OperationAnalysisContext context, IInvocationOperation invocation, EmitChain chain, bool isBroadcast)
    {
        if (chain.Volatile)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.VolatileAck, invocation.Syntax.GetLocation()));
        }

        if (isBroadcast && !chain.Timeout && !chain.StartsAtBroadcast)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BroadcastAckWithoutTimeout, invocation.Syntax.GetLocation()));
        }
    }

    private static void AnalyzeUntypedOnTyped(OperationAnalysisContext context, IInvocationOperation invocation, IParameterSymbol eventName, Symbols symbols)
    {
        // Server-side events (ServerSideEmit, OnServerSideEmit) travel between servers: the client
        // contracts do not describe them.
        if (invocation.TargetMethod.Name.Contains("ServerSide"))
        {
            return;
        }

        EmitChain chain = EmitChain.From(invocation.Instance);
        if (chain.TypedView is not { } view || view.TypeArguments.Length < (view.Name == "BroadcastOperator" ? 1 : 2))
        {
            return;
        }

        IArgumentOperation? argument = invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition, eventName.OriginalDefinition));
        if (argument?.Value.ConstantValue is not { HasValue: true, Value: string name })
        {
            return;
        }

        bool listening = invocation.TargetMethod.Name.StartsWith("On", System.StringComparison.Ordinal) || invocation.TargetMethod.Name == "Off";
        if (view.Name == "BroadcastOperator" && listening)
        {
            return;
        }

        ITypeSymbol contract = view.Name == "BroadcastOperator" ? view.TypeArguments[0] : view.TypeArguments[listening ? 0 : 1];
        if (contract is not INamedTypeSymbol contractType || !IsContract(contractType, symbols))
        {
            return;
        }

        Dictionary<string, string> events = WireNames(contractType, symbols);
        if (events.TryGetValue(name, out string? method))
        {
            string typed = (listening ? "On." : "Emit.") + method;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UntypedDeclaredEvent, argument.Value.Syntax.GetLocation(),
                name, contractType.Name, typed, invocation.TargetMethod.Name));
        }
        else if (!SocketIoSymbols.ReservedEvents.Contains(name))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UntypedUndeclaredEvent, argument.Value.Syntax.GetLocation(),
                name, contractType.Name, string.Join(", ", events.Keys.OrderBy(k => k, System.StringComparer.Ordinal))));
        }
    }

    // Blocking reads: task.Result.
    private static void AnalyzeResult(OperationAnalysisContext context, Symbols symbols)
    {
        var property = (IPropertyReferenceOperation)context.Operation;
        if (property.Property.Name == "Result" && IsTask(property.Property.ContainingType, symbols) && IsAck(property.Instance, symbols) && InHandler(property, symbols))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingAck, property.Syntax.GetLocation(), ".Result"));
        }
    }

    private static bool IsTask(INamedTypeSymbol? type, Symbols symbols)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, symbols.Task)
                || SymbolEqualityComparer.Default.Equals(current, symbols.ValueTask)
                || SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, symbols.ValueTaskOfT))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="operation"/> produces an acknowledgement: an EmitWithAck, a typed ack emit or a typed broadcast ack.</summary>
    private static bool IsAck(IOperation? operation, Symbols symbols)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        if (operation is not IInvocationOperation invocation)
        {
            return false;
        }

        IMethodSymbol method = invocation.TargetMethod;
        return (method.Name is "EmitWithAck" or "ServerSideEmitWithAck" && SocketIoSymbols.IsSocketIoType(method.ContainingType))
            || (method.ContainingType.TypeKind == TypeKind.Interface && IsContract(method.ContainingType, symbols) && !method.ReturnsVoid)
            || (method.IsExtensionMethod && method.Parameters.Length > 0
                && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type.OriginalDefinition, symbols.BroadcastAcks));
    }

    /// <summary>Whether <paramref name="operation"/> runs inside a Socket.IO handler: a lambda given to TypedSocketIo, or a method of a class implementing a contract.</summary>
    private static bool InHandler(IOperation operation, Symbols symbols)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                IOperation? parent = current.Parent;
                while (parent is IDelegateCreationOperation or IConversionOperation)
                {
                    parent = parent.Parent;
                }

                if (parent is IArgumentOperation { Parent: IInvocationOperation call } && IsSocketIoCall(call.TargetMethod))
                {
                    return true;
                }
            }
        }

        if (operation.SemanticModel?.GetEnclosingSymbol(operation.Syntax.SpanStart) is IMethodSymbol { ContainingType: { } type } method)
        {
            foreach (INamedTypeSymbol contract in type.AllInterfaces)
            {
                if (IsContract(contract, symbols) && contract.GetMembers(method.Name).Any(m => SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(m), method)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsSocketIoCall(IMethodSymbol method) =>
        SocketIoSymbols.IsSocketIoType(method.ContainingType)
        || (method.IsExtensionMethod && method.Parameters.Length > 0 && SocketIoSymbols.IsSocketIoType(method.Parameters[0].Type));

    private static bool IsContract(INamedTypeSymbol type, Symbols symbols) =>
        type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.ContractAttribute));

    /// <summary>The wire names of a contract's events (inherited ones included), with their method names.</summary>
    private static Dictionary<string, string> WireNames(INamedTypeSymbol contract, Symbols symbols)
    {
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach ((IMethodSymbol method, string wireName, _) in SocketIoSymbols.Events(contract, symbols.ContractAttribute, symbols.EventAttribute))
        {
            if (!names.ContainsKey(wireName))
            {
                names.Add(wireName, method.Name);
            }
        }

        return names;
    }
}
