using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>
/// Builds the <see cref="TypeScriptModel"/> of an assembly from the generator's contract models:
/// events, wire names and acknowledgements come from each <see cref="ContractSpec"/>; the compilation
/// is asked only for the C# types behind the arguments, to map them to TypeScript.
/// </summary>
internal static class TypeScriptModelBuilder
{
    /// <summary>Names the declarations use themselves, which a payload type must not take.</summary>
    private static readonly HashSet<string> Taken = new(System.StringComparer.Ordinal)
    {
        "Record", "ArrayBuffer", "Uint8Array", "string", "number", "boolean", "unknown", "object", "any", "never", "null",
        "undefined", "symbol", "bigint", "void",
    };

    private static readonly SymbolDisplayFormat FullyQualified = SymbolDisplayFormat.FullyQualifiedFormat;

    public static TypeScriptModel Build(EquatableArray<ContractSpec> specs, Compilation compilation, CancellationToken cancellationToken)
    {
        var mapper = new PayloadTypeMapper(compilation);
        var diagnostics = new List<DiagnosticInfo>();
        var reported = new HashSet<string>(System.StringComparer.Ordinal);
        var contracts = new List<(ContractSpec Spec, INamedTypeSymbol? Type, TypeScriptEvent[] Events)>();
        foreach (ContractSpec spec in specs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            INamedTypeSymbol? type = Resolve(compilation, spec.FullName);
            JsonShapeOptions options = spec.ContextType is { } contextName && Resolve(compilation, contextName) is { } context
                ? JsonShapeOptions.From(context)
                : JsonShapeOptions.RuntimeDefault;
            var events = new TypeScriptEvent[spec.Events.Count];
            for (int i = 0; i < spec.Events.Count; i++)
            {
                EventSpec e = spec.Events[i];
                IMethodSymbol? method = type is null ? null : FindMethod(type, e);
                IParameterSymbol[] sent = method?.Parameters.Where(p => !IsCancellationToken(p.Type)).ToArray() ?? System.Array.Empty<IParameterSymbol>();
                var parameterTypes = new string[e.Parameters.Count];
                for (int p = 0; p < parameterTypes.Length; p++)
                {
                    Location? location = p < sent.Length ? sent[p].Locations.FirstOrDefault(l => l.IsInSource) : null;
                    parameterTypes[p] = e.Parameters[p].Binary != BinaryKind.None ? PayloadTypeMapper.Binary
                        : p < sent.Length ? Map(mapper, sent[p].Type, options, e, spec, location ?? method!.Locations.FirstOrDefault(l => l.IsInSource), diagnostics, reported)
                        : "unknown";
                }

                string? result = null;
                if (e.ResultType is not null)
                {
                    result = e.ResultBinary != BinaryKind.None ? PayloadTypeMapper.Binary
                        : method?.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } task
                            ? Map(mapper, task.TypeArguments[0], options, e, spec, method.Locations.FirstOrDefault(l => l.IsInSource), diagnostics, reported)
                            : "unknown";
                }

                events[i] = new TypeScriptEvent(new EquatableArray<string>(parameterTypes), result);
            }

            contracts.Add((spec, type, events));
        }

        // Names: the C# name (nested types prefixed with their outer types); where two types would
        // share one, both are qualified with their namespace, then numbered if that is not enough.
        var entries = new List<(string Short, string Qualified)>();
        entries.AddRange(contracts.Select(c => Names(c.Type, c.Spec.FullName)));
        entries.AddRange(mapper.Declarations.Select(d => Names(d.Type, d.Type.Name, d.Suffix)));
        string[] names = Assign(entries);

        var built = new List<TypeScriptContract>();
        for (int i = 0; i < contracts.Count; i++)
        {
            TypeScriptEvent[] events = contracts[i].Events.Select(e => new TypeScriptEvent(
                new EquatableArray<string>(e.ParameterTypes.Select(t => Resolve(t, names, contracts.Count)).ToArray()),
                e.ResultType is null ? null : Resolve(e.ResultType, names, contracts.Count))).ToArray();
            built.Add(new TypeScriptContract(contracts[i].Spec, names[i], new EquatableArray<TypeScriptEvent>(events)));
        }

        var declarations = new List<TypeScriptDeclaration>();
        for (int i = 0; i < mapper.Declarations.Count; i++)
        {
            TypeScriptDeclaration d = mapper.Declarations[i].Declaration;
            declarations.Add(d with
            {
                Name = names[contracts.Count + i],
                Extends = new EquatableArray<string>(d.Extends.Select(t => Resolve(t, names, contracts.Count)).ToArray()),
                Properties = new EquatableArray<TypeScriptProperty>(d.Properties.Select(p => p with { Type = Resolve(p.Type, names, contracts.Count) }).ToArray()),
                AliasOf = d.AliasOf is null ? null : Resolve(d.AliasOf, names, contracts.Count),
            });
        }

        declarations.Sort((a, b) => System.StringComparer.Ordinal.Compare(a.Name, b.Name));
        return new TypeScriptModel(compilation.AssemblyName ?? "", new EquatableArray<TypeScriptContract>(built.ToArray()),
            new EquatableArray<TypeScriptDeclaration>(declarations.ToArray()), new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
    }

    private static string Map(PayloadTypeMapper mapper, ITypeSymbol type, JsonShapeOptions options, EventSpec e, ContractSpec spec,
        Location? location, List<DiagnosticInfo> diagnostics, HashSet<string> reported)
    {
        mapper.Unsupported = (unsupported, why) =>
        {
            string display = unsupported.ToDisplayString();
            if (reported.Add(display + "\n" + why))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.UnsupportedTypeScriptPayload, location, display, e.WireName, spec.FullName.Replace("global::", ""), why));
            }
        };
        try
        {
            return mapper.Map(type, options);
        }
        finally
        {
            mapper.Unsupported = null;
        }
    }

    /// <summary>The method an event comes from: same declaring interface, name and sent parameter types.</summary>
    private static IMethodSymbol? FindMethod(INamedTypeSymbol contract, EventSpec e)
    {
        string name = e.MethodName.TrimStart('@');
        foreach (INamedTypeSymbol declaring in new[] { contract }.Concat(contract.AllInterfaces))
        {
            if (declaring.ToDisplayString(FullyQualified) != e.DeclaringInterface)
            {
                continue;
            }

            foreach (IMethodSymbol method in declaring.GetMembers(name).OfType<IMethodSymbol>())
            {
                IParameterSymbol[] sent = method.Parameters.Where(p => !IsCancellationToken(p.Type)).ToArray();
                if (sent.Length == e.Parameters.Count && sent.Select(p => p.Type.ToDisplayString(FullyQualified)).SequenceEqual(e.Parameters.Select(p => p.JsonType)))
                {
                    return method;
                }
            }
        }

        return null;
    }

    private static bool IsCancellationToken(ITypeSymbol type) => type.ToDisplayString() == "System.Threading.CancellationToken";

    /// <summary>The type a fully qualified display name (<c>global::A.B.Outer.Inner</c>) names, in the compilation or its references.</summary>
    private static INamedTypeSymbol? Resolve(Compilation compilation, string fullName)
    {
        string name = fullName.StartsWith("global::", System.StringComparison.Ordinal) ? fullName.Substring("global::".Length) : fullName;
        INamespaceOrTypeSymbol? current = compilation.GlobalNamespace;
        foreach (string segment in name.Split('.'))
        {
            current = current.GetMembers(segment).FirstOrDefault(m => m is INamespaceSymbol or INamedTypeSymbol { Arity: 0 }) as INamespaceOrTypeSymbol;
            if (current is null)
            {
                return null;
            }
        }

        return current as INamedTypeSymbol;
    }

    private static (string Short, string Qualified) Names(INamedTypeSymbol? type, string fallback, string suffix = "")
    {
        if (type is null)
        {
            string plain = fallback.Replace("global::", "");
            return (plain.Substring(plain.LastIndexOf('.') + 1), plain.Replace('.', '_'));
        }

        string shortName = type.Name;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            shortName = outer.Name + "_" + shortName;
        }

        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString().Replace('.', '_') + "_" : "";
        return (shortName + suffix, ns + shortName + suffix);
    }

    private static string[] Assign(List<(string Short, string Qualified)> entries)
    {
        var shortCounts = new Dictionary<string, int>(System.StringComparer.Ordinal);
        foreach ((string s, string _) in entries)
        {
            shortCounts[s] = shortCounts.TryGetValue(s, out int n) ? n + 1 : 1;
        }

        var used = new HashSet<string>(Taken, System.StringComparer.Ordinal);
        var names = new string[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            string candidate = shortCounts[entries[i].Short] == 1 && !Taken.Contains(entries[i].Short) ? entries[i].Short : entries[i].Qualified;
            string name = candidate;
            for (int suffix = 2; !used.Add(name); suffix++)
            {
                name = candidate + "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            names[i] = name;
        }

        return names;
    }

    /// <summary>Replaces declaration tokens with the names given (declarations are numbered after the contracts).</summary>
    private static string Resolve(string text, string[] names, int offset)
    {
        int start = text.IndexOf(PayloadTypeMapper.TokenStart);
        if (start < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        int position = 0;
        while (start >= 0)
        {
            int end = text.IndexOf(PayloadTypeMapper.TokenEnd, start);
            builder.Append(text, position, start - position);
            builder.Append(names[offset + int.Parse(text.Substring(start + 1, end - start - 1), System.Globalization.CultureInfo.InvariantCulture)]);
            position = end + 1;
            start = text.IndexOf(PayloadTypeMapper.TokenStart, position);
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }
}
