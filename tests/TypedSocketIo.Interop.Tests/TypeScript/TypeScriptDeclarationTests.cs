using System.Text.RegularExpressions;

namespace TypedSocketIo.Interop.Tests.TypeScript;

/// <summary>
/// The TypeScript declarations of TypedSocketIo.TestContracts (written by its build, with
/// GenerateSocketIoTypeScript, to tests/node/typescript/generated/) under tsc --strict from npm:
/// used correctly by a socket.io-client client and a socket.io server they compile without error;
/// each misuse (wrong event name, wrong argument or acknowledgement type, missing acknowledgement,
/// a C# property name where JSON has another, an enum value of the wrong form, an unchecked null)
/// fails with exactly the error codes its file names.
/// </summary>
public sealed partial class TypeScriptDeclarationTests
{
    private static readonly TimeSpan TscLimit = TimeSpan.FromMinutes(2);

    private static string TypeScriptDirectory => Path.Combine(TypedSocketIo.Testing.NodeDriver.NodeDirectory, "typescript");

    [Fact]
    public async Task A_client_and_a_server_that_use_the_declarations_correctly_compile_under_strict()
    {
        AssertDeclarationsWritten();

        NodeTool.Result result = await NodeTool.TscAsync(TscLimit, "-p", "typescript/tsconfig.json", "--pretty", "false");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("", result.Output.Trim());
    }

    [Fact]
    public async Task Each_misuse_fails_with_the_error_codes_its_file_names()
    {
        AssertDeclarationsWritten();
        string[] files = Directory.GetFiles(Path.Combine(TypeScriptDirectory, "misuse"), "*.ts").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 8, $"Only {files.Length} misuse files.");
        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            Match header = Expect().Match(File.ReadLines(file).First());
            Assert.True(header.Success, $"{file} must start with // expect: TSnnnn (why)");
            expected[Path.GetFileName(file)] = header.Groups["codes"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        }

        NodeTool.Result result = await NodeTool.TscAsync(TscLimit, "-p", "typescript/tsconfig.misuse.json", "--pretty", "false");

        Assert.True(result.ExitCode != 0, "tsc accepted every misuse:\n" + result.Describe());
        var reported = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (Match error in ErrorLine().Matches(result.Output))
        {
            string file = Path.GetFileName(error.Groups["file"].Value);
            if (!reported.TryGetValue(file, out SortedSet<string>? codes))
            {
                reported[file] = codes = new SortedSet<string>(StringComparer.Ordinal);
            }

            codes.Add(error.Groups["code"].Value);
        }

        Assert.All(expected, pair =>
        {
            string[] got = reported.TryGetValue(pair.Key, out SortedSet<string>? codes) ? codes.ToArray() : [];
            Assert.True(pair.Value.SequenceEqual(got), $"{pair.Key}: expected {string.Join(", ", pair.Value)}, tsc reported {(got.Length == 0 ? "nothing" : string.Join(", ", got))}\n{result.Output}");
        });
        Assert.Empty(reported.Keys.Except(expected.Keys)); // no error outside the misuse files (the declarations themselves)
    }

    /// <summary>The contracts' build wrote the declarations (the test project builds TypedSocketIo.TestContracts first).</summary>
    private static void AssertDeclarationsWritten()
    {
        string path = Path.Combine(TypeScriptDirectory, "generated", "TypedSocketIo.TestContracts.d.ts");
        Assert.True(File.Exists(path), $"{path} is missing: building tests/TypedSocketIo.TestContracts writes it (GenerateSocketIoTypeScript).");
        string text = File.ReadAllText(path);
        Assert.Contains("export interface ITsClientEvents {", text, StringComparison.Ordinal);
        Assert.Contains("\"say hello\": (name: string) => void;", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^// expect: (?<codes>(TS\d+ ?)+)", RegexOptions.CultureInvariant)]
    private static partial Regex Expect();

    [GeneratedRegex(@"^(?<file>[^\s(]+\.ts)\(\d+,\d+\): error (?<code>TS\d+):", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();
}
