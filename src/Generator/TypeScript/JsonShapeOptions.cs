using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>
/// The System.Text.Json options that decide a payload's JSON shape, as far as the compilation tells
/// them: a contract's JsonSerializerContext ([JsonSourceGenerationOptions]), else the runtime's
/// defaults (<c>JsonSerializerDefaults.Web</c>: camelCase properties, enums as numbers).
/// </summary>
internal sealed record JsonShapeOptions(int PropertyNaming, bool StringEnums, int IgnoreCondition, bool IncludeFields)
{
    /// <summary>JsonKnownNamingPolicy's values.</summary>
    public const int NoNaming = 0, CamelCase = 1, SnakeCaseLower = 2, SnakeCaseUpper = 3, KebabCaseLower = 4, KebabCaseUpper = 5;

    /// <summary>JsonIgnoreCondition's values.</summary>
    public const int Never = 0, Always = 1, WhenWritingDefault = 2, WhenWritingNull = 3;

    /// <summary>What the runtime uses when a contract names no context.</summary>
    public static JsonShapeOptions RuntimeDefault { get; } = new(CamelCase, false, Never, false);

    /// <summary>The options a JsonSerializerContext is generated with (General defaults unless its attribute says otherwise).</summary>
    public static JsonShapeOptions From(INamedTypeSymbol context)
    {
        int naming = NoNaming, ignore = Never;
        bool stringEnums = false, includeFields = false;
        foreach (AttributeData attribute in context.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute")
            {
                continue;
            }

            if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int defaults && defaults == 1)
            {
                naming = CamelCase; // JsonSerializerDefaults.Web
            }

            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                switch (argument.Key)
                {
                    case "PropertyNamingPolicy" when argument.Value.Value is int policy:
                        naming = policy;
                        break;
                    case "UseStringEnumConverter" when argument.Value.Value is bool value:
                        stringEnums = value;
                        break;
                    case "DefaultIgnoreCondition" when argument.Value.Value is int condition:
                        ignore = condition;
                        break;
                    case "IncludeFields" when argument.Value.Value is bool fields:
                        includeFields = fields;
                        break;
                    case "Converters" when argument.Value.Kind == TypedConstantKind.Array:
                        foreach (TypedConstant converter in argument.Value.Values)
                        {
                            stringEnums |= converter.Value is INamedTypeSymbol type && IsStringEnumConverter(type);
                        }

                        break;
                }
            }
        }

        return new JsonShapeOptions(naming, stringEnums, ignore, includeFields);
    }

    /// <summary>A property's JSON name under this policy.</summary>
    public string Name(string name) => PropertyNaming switch
    {
        CamelCase => NamingPolicy.Camel(name),
        SnakeCaseLower => NamingPolicy.Separate(name, '_'),
        SnakeCaseUpper => NamingPolicy.Separate(name, '_').ToUpperInvariant(),
        KebabCaseLower => NamingPolicy.Separate(name, '-'),
        KebabCaseUpper => NamingPolicy.Separate(name, '-').ToUpperInvariant(),
        _ => name,
    };

    /// <summary>JsonStringEnumConverter, its generic form, or a class deriving from either.</summary>
    public static bool IsStringEnumConverter(INamedTypeSymbol converter)
    {
        for (INamedTypeSymbol? current = converter; current is not null; current = current.BaseType)
        {
            if (current.ContainingNamespace?.ToDisplayString() == "System.Text.Json.Serialization" && current.Name == "JsonStringEnumConverter")
            {
                return true;
            }
        }

        return false;
    }
}
