using System.Text.Json;

namespace TypedSocketIo.Protocol;

/// <summary>
/// Property and value names compared without throwing: System.Text.Json throws when it unescapes text that is not
/// UTF-16 (a lone surrogate escape such as <c>"\ud800"</c>), which JavaScript writes and accepts. Such text never
/// equals the ASCII names compared here.
/// </summary>
internal static class JsonNames
{
    /// <summary>Whether the reader's current string or property name is <paramref name="utf8"/>.</summary>
    public static bool ValueTextEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        try
        {
            return reader.ValueTextEquals(utf8);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The value of the property <paramref name="utf8Name"/> of an object (the last one when the name repeats, as
    /// <see cref="JsonElement.TryGetProperty(ReadOnlySpan{byte}, out JsonElement)"/> and JavaScript pick).
    /// </summary>
    public static bool TryGetProperty(JsonElement element, ReadOnlySpan<byte> utf8Name, out JsonElement value)
    {
        try
        {
            return element.TryGetProperty(utf8Name, out value);
        }
        catch (InvalidOperationException)
        {
            // Some name of the object cannot be unescaped: compare one by one, skipping those.
        }

        bool found = false;
        value = default;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            bool equal;
            try
            {
                equal = property.NameEquals(utf8Name);
            }
            catch (InvalidOperationException)
            {
                equal = false;
            }

            if (equal)
            {
                value = property.Value;
                found = true;
            }
        }

        return found;
    }
}
