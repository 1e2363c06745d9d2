using System.Reflection;
using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// Walks the object graph of pipeline models (every instance field, public or not, of every object
/// reached, backing fields of record properties included; the items of every array) and lists what a cacheable model must not hold:
/// symbols, syntax, locations, trees, semantic models and compilations keep a whole compilation
/// alive and defeat the generator's caching.
/// </summary>
internal static class ModelGraph
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SyntaxToken),
        typeof(SyntaxTree),
        typeof(Location),
        typeof(SemanticModel),
        typeof(Compilation),
        typeof(AttributeData),
        typeof(TypedConstant),
    };

    /// <summary>The paths (<c>root.Field[2].Other</c>) at which forbidden objects are reached.</summary>
    /// <param name="root">The model.</param>
    /// <param name="rootName">How paths start.</param>
    /// <param name="seen">Receives the type of every object reached.</param>
    public static IReadOnlyList<string> FindForbidden(object? root, string rootName = "model", ISet<Type>? seen = null)
    {
        var found = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, rootName, found, visited, seen, depth: 0);
        return found;
    }

    private static void Walk(object? value, string path, List<string> found, HashSet<object> visited, ISet<Type>? seen, int depth)
    {
        if (value is null)
        {
            return;
        }

        Type type = value.GetType();
        seen?.Add(type);
        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            found.Add($"{path}: {type.FullName}");
            return;
        }

        if (type.IsPrimitive || type.IsEnum || value is string or decimal or Type)
        {
            return;
        }

        Assert.True(depth < 64, $"The model graph is deeper than 64 at {path}.");
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        // Arrays by their items; every other collection (List, ImmutableArray, EquatableArray) by the
        // fields that store its items.
        if (value is Array items)
        {
            int index = 0;
            foreach (object? item in items)
            {
                Walk(item, $"{path}[{index++}]", found, visited, seen, depth + 1);
            }
        }

        for (Type? current = type; current is not null && current != typeof(object) && current != typeof(ValueType); current = current.BaseType)
        {
            foreach (FieldInfo field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike || field.FieldType == typeof(IntPtr))
                {
                    continue;
                }

                Walk(field.GetValue(value), path + "." + Name(field), found, visited, seen, depth + 1);
            }
        }
    }

    /// <summary>A record's <c>&lt;Spec&gt;k__BackingField</c> reads as <c>Spec</c>.</summary>
    private static string Name(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.Contains('>') ? field.Name[1..field.Name.IndexOf('>')] : field.Name;
}
