using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Analyzers;

/// <summary>What the analyzers recognize in TypedSocketIo's API.</summary>
internal static class SocketIoSymbols
{
    public const string SocketIoEventsAttribute = SocketIoNames.SocketIoEventsAttribute;
    public const string EventAttribute = SocketIoNames.EventAttribute;

    /// <summary>The names Socket.IO keeps for itself (the reference's RESERVED_EVENTS).</summary>
    public static readonly HashSet<string> ReservedEvents = new(SocketIoNames.ReservedEvents, System.StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="type"/> is TypedSocketIo's API: declared in one of its assemblies
    /// (TypedSocketIo, TypedSocketIo.Server, TypedSocketIo.Client) under the TypedSocketIo namespace.
    /// An application's own namespace may start with the library's name; that does not make its
    /// types the library's.
    /// </summary>
    public static bool IsSocketIoType(ITypeSymbol? type)
    {
        if (type?.ContainingAssembly?.Name is not ("TypedSocketIo" or "TypedSocketIo.Server" or "TypedSocketIo.Client"))
        {
            return false;
        }

        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
        {
            if (ns.ContainingNamespace is { IsGlobalNamespace: true } && ns.Name == "TypedSocketIo")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>eventName</c> parameter of an untyped TypedSocketIo method (Emit, On, ServerSideEmit, …), if it has one.</summary>
    public static IParameterSymbol? EventNameParameter(IMethodSymbol method)
    {
        if (!IsSocketIoType(method.ContainingType))
        {
            return null;
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.Name == "eventName" && parameter.Type.SpecialType == SpecialType.System_String)
            {
                return parameter;
            }
        }

        return null;
    }

    /// <summary>
    /// The events of a contract, inherited ones included: each method with its wire name (from
    /// [Event], else the contract's naming policy) and the [Event] attribute when there is one.
    /// </summary>
    public static List<(IMethodSymbol Method, string WireName, AttributeData? EventAttribute)> Events(
        INamedTypeSymbol contract, INamedTypeSymbol contractAttribute, INamedTypeSymbol? eventAttribute)
    {
        int policy = Generator.NamingPolicy.CamelCase;
        foreach (AttributeData attribute in contract.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, contractAttribute))
            {
                continue;
            }

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "NamingPolicy" && argument.Value.Value is int value)
                {
                    policy = value;
                }
            }
        }

        var events = new List<(IMethodSymbol, string, AttributeData?)>();
        var types = new List<INamedTypeSymbol> { contract };
        types.AddRange(contract.AllInterfaces);
        foreach (INamedTypeSymbol type in types)
        {
            foreach (ISymbol member in type.GetMembers())
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, IsAbstract: true } method)
                {
                    continue;
                }

                AttributeData? named = null;
                foreach (AttributeData attribute in method.GetAttributes())
                {
                    if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, eventAttribute))
                    {
                        named = attribute;
                    }
                }

                string wireName = named?.ConstructorArguments.Length == 1 && named.ConstructorArguments[0].Value is string explicitName
                    ? explicitName
                    : Generator.NamingPolicy.Apply(policy, method.Name);
                events.Add((method, wireName, named));
            }
        }

        return events;
    }

    /// <summary>Whether <paramref name="method"/> is an untyped emit that returns bool (the reference's emit).</summary>
    public static bool IsBoolEmit(IMethodSymbol method) =>
        method.ReturnType.SpecialType == SpecialType.System_Boolean
        && method.Name is "Emit" or "Send" or "Write" or "ServerSideEmit"
        && IsSocketIoType(method.ContainingType);
}

/// <summary>What a chain of TypedSocketIo calls (<c>io.To(r).Volatile.Timeout(t)</c>) says about an emit.</summary>
internal readonly struct EmitChain
{
    private EmitChain(bool volatileSeen, bool timeoutSeen, ITypeSymbol? root, INamedTypeSymbol? typedView)
    {
        Volatile = volatileSeen;
        Timeout = timeoutSeen;
        Root = root;
        TypedView = typedView;
    }

    /// <summary>A <c>Volatile</c> member is in the chain.</summary>
    public bool Volatile { get; }

    /// <summary>A <c>Timeout(…)</c> call is in the chain.</summary>
    public bool Timeout { get; }

    /// <summary>The type the chain starts from (a variable, parameter, field…), when it leaves TypedSocketIo's fluent members.</summary>
    public ITypeSymbol? Root { get; }

    /// <summary>The typed socket, namespace or broadcast whose <c>Untyped</c> the chain went through, if any (and if the chain stays in its namespace).</summary>
    public INamedTypeSymbol? TypedView { get; }

    /// <summary>Whether the chain starts at a broadcast operator kept in a variable (its flags are unknown).</summary>
    public bool StartsAtBroadcast => Root?.Name == "BroadcastOperator";

    /// <summary>Walks from <paramref name="instance"/> through TypedSocketIo's fluent members.</summary>
    public static EmitChain From(Microsoft.CodeAnalysis.IOperation? instance)
    {
        bool volatileSeen = false, timeoutSeen = false, otherNamespace = false;
        INamedTypeSymbol? typedView = null;
        Microsoft.CodeAnalysis.IOperation? current = instance;
        while (current is not null)
        {
            switch (current)
            {
                case Microsoft.CodeAnalysis.Operations.IConversionOperation conversion:
                    current = conversion.Operand;
                    continue;
                case Microsoft.CodeAnalysis.Operations.IParenthesizedOperation parenthesized:
                    current = parenthesized.Operand;
                    continue;
                case Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation when SocketIoSymbols.IsSocketIoType(invocation.TargetMethod.ContainingType):
                    timeoutSeen |= invocation.TargetMethod.Name == "Timeout";
                    otherNamespace |= invocation.TargetMethod.Name == "Of";
                    current = invocation.Instance;
                    continue;
                case Microsoft.CodeAnalysis.Operations.IPropertyReferenceOperation property when SocketIoSymbols.IsSocketIoType(property.Property.ContainingType):
                    volatileSeen |= property.Property.Name == "Volatile";

                    // Through the server (Server, Of(…)) the chain leaves the typed view's namespace.
                    otherNamespace |= property.Property.Name == "Server";
                    if (property.Property.Name == "Untyped" && typedView is null && !otherNamespace)
                    {
                        typedView = property.Property.ContainingType;
                    }

                    if (property.Instance is null)
                    {
                        return new EmitChain(volatileSeen, timeoutSeen, property.Type, typedView);
                    }

                    current = property.Instance;
                    continue;
                default:
                    return new EmitChain(volatileSeen, timeoutSeen, current.Type, typedView);
            }
        }

        return new EmitChain(volatileSeen, timeoutSeen, null, typedView);
    }
}
