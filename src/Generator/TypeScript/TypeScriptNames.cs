using System.Collections.Generic;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>TypeScript identifiers: which names are usable as written, and safe parameter names.</summary>
internal static class TypeScriptNames
{
    private static readonly HashSet<string> Reserved = new(System.StringComparer.Ordinal)
    {
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
        "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
        "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
        "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield", "await",
        "arguments", "eval",
    };

    /// <summary>Whether <paramref name="name"/> is an identifier (letters, digits, <c>_</c> and <c>$</c>, not starting with a digit).</summary>
    public static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c) && c != '_' && c != '$')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A parameter name TypeScript accepts: the C# name without its <c>@</c>, with <c>_</c> added to a reserved word.</summary>
    public static string Parameter(string csharpName)
    {
        string name = csharpName.TrimStart('@');
        return Reserved.Contains(name) || !IsIdentifier(name) ? name + "_" : name;
    }
}
