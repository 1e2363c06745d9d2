// Longer than most files here on purpose: the one place where symbols become specs, with every
// rule a contract must follow and the diagnostic each rule reports, as System.Text.Json's Parser.

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedSocketIo.Generator;

/// <summary>Turns contract symbols into <see cref="ContractSpec"/> models and diagnostics.</summary>
internal sealed class ContractParser
{
    public const string SocketIoEventsAttribute = SocketIoNames.SocketIoEventsAttribute;
    public const string SocketIoContractsAttribute = SocketIoNames.SocketIoContractsAttribute;
    public const string EventAttribute = SocketIoNames.EventAttribute;

    private static readonly SymbolDisplayFormat DeclaredType =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat JsonType = SymbolDisplayFormat.FullyQualifiedFormat;

    private readonly INamedTypeSymbol? _task;
    private readonly INamedTypeSymbol? _taskOfT;
    private readonly INamedTypeSymbol? _valueTask;
    private readonly INamedTypeSymbol? _valueTaskOfT;
    private readonly INamedTypeSymbol? _cancellationToken;
    private readonly INamedTypeSymbol? _readOnlyMemory;
    private readonly INamedTypeSymbol? _jsonSerializerContext;
    private readonly INamedTypeSymbol? _eventAttribute;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    public ContractParser(Compilation compilation)
    {
        TypedSocketIo.Generator.KnownTypes known = TypedSocketIo.Generator.KnownTypes.For(compilation);
        _task = known.Task;
        _taskOfT = known.TaskOfT;
        _valueTask = known.ValueTask;
        _valueTaskOfT = known.ValueTaskOfT;
        _cancellationToken = known.CancellationToken;
        _readOnlyMemory = known.ReadOnlyMemory;
        _jsonSerializerContext = known.JsonSerializerContext;
        _eventAttribute = known.EventAttribute;
    }

    /// <summary>Parses a type marked with [SocketIoEvents].</summary>
    public ParseResult Parse(INamedTypeSymbol type, AttributeData? attribute, Location? fallbackLocation, bool imported, CancellationToken cancellationToken)
    {
        _diagnostics.Clear();
        ContractSpec? spec = ParseCore(type, attribute, fallbackLocation, imported, cancellationToken);
        bool hasErrors = _diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        return new ParseResult(hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>(_diagnostics.ToArray()));
    }

    private ContractSpec? ParseCore(INamedTypeSymbol type, AttributeData? attribute, Location? fallbackLocation, bool imported, CancellationToken cancellationToken)
    {
        Location? typeLocation = imported ? fallbackLocation : type.Locations.FirstOrDefault() ?? fallbackLocation;
        if (type.TypeKind != TypeKind.Interface)
        {
            Report(Descriptors.ContractNotInterface, typeLocation, type.Name);
            return null;
        }

        if (type.IsGenericType)
        {
            Report(Descriptors.GenericContract, typeLocation, type.Name);
            return null;
        }

        if (Inaccessible(type) is { } why)
        {
            Report(Descriptors.InaccessibleContract, typeLocation, type.Name, why);
            return null;
        }

        int policy = NamingPolicy.CamelCase;
        ITypeSymbol? context = null;
        attribute ??= type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == SocketIoEventsAttribute);
        if (attribute is not null)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "NamingPolicy" && argument.Value.Value is int value)
                {
                    policy = value;
                }
                else if (argument.Key == "SerializerContext" && argument.Value.Value is ITypeSymbol contextType)
                {
                    context = contextType;
                }
            }
        }

        string? contextName = null;
        string? contextDisplay = null;
        HashSet<ITypeSymbol>? known = null;
        if (context is not null)
        {
            if (context is INamedTypeSymbol named && !named.IsAbstract && DerivesFrom(named, _jsonSerializerContext) && HasDefault(named))
            {
                contextName = named.ToDisplayString(JsonType);
                contextDisplay = named.ToDisplayString();
                known = KnownTypes(named, cancellationToken);
            }
            else
            {
                Report(Descriptors.InvalidSerializerContext, AttributeLocation(attribute) ?? typeLocation, context.ToDisplayString());
            }
        }

        var events = new List<EventSpec>();
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var signatures = new Dictionary<string, IMethodSymbol>(System.StringComparer.Ordinal);
        foreach (INamedTypeSymbol contract in new[] { type }.Concat(type.AllInterfaces))
        {
            foreach (ISymbol member in contract.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Location? location = imported ? fallbackLocation : member.Locations.FirstOrDefault(l => l.IsInSource) ?? typeLocation;
                switch (member)
                {
                    case IPropertySymbol property:
                        Report(Descriptors.UnsupportedMember, location, property.Name, "a property");
                        break;
                    case IEventSymbol e:
                        Report(Descriptors.UnsupportedMember, location, e.Name, "an event");
                        break;
                    case IMethodSymbol method when method.MethodKind == MethodKind.Ordinary:
                        if (method.IsStatic)
                        {
                            Report(Descriptors.UnsupportedMember, location, method.Name, "a static method");
                        }
                        else if (method.IsGenericMethod)
                        {
                            Report(Descriptors.UnsupportedMember, location, method.Name, "a generic method");
                        }
                        else if (method.IsAbstract && ParseEvent(method, policy, location, contextDisplay, known) is { } spec)
                        {
                            string signature = method.Name + "(" + string.Join(",", spec.Parameters.Select(p => p.JsonType)) + ")";
                            if (names.TryGetValue(spec.WireName, out string? existing))
                            {
                                Report(Descriptors.DuplicateEventName, location, method.Name, spec.WireName, existing);
                            }
                            else if (signatures.TryGetValue(signature, out IMethodSymbol? twin))
                            {
                                Report(Descriptors.DuplicateEventMethod, location, spec.WireName, names.First(n => n.Value == twin.Name).Key,
                                    method.Name, twin.ContainingType.Name, method.ContainingType.Name);
                            }
                            else
                            {
                                names.Add(spec.WireName, method.Name);
                                signatures.Add(signature, method);
                                events.Add(spec);
                            }
                        }

                        break;
                }
            }
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        string baseName = BaseName(type);
        string accessibility = !imported && IsPublic(type) ? "public" : "internal";
        return new ContractSpec(ns, type.ToDisplayString(JsonType), baseName, accessibility, contextName, new EquatableArray<EventSpec>(events.ToArray()));
    }

    private EventSpec? ParseEvent(IMethodSymbol method, int policy, Location? location, string? contextDisplay, HashSet<ITypeSymbol>? known)
    {
        bool valid = true;
        string wireName = NamingPolicy.Apply(policy, method.Name);
        AttributeData? eventAttribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _eventAttribute));
        if (eventAttribute is not null && eventAttribute.ConstructorArguments.Length == 1)
        {
            wireName = eventAttribute.ConstructorArguments[0].Value as string ?? "";
            if (wireName.Length == 0)
            {
                Report(Descriptors.EmptyEventName, AttributeLocation(eventAttribute) ?? location, method.Name);
                valid = false;
            }
        }

        ReturnKind kind;
        ITypeSymbol? result = null;
        ITypeSymbol returnType = method.ReturnType;
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            Report(Descriptors.UnsupportedReturnType, location, method.Name, (method.ReturnsByRefReadonly ? "ref readonly " : "ref ") + returnType.ToDisplayString());
            return null;
        }

        if (method.ReturnsVoid)
        {
            kind = ReturnKind.Void;
        }
        else if (SymbolEqualityComparer.Default.Equals(returnType, _task))
        {
            kind = ReturnKind.Task;
        }
        else if (SymbolEqualityComparer.Default.Equals(returnType, _valueTask))
        {
            kind = ReturnKind.ValueTask;
        }
        else if (returnType is INamedTypeSymbol { IsGenericType: true } generic && SymbolEqualityComparer.Default.Equals(generic.OriginalDefinition, _taskOfT))
        {
            kind = ReturnKind.TaskOfT;
            result = generic.TypeArguments[0];
        }
        else if (returnType is INamedTypeSymbol { IsGenericType: true } generic2 && SymbolEqualityComparer.Default.Equals(generic2.OriginalDefinition, _valueTaskOfT))
        {
            kind = ReturnKind.ValueTaskOfT;
            result = generic2.TypeArguments[0];
        }
        else
        {
            Report(Descriptors.UnsupportedReturnType, location, method.Name, returnType.ToDisplayString());
            return null;
        }


        var parameters = new List<ParameterSpec>();
        string? cancellationTokenName = null;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol parameter = method.Parameters[i];
            Location? parameterLocation = parameter.Locations.FirstOrDefault(l => l.IsInSource) ?? location;
            string name = Escape(parameter.Name);
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                string modifier = parameter.IsParams ? "params" : parameter.RefKind switch
                {
                    RefKind.Ref => "ref",
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    _ => "ref readonly",
                };
                Report(Descriptors.UnsupportedParameter, parameterLocation, parameter.Name, method.Name, modifier);
                valid = false;
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(parameter.Type, _cancellationToken))
            {
                if (i != method.Parameters.Length - 1)
                {
                    Report(Descriptors.CancellationTokenNotLast, parameterLocation, parameter.Name, method.Name);
                    valid = false;
                }

                cancellationTokenName = name;
                continue;
            }

            BinaryKind binary = Binary(parameter.Type);
            if (binary == BinaryKind.None && known is not null && !IsKnown(parameter.Type, known))
            {
                Report(Descriptors.TypeMissingFromContext, parameterLocation, parameter.Type.ToDisplayString(), method.Name, contextDisplay!);
            }

            parameters.Add(new ParameterSpec(name, parameter.Type.ToDisplayString(DeclaredType), parameter.Type.ToDisplayString(JsonType), binary));
        }

        BinaryKind resultBinary = result is null ? BinaryKind.None : Binary(result);
        if (result is not null && resultBinary == BinaryKind.None && known is not null && !IsKnown(result, known))
        {
            Report(Descriptors.TypeMissingFromContext, location, result.ToDisplayString(), method.Name, contextDisplay!);
        }

        if (!valid)
        {
            return null;
        }

        return new EventSpec(
            wireName,
            Escape(method.Name),
            method.ContainingType.ToDisplayString(JsonType),
            kind,
            result?.ToDisplayString(JsonType),
            resultBinary,
            new EquatableArray<ParameterSpec>(parameters.ToArray()),
            cancellationTokenName);
    }

    private BinaryKind Binary(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return BinaryKind.ByteArray;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _readOnlyMemory)
            && named.TypeArguments[0].SpecialType == SpecialType.System_Byte)
        {
            return BinaryKind.ReadOnlyMemory;
        }

        return BinaryKind.None;
    }

    /// <summary>The types a JsonSerializerContext can serialize: those it lists, and those they reach.</summary>
    private HashSet<ITypeSymbol> KnownTypes(INamedTypeSymbol context, CancellationToken cancellationToken)
    {
        var known = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ITypeSymbol>();
        foreach (AttributeData attribute in context.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializableAttribute"
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is ITypeSymbol listed)
            {
                pending.Push(listed);
            }
        }

        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ITypeSymbol type = pending.Pop();
            if (!known.Add(type))
            {
                continue;
            }

            if (type is IArrayTypeSymbol array)
            {
                pending.Push(array.ElementType);
                continue;
            }

            if (type is not INamedTypeSymbol named || type.SpecialType != SpecialType.None || named.TypeKind == TypeKind.Enum)
            {
                continue;
            }

            foreach (ITypeSymbol argument in named.TypeArguments)
            {
                pending.Push(argument);
            }

            string? ns = named.ContainingNamespace?.ToDisplayString();
            if (ns is not null && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)))
            {
                continue; // framework types: their type arguments matter, not their members
            }

            for (INamedTypeSymbol? current = named; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
            {
                foreach (ISymbol member in current.GetMembers())
                {
                    if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public)
                    {
                        continue;
                    }

                    if (IsIgnored(member))
                    {
                        continue; // System.Text.Json generates nothing for an ignored member's type
                    }

                    if (member is IPropertySymbol { IsIndexer: false } property)
                    {
                        pending.Push(property.Type);
                    }
                    else if (member is IFieldSymbol field)
                    {
                        pending.Push(field.Type);
                    }
                }
            }
        }

        return known;
    }

    /// <summary>Whether a member carries [JsonIgnore] that always applies (no Condition, or Condition = Always).</summary>
    private static bool IsIgnored(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != "System.Text.Json.Serialization.JsonIgnoreAttribute")
            {
                continue;
            }

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "Condition" && argument.Value.Value is int condition && condition != 1)
                {
                    return false; // Never, WhenWritingDefault, WhenWritingNull: still serialized
                }
            }

            return true;
        }

        return false;
    }

    private static bool IsKnown(ITypeSymbol type, HashSet<ITypeSymbol> known) =>
        known.Contains(type) || (type.IsReferenceType && known.Contains(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated)));

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol? baseType)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasDefault(INamedTypeSymbol context) =>
        context.GetMembers("Default").Any(m => m.IsStatic) || context.GetAttributes().Any(a => a.AttributeClass?.Name == "JsonSerializableAttribute");

    private static bool IsPublic(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The stem of the generated class names: <c>IChatEvents</c> → <c>ChatEvents</c>. A name without
    /// the interface prefix keeps a trailing underscore, so <c>IChat</c> and <c>Chat</c> do not clash.
    /// </summary>
    private static string BaseName(INamedTypeSymbol type)
    {
        string name = type.Name;
        name = name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]) ? name.Substring(1) : name + "_";

        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.Name + "_" + name;
        }

        return name;
    }

    /// <summary>Why generated code beside <paramref name="type"/> cannot name it, or null when it can.</summary>
    private static string? Inaccessible(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
            {
                return ReferenceEquals(current, type) ? "file-local" : $"inside the file-local '{current.Name}'";
            }

            string? accessibility = current.DeclaredAccessibility switch
            {
                Accessibility.Private => "private",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => null,
            };
            if (accessibility is not null)
            {
                return ReferenceEquals(current, type) ? accessibility : $"inside the {accessibility} '{current.Name}'";
            }
        }

        return null;
    }

    private static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static Location? AttributeLocation(AttributeData? attribute) => attribute?.ApplicationSyntaxReference?.GetSyntax().GetLocation();

    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    /// <summary>The contract types an assembly-level [SocketIoContracts] names.</summary>
    public static ImmutableArray<INamedTypeSymbol> ImportedTypes(AttributeData attribute)
    {
        var types = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (TypedConstant argument in attribute.ConstructorArguments)
        {
            IEnumerable<TypedConstant> values = argument.Kind == TypedConstantKind.Array ? argument.Values : new[] { argument };
            foreach (TypedConstant value in values)
            {
                if (value.Value is INamedTypeSymbol type)
                {
                    types.Add(type);
                }
            }
        }

        return types.ToImmutable();
    }
}
