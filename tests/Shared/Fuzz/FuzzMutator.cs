using System.Text;

namespace TypedSocketIo.Testing.Fuzz;

/// <summary>
/// Builds fuzz inputs from a seed corpus of valid inputs: random bytes, or a seed mutated a few times by bit flips,
/// byte inserts and deletes, truncation, splices of two seeds, repeated chunks (huge lengths), numbers at boundaries,
/// deep nesting, invalid UTF-8 and the format's own tokens.
/// </summary>
public sealed class FuzzMutator
{
    /// <summary>No mutation makes an input longer than this.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>Bytes that steer parsers into their branches: separators, digits, brackets, UTF-8 lead and continuation bytes.</summary>
    public static readonly byte[] InterestingBytes =
    [
        0x00, 0x01, 0x02, 0x04, 0x09, 0x0A, 0x0D, 0x1E, 0x20, (byte)'"', (byte)',', (byte)'-', (byte)'.', (byte)'/', (byte)'0', (byte)'1',
        (byte)'4', (byte)'5', (byte)'9', (byte)':', (byte)'?', (byte)'[', (byte)'\\', (byte)']', (byte)'b', (byte)'e', (byte)'u', (byte)'{',
        (byte)'}', 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE4, 0xED, 0xF0, 0xF4, 0xFE, 0xFF,
    ];

    /// <summary>Numbers at the edges of the integer and floating-point types (and a few that are not JSON).</summary>
    public static readonly string[] BoundaryNumbers =
    [
        "0", "-0", "1", "-1", "9", "10", "11", "127", "128", "255", "256", "32767", "32768", "65535", "65536",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "9007199254740991", "9007199254740992", "9007199254740993", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "99999999999999999999999999999999", "1e308", "1.8e308", "1e400",
        "-1e400", "1e-400", "5e-324", "1.5", "0.1", "1E+2", "-0.0", "00", "01", "0x10", "NaN", "Infinity", "+1",
    ];

    /// <summary>Byte sequences that are not valid UTF-8 (overlong, surrogates, beyond U+10FFFF, cut short, stray bytes).</summary>
    public static readonly byte[][] InvalidUtf8 =
    [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC3], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xE4, 0xB8],
    ];

    private static readonly int[] NestingDepths = [16, 63, 64, 65, 127, 128, 129, 200, 1000, 10_000];

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly byte[][] _tokens;

    /// <param name="seeds">Valid inputs of the format (at least one).</param>
    /// <param name="tokens">Pieces of the format's syntax, inserted and used to build random inputs.</param>
    public FuzzMutator(IReadOnlyList<byte[]> seeds, IEnumerable<string> tokens)
    {
        if (seeds.Count == 0)
        {
            throw new ArgumentException("A mutator needs at least one seed.", nameof(seeds));
        }

        _seeds = seeds;
        _tokens = tokens.Select(Encoding.UTF8.GetBytes).Concat(InvalidUtf8).ToArray();
    }

    public IReadOnlyList<byte[]> Seeds => _seeds;

    /// <summary>A fresh input: usually a seed mutated one to four times, sometimes a seed as is or random bytes.</summary>
    public byte[] Next(Random random)
    {
        int roll = random.Next(20);
        if (roll == 0)
        {
            return RandomInput(random);
        }

        byte[] seed = _seeds[random.Next(_seeds.Count)];
        return roll == 1 ? seed : Mutate(seed, random, random.Next(1, 5));
    }

    /// <summary>Mutates <paramref name="input"/> <paramref name="count"/> times (returns a new array).</summary>
    public byte[] Mutate(byte[] input, Random random, int count = 1)
    {
        var bytes = new List<byte>(input);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(bytes, random);
        }

        return bytes.Count > MaxLength ? bytes.GetRange(0, MaxLength).ToArray() : bytes.ToArray();
    }

    /// <summary>Random bytes, mostly tokens and interesting bytes.</summary>
    public byte[] RandomInput(Random random)
    {
        var bytes = new List<byte>();
        int length = random.Next(0, 65);
        while (bytes.Count < length)
        {
            switch (random.Next(10))
            {
                case < 4:
                    bytes.AddRange(_tokens[random.Next(_tokens.Length)]);
                    break;
                case < 7:
                    bytes.Add(InterestingBytes[random.Next(InterestingBytes.Length)]);
                    break;
                default:
                    bytes.Add((byte)random.Next(256));
                    break;
            }
        }

        return bytes.ToArray();
    }

    private void MutateOnce(List<byte> bytes, Random random)
    {
        int at = random.Next(bytes.Count + 1);
        switch (random.Next(16))
        {
            case 0 when bytes.Count > 0: // flip one bit
                at = random.Next(bytes.Count);
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Count > 0: // overwrite a byte
                bytes[random.Next(bytes.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2 when bytes.Count > 0: // a random byte
                bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                break;
            case 3: // insert interesting bytes
                for (int n = random.Next(1, 4); n > 0; n--)
                {
                    bytes.Insert(at, InterestingBytes[random.Next(InterestingBytes.Length)]);
                }

                break;
            case 4 or 5: // insert a token of the format
                bytes.InsertRange(at, _tokens[random.Next(_tokens.Length)]);
                break;
            case 6 when bytes.Count > 0: // delete a range
            {
                int start = random.Next(bytes.Count);
                bytes.RemoveRange(start, Math.Min(random.Next(1, 9), bytes.Count - start));
                break;
            }
            case 7: // truncate
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 8: // splice: this input's head, another seed's tail
            {
                byte[] other = _seeds[random.Next(_seeds.Count)];
                int from = random.Next(other.Length + 1);
                bytes.RemoveRange(at, bytes.Count - at);
                bytes.AddRange(other.AsSpan(from).ToArray());
                break;
            }
            case 9 or 10: // a number at a boundary, in place of digits (a length, an id, a count) or inserted
                ReplaceNumber(bytes, random);
                break;
            case 11: // deep nesting
                InsertNesting(bytes, random, at);
                break;
            case 12: // invalid UTF-8
                bytes.InsertRange(at, InvalidUtf8[random.Next(InvalidUtf8.Length)]);
                break;
            case 13 when bytes.Count > 0: // repeat a chunk: huge lengths, many items
            {
                int start = random.Next(bytes.Count);
                int length = Math.Min(random.Next(1, 17), bytes.Count - start);
                int times = random.Next(10) == 0 ? random.Next(100, 5000) : random.Next(2, 20);
                times = Math.Min(times, (MaxLength - bytes.Count) / length);
                byte[] repeated = new byte[length * Math.Max(times, 0)];
                for (int t = 0; t < times; t++)
                {
                    bytes.CopyTo(start, repeated, t * length, length);
                }

                bytes.InsertRange(start, repeated);

                break;
            }
            case 14 when bytes.Count > 1: // swap two bytes
            {
                int i = random.Next(bytes.Count);
                int j = random.Next(bytes.Count);
                (bytes[i], bytes[j]) = (bytes[j], bytes[i]);
                break;
            }
            case 15 when random.Next(8) == 0 && bytes.Count > 0: // the whole input many times over (a big input)
            {
                byte[] whole = bytes.ToArray();
                int times = Math.Min(random.Next(2, 2000), MaxLength / whole.Length);
                for (int t = 1; t < times; t++)
                {
                    bytes.AddRange(whole);
                }

                break;
            }
            default:
                bytes.Insert(at, (byte)random.Next(256));
                break;
        }
    }

    private static void ReplaceNumber(List<byte> bytes, Random random)
    {
        byte[] number = Encoding.ASCII.GetBytes(BoundaryNumbers[random.Next(BoundaryNumbers.Length)]);
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < bytes.Count; i++)
        {
            if (bytes[i] is >= (byte)'0' and <= (byte)'9')
            {
                int start = i;
                while (i < bytes.Count && bytes[i] is >= (byte)'0' and <= (byte)'9')
                {
                    i++;
                }

                runs.Add((start, i - start));
            }
        }

        if (runs.Count == 0 || random.Next(4) == 0)
        {
            bytes.InsertRange(random.Next(bytes.Count + 1), number);
            return;
        }

        (int runStart, int runLength) = runs[random.Next(runs.Count)];
        bytes.RemoveRange(runStart, runLength);
        bytes.InsertRange(runStart, number);
    }

    private static void InsertNesting(List<byte> bytes, Random random, int at)
    {
        int depth = NestingDepths[random.Next(NestingDepths.Length)];
        (string open, string inner, string close) = random.Next(3) switch
        {
            0 => ("[", "", "]"),
            1 => ("{\"a\":", "1", "}"),
            _ => ("[{\"_placeholder\":true,\"num\":0,\"x\":", "0", "}]"),
        };
        var nested = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            nested.Append(open);
        }

        nested.Append(inner);
        bool balanced = random.Next(4) != 0;
        for (int i = 0; balanced && i < depth; i++)
        {
            nested.Append(close);
        }

        byte[] text = Encoding.UTF8.GetBytes(nested.ToString());
        if (bytes.Count + text.Length <= MaxLength)
        {
            bytes.InsertRange(at, text);
        }
    }
}
