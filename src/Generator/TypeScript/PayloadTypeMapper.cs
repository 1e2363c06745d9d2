using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>
/// Maps C# payload types to TypeScript the way System.Text.Json writes them (with the runtime's
/// binary converters: byte[] and byte memory anywhere in a payload travel as attachments), and
/// collects a declaration for each object and enum type reached. A reference to a declared type is
/// written as a placeholder token (<see cref="Token"/>) until every name is known.
/// </summary>
internal sealed partial class PayloadTypeMapper
{
    public const string Binary = "ArrayBuffer | Uint8Array";
    public const char TokenStart = '\u0001', TokenEnd = '\u0002';

    private readonly Dictionary<(ISymbol Type, JsonShapeOptions? Options, Form Form), int> _indexes = new();
    private readonly List<PendingDeclaration> _declarations = new();
    private readonly INamedTypeSymbol? _readOnlyMemory, _memory, _arraySegment, _enumerable, _dictionary, _readOnlyDictionary, _asyncEnumerable;

    public PayloadTypeMapper(Compilation compilation)
    {
        _readOnlyMemory = compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
        _memory = compilation.GetTypeByMetadataName("System.Memory`1");
        _arraySegment = compilation.GetTypeByMetadataName("System.ArraySegment`1");
        _enumerable = compilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T);
        _dictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IDictionary`2");
        _readOnlyDictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyDictionary`2");
        _asyncEnumerable = compilation.GetTypeByMetadataName("System.Collections.Generic.IAsyncEnumerable`1");
    }

    /// <summary>The declarations reached so far, in the order they were first reached.</summary>
    public IReadOnlyList<PendingDeclaration> Declarations => _declarations;

    /// <summary>Called with the type and the reason when a type has no JSON shape TypeScript can state.</summary>
    public System.Action<ITypeSymbol, string>? Unsupported { get; set; }

    public static string Token(int index) => TokenStart + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + TokenEnd;

    /// <summary>The TypeScript type of a value of <paramref name="type"/>, null included when it may be null.</summary>
    public string Map(ITypeSymbol type, JsonShapeOptions options, bool stringEnum = false)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return Map(nullable.TypeArguments[0], options, stringEnum) + " | null";
        }

        string mapped = MapCore(type, options, stringEnum);
        return type.NullableAnnotation == NullableAnnotation.Annotated && !type.IsValueType ? mapped + " | null" : mapped;
    }

    private string MapCore(ITypeSymbol type, JsonShapeOptions options, bool stringEnum)
    {
        if (IsBinary(type))
        {
            return Binary;
        }

        switch (type)
        {
            case ITypeParameterSymbol parameter:
                return parameter.Name;
            case IArrayTypeSymbol { Rank: 1 } array:
                return TypeScriptNames.ArrayOf(Map(array.ElementType, options));
            case IArrayTypeSymbol:
                return Fail(type, "a multi-dimensional array, which System.Text.Json does not serialize");
            case IDynamicTypeSymbol:
                return "unknown";
            case not INamedTypeSymbol:
                return Fail(type, "not a type System.Text.Json serializes");
        }

        var named = (INamedTypeSymbol)type;
        switch (named.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
            case SpecialType.System_DateTime:
                return "string";
            case SpecialType.System_Boolean:
                return "boolean";
            case SpecialType.System_Object:
                return "unknown";
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
                return "number";
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return Fail(type, "a native integer, which System.Text.Json does not serialize");
        }

        if (named.TypeKind == TypeKind.Delegate)
        {
            return Fail(type, "a delegate, which has no JSON form");
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            // A string converter on one property only: its names inline, the enum's declaration stays numeric.
            bool asString = options.StringEnums || HasStringEnumConverter(named);
            return stringEnum && !asString ? DeclareEnum(named, asString: true).AliasOf! : Reference(named, null, asString ? Form.StringEnum : Form.NumberEnum);
        }

        string metadataName = MetadataName(named.OriginalDefinition);
        switch (metadataName)
        {
            case "System.Guid":
            case "System.DateTimeOffset":
            case "System.DateOnly":
            case "System.TimeOnly":
            case "System.TimeSpan":
            case "System.Uri":
            case "System.Version":
                return "string";
            case "System.Half":
            case "System.Int128":
            case "System.UInt128":
                return "number";
            case "System.Text.Json.JsonElement":
            case "System.Text.Json.JsonDocument":
            case "System.Text.Json.Nodes.JsonNode":
            case "System.Text.Json.Nodes.JsonValue":
                return "unknown";
            case "System.Text.Json.Nodes.JsonObject":
                return "Record<string, unknown>";
            case "System.Text.Json.Nodes.JsonArray":
                return "unknown[]";
            case "System.Collections.Generic.KeyValuePair`2":
                return "{ " + TypeScriptNames.PropertyName(options.Name("Key")) + ": " + Map(named.TypeArguments[0], options) + "; "
                    + TypeScriptNames.PropertyName(options.Name("Value")) + ": " + Map(named.TypeArguments[1], options) + " }";
        }

        if (metadataName.StartsWith("System.ValueTuple", System.StringComparison.Ordinal))
        {
            return Fail(type, "a value tuple, whose fields System.Text.Json leaves out unless IncludeFields is set: use a record");
        }

        if (Implementation(named, _asyncEnumerable) is not null || metadataName.StartsWith("System.Threading.Tasks.", System.StringComparison.Ordinal))
        {
            return Fail(type, "an asynchronous type, which has no JSON form in an event");
        }

        if ((Implementation(named, _dictionary) ?? Implementation(named, _readOnlyDictionary)) is { } dictionary)
        {
            ITypeSymbol key = dictionary.TypeArguments[0];
            if (!IsKeyType(key))
            {
                return Fail(type, "a dictionary whose keys are not strings, numbers, enums or GUIDs, which System.Text.Json cannot write as property names");
            }

            return "Record<string, " + Map(dictionary.TypeArguments[1], options) + ">";
        }

        if (Implementation(named, _enumerable) is { } enumerable)
        {
            return TypeScriptNames.ArrayOf(Map(enumerable.TypeArguments[0], options));
        }

        if (named.AllInterfaces.Any(i => i.ToDisplayString() == "System.Collections.IDictionary"))
        {
            return "Record<string, unknown>";
        }

        if (named.AllInterfaces.Any(i => i.ToDisplayString() == "System.Collections.IEnumerable"))
        {
            return "unknown[]";
        }

        if (IsFramework(named))
        {
            return Fail(type, "a framework type with no fixed JSON shape");
        }

        if (IsPolymorphic(named))
        {
            return named.IsGenericType ? Fail(type, "a generic polymorphic type, which these declarations do not describe")
                : Reference(named, options, Form.Union);
        }

        if (Attribute(named, "JsonConverterAttribute") is not null)
        {
            return Fail(type, "serialized by its own JsonConverter, whose JSON shape the generator cannot see");
        }

        return ObjectReference(named, options);
    }

    /// <summary>The declaration of a type's own JSON object (for a polymorphic type, without the derived types), with its type arguments.</summary>
    private string ObjectReference(INamedTypeSymbol named, JsonShapeOptions options)
    {
        string reference = Reference(named.OriginalDefinition, options, Form.Object);
        return named.TypeArguments.Length == 0 ? reference : reference + "<" + string.Join(", ", named.TypeArguments.Select(a => Map(a, options))) + ">";
    }

    /// <summary>
    /// A placeholder for the declaration of <paramref name="definition"/> in the given form under these
    /// options (none for an enum: only its form matters), declaring it on first use.
    /// </summary>
    private string Reference(INamedTypeSymbol definition, JsonShapeOptions? options, Form form)
    {
        if (!_indexes.TryGetValue((definition, options, form), out int index))
        {
            index = _declarations.Count;
            _indexes.Add((definition, options, form), index);
            var pending = new PendingDeclaration(definition, form == Form.Object && IsPolymorphic(definition) ? "Base" : "");
            _declarations.Add(pending);
            pending.Declaration = form switch
            {
                Form.NumberEnum => DeclareEnum(definition, asString: false),
                Form.StringEnum => DeclareEnum(definition, asString: true),
                Form.Union => DeclareUnion(definition, options!),
                _ => DeclareObject(definition, options!),
            };
        }

        return Token(index);
    }

    private TypeScriptDeclaration DeclareEnum(INamedTypeSymbol definition, bool asString)
    {
        bool flags = Attribute(definition, "FlagsAttribute", "System") is not null;
        var values = new List<string>();
        var names = new List<string>();
        foreach (IFieldSymbol field in definition.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
        {
            string name = Attribute(field, "JsonStringEnumMemberNameAttribute")?.ConstructorArguments.FirstOrDefault().Value as string ?? field.Name;
            string number = System.Convert.ToString(field.ConstantValue, System.Globalization.CultureInfo.InvariantCulture) ?? "0";
            names.Add(field.Name + " = " + (asString ? TypeScriptNames.Quote(name) : number));
            if (!values.Contains(asString ? TypeScriptNames.Quote(name) : number))
            {
                values.Add(asString ? TypeScriptNames.Quote(name) : number);
            }
        }

        string alias = flags || values.Count == 0 ? (asString ? "string" : "number") : string.Join(" | ", values);
        string described = DisplayName(definition) + (names.Count > 0 ? " (" + string.Join(", ", names) + (flags ? "; flags, combined" : "") + ")" : "");
        return new TypeScriptDeclaration(DeclarationKind.Alias, "", described, EquatableArray<string>.Empty, EquatableArray<string>.Empty,
            EquatableArray<TypeScriptProperty>.Empty, alias, false);
    }

    private TypeScriptDeclaration DeclareObject(INamedTypeSymbol definition, JsonShapeOptions options)
    {
        var extends = new List<string>();
        if (definition.TypeKind == TypeKind.Interface)
        {
            foreach (INamedTypeSymbol inherited in definition.Interfaces)
            {
                if (!IsFramework(inherited))
                {
                    extends.Add(ObjectReference(inherited, options));
                }
            }
        }
        else if (definition.BaseType is { } baseType && !IsFramework(baseType))
        {
            extends.Add(ObjectReference(baseType, options));
        }

        var properties = new List<TypeScriptProperty>();
        bool extensionData = false;
        foreach (ISymbol member in definition.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared && member is IFieldSymbol)
            {
                continue;
            }

            ITypeSymbol type;
            bool included = Attribute(member, "JsonIncludeAttribute") is not null;
            switch (member)
            {
                case IPropertySymbol { IsIndexer: false, IsOverride: false } property
                    when included || (property.DeclaredAccessibility == Accessibility.Public && property.GetMethod is { DeclaredAccessibility: Accessibility.Public }):
                    type = property.Type;
                    break;
                case IFieldSymbol { IsConst: false } field when included || (options.IncludeFields && field.DeclaredAccessibility == Accessibility.Public):
                    type = field.Type;
                    break;
                default:
                    continue;
            }

            if (Attribute(member, "JsonExtensionDataAttribute") is not null)
            {
                extensionData = true;
                continue;
            }

            int ignore = IgnoreCondition(member, options);
            if (ignore == JsonShapeOptions.Always)
            {
                continue;
            }

            string name = Attribute(member, "JsonPropertyNameAttribute")?.ConstructorArguments.FirstOrDefault().Value as string ?? options.Name(member.Name);
            bool stringEnum = false;
            if (Attribute(member, "JsonConverterAttribute") is { } converter)
            {
                ITypeSymbol underlying = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n ? n.TypeArguments[0] : type;
                if (underlying.TypeKind == TypeKind.Enum && converter.ConstructorArguments.FirstOrDefault().Value is INamedTypeSymbol c && JsonShapeOptions.IsStringEnumConverter(c))
                {
                    stringEnum = true;
                }
                else
                {
                    properties.Add(new TypeScriptProperty(name, Fail(type, "serialized by its own JsonConverter on '" + member.Name + "', whose JSON shape the generator cannot see"), false));
                    continue;
                }
            }

            bool mayBeNull = type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated
                || type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
            bool optional = ignore == JsonShapeOptions.WhenWritingDefault || (ignore == JsonShapeOptions.WhenWritingNull && mayBeNull);
            properties.Add(new TypeScriptProperty(name, Map(type, options, stringEnum), optional));
        }

        return new TypeScriptDeclaration(DeclarationKind.Interface, "", DisplayName(definition),
            new EquatableArray<string>(definition.TypeParameters.Select(p => p.Name).ToArray()),
            new EquatableArray<string>(extends.ToArray()), new EquatableArray<TypeScriptProperty>(properties.ToArray()), null, extensionData);
    }

    private static int IgnoreCondition(ISymbol member, JsonShapeOptions options)
    {
        if (Attribute(member, "JsonIgnoreAttribute") is not { } ignore)
        {
            return options.IgnoreCondition == JsonShapeOptions.Always ? JsonShapeOptions.Never : options.IgnoreCondition;
        }

        foreach (KeyValuePair<string, TypedConstant> argument in ignore.NamedArguments)
        {
            if (argument.Key == "Condition" && argument.Value.Value is int condition)
            {
                return condition;
            }
        }

        return JsonShapeOptions.Always;
    }

    private bool IsBinary(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return true;
        }

        return type is INamedTypeSymbol { IsGenericType: true } named && named.TypeArguments[0].SpecialType == SpecialType.System_Byte
            && (Same(named.OriginalDefinition, _readOnlyMemory) || Same(named.OriginalDefinition, _memory) || Same(named.OriginalDefinition, _arraySegment));
    }

    private static bool IsKeyType(ITypeSymbol key) =>
        key.SpecialType is SpecialType.System_String or SpecialType.System_Char or >= SpecialType.System_SByte and <= SpecialType.System_Double
        || key.TypeKind == TypeKind.Enum || key.ToDisplayString() is "System.Guid" or "System.DateTime" or "System.DateTimeOffset" or "object";

    /// <summary><paramref name="type"/> itself when it is the generic <paramref name="definition"/>, else the first such interface it implements.</summary>
    private static INamedTypeSymbol? Implementation(INamedTypeSymbol type, INamedTypeSymbol? definition)
    {
        if (definition is null)
        {
            return null;
        }

        if (Same(type.OriginalDefinition, definition))
        {
            return type;
        }

        return type.AllInterfaces.FirstOrDefault(i => Same(i.OriginalDefinition, definition));
    }

    private static bool Same(ISymbol? left, ISymbol? right) => SymbolEqualityComparer.Default.Equals(left, right);

    private static bool IsFramework(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal) || ns == "Microsoft" || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    private static bool HasStringEnumConverter(INamedTypeSymbol enumType) =>
        Attribute(enumType, "JsonConverterAttribute")?.ConstructorArguments.FirstOrDefault().Value is INamedTypeSymbol converter && JsonShapeOptions.IsStringEnumConverter(converter);

    private static AttributeData? Attribute(ISymbol symbol, string name, string ns = "System.Text.Json.Serialization") =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && c.Name == name && c.ContainingNamespace?.ToDisplayString() == ns);

    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer ? MetadataName(outer) + "+" + type.MetadataName
        : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName : type.MetadataName;

    /// <summary>The C# name shown in comments: namespace-qualified, generic parameters written out.</summary>
    public static string DisplayName(INamedTypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);

    private string Fail(ITypeSymbol type, string why)
    {
        Unsupported?.Invoke(type, why);
        return "unknown";
    }
}
