using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>Polymorphic payloads ([JsonPolymorphic], [JsonDerivedType]) and the forms a declaration takes.</summary>
internal sealed partial class PayloadTypeMapper
{
    /// <summary>What a declaration of a type is.</summary>
    private enum Form
    {
        /// <summary>The type's JSON object (<c>Base</c> added to a polymorphic type's name).</summary>
        Object,

        /// <summary>An enum written as numbers.</summary>
        NumberEnum,

        /// <summary>An enum written as names.</summary>
        StringEnum,

        /// <summary>A polymorphic type: the union of what System.Text.Json writes for it.</summary>
        Union,
    }

    private static bool IsPolymorphic(INamedTypeSymbol type) =>
        Attribute(type.OriginalDefinition, "JsonDerivedTypeAttribute") is not null || Attribute(type.OriginalDefinition, "JsonPolymorphicAttribute") is not null;

    /// <summary>
    /// A value declared as a polymorphic type: the type itself when it can be instantiated (no
    /// discriminator), or each derived type listed, with its discriminator property first when it has one.
    /// </summary>
    private TypeScriptDeclaration DeclareUnion(INamedTypeSymbol definition, JsonShapeOptions options)
    {
        string property = "$type";
        if (Attribute(definition, "JsonPolymorphicAttribute") is { } polymorphic)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in polymorphic.NamedArguments)
            {
                if (argument.Key == "TypeDiscriminatorPropertyName" && argument.Value.Value is string name)
                {
                    property = name;
                }
            }
        }

        var members = new List<string>();
        if (!definition.IsAbstract && definition.TypeKind != TypeKind.Interface)
        {
            members.Add(ObjectReference(definition, options));
        }

        foreach (AttributeData derived in definition.GetAttributes().Where(a => a.AttributeClass is { Name: "JsonDerivedTypeAttribute" }))
        {
            if (derived.ConstructorArguments.FirstOrDefault().Value is not INamedTypeSymbol type)
            {
                continue;
            }

            string shape = ObjectReference(type, options);
            object? discriminator = derived.ConstructorArguments.Length > 1 ? derived.ConstructorArguments[1].Value : null;
            members.Add(discriminator switch
            {
                string text => "{ " + TypeScriptNames.PropertyName(property) + ": " + TypeScriptNames.Quote(text) + " } & " + shape,
                int number => "{ " + TypeScriptNames.PropertyName(property) + ": " + number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " } & " + shape,
                _ => shape,
            });
        }

        return new TypeScriptDeclaration(DeclarationKind.Alias, "", DisplayName(definition) + " (polymorphic: \"" + property + "\" names the derived type)",
            EquatableArray<string>.Empty, EquatableArray<string>.Empty, EquatableArray<TypeScriptProperty>.Empty,
            members.Count == 0 ? "never" : string.Join(" | ", members), false);
    }
}
