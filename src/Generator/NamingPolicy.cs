using System.Text;

namespace TypedSocketIo.Generator;

/// <summary>
/// Wire names from method names, in the manner of System.Text.Json's naming policies (the same
/// results for names without underscores; kebab and snake case treat <c>_</c> and <c>-</c> as word
/// separators and collapse runs of them).
/// </summary>
internal static class NamingPolicy
{
    public const int CamelCase = 0, KebabCase = 1, SnakeCase = 2, Exact = 3;

    public static string Apply(int policy, string name) => policy switch
    {
        Exact => name,
        KebabCase => Separate(name, '-'),
        SnakeCase => Separate(name, '_'),
        _ => Camel(name),
    };

    /// <summary><c>UserJoined</c> → <c>userJoined</c>, <c>URLValue</c> → <c>urlValue</c>, <c>ID</c> → <c>id</c>.</summary>
    public static string Camel(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            bool hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary><c>UserJoined</c> → <c>user_joined</c>, <c>XMLHttpRequest</c> → <c>xml_http_request</c>.</summary>
    public static string Separate(string name, char separator)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '_' || c == '-')
            {
                if (builder.Length > 0 && builder[builder.Length - 1] != separator)
                {
                    builder.Append(separator);
                }

                continue;
            }

            if (char.IsUpper(c) && i > 0 && builder.Length > 0 && builder[builder.Length - 1] != separator)
            {
                char previous = name[i - 1];
                bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    builder.Append(separator);
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
