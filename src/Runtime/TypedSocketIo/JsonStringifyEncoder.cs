using System.Text.Encodings.Web;

namespace TypedSocketIo;

/// <summary>
/// Escapes strings as JavaScript's <c>JSON.stringify</c> does: only quotes, backslashes, control
/// characters and lone surrogates; everything else (accents, CJK, emoji) is written as is.
/// </summary>
public sealed class JsonStringifyEncoder : JavaScriptEncoder
{
    /// <summary>The instance.</summary>
    public static readonly JsonStringifyEncoder Instance = new();

    private JsonStringifyEncoder()
    {
    }

    /// <inheritdoc />
    public override int MaxOutputCharactersPerInputCharacter => 6; // \uXXXX

    /// <inheritdoc />
    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar == '"' || unicodeScalar == '\\' || (unicodeScalar >= 0xD800 && unicodeScalar <= 0xDFFF);

    /// <inheritdoc />
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            char c = text[i];
            if (c < 0x20 || c == '"' || c == '\\')
            {
                return i;
            }

            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        int valid = System.Text.Unicode.Utf8.IsValid(utf8Text) ? utf8Text.Length : IndexOfInvalid(utf8Text);
        for (int i = 0; i < valid; i++)
        {
            byte b = utf8Text[i];
            if (b < 0x20 || b == '"' || b == '\\')
            {
                return i;
            }
        }

        return valid < utf8Text.Length ? valid : -1;
    }

    private static int IndexOfInvalid(ReadOnlySpan<byte> utf8Text)
    {
        int lo = 0, hi = utf8Text.Length;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (System.Text.Unicode.Utf8.IsValid(utf8Text[..mid]))
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <inheritdoc />
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        string escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\b' => "\\b",
            '\f' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when WillEncode(unicodeScalar) => "\\u" + unicodeScalar.ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        if (escaped.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        for (int i = 0; i < escaped.Length; i++)
        {
            buffer[i] = escaped[i];
        }

        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
