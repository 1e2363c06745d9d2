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

    /// <summary>An array of <paramref name="element"/>, parenthesized when it is a union.</summary>
    public static string ArrayOf(string element) => element.Contains(" | ") ? "(" + element + ")[]" : element + "[]";

    /// <summary>A property or event name: as is when it is an identifier, else quoted.</summary>
    public static string PropertyName(string name) => TypeScriptNames.IsIdentifier(name) ? name : Quote(name);

    /// <summary>A TypeScript string literal.</summary>
    public static string Quote(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
