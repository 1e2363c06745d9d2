using System.Runtime.CompilerServices;
using System.Text;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// Compares generated files with checked-in baselines, laid out as Verify.SourceGenerators lays them
/// out: <c>Baselines/{TestClass}.{TestMethod}#{HintName}.verified.cs</c> (the hint name without its
/// <c>.cs</c>). A mismatch writes <c>.received.cs</c> beside the baseline and fails; with
/// <c>TYPEDSOCKETIO_UPDATE_BASELINES=1</c> the baselines are rewritten instead.
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "TYPEDSOCKETIO_UPDATE_BASELINES";

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true";

    /// <summary>Checks every file of <paramref name="files"/> against its baseline, and that no baseline of the test is left over.</summary>
    /// <param name="files">The generated files.</param>
    /// <param name="testFile">The calling test's source file: its class has the file's name, the baselines live beside it.</param>
    /// <param name="testMethod">The calling test.</param>
    public static void Verify(IReadOnlyList<GeneratedFile> files, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        Assert.NotEmpty(files);
        string directory = Directory(testFile);
        string prefix = Path.GetFileNameWithoutExtension(testFile) + "." + testMethod + "#";
        var failures = new List<string>();
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (GeneratedFile file in files)
        {
            string stem = file.HintName.EndsWith(".cs", StringComparison.Ordinal) ? file.HintName[..^3] : file.HintName;
            string verified = Path.Combine(directory, prefix + stem + ".verified.cs");
            string received = Path.Combine(directory, prefix + stem + ".received.cs");
            expectedFiles.Add(Path.GetFileName(verified));
            string actual = Normalize(file.Text);
            string? expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
            if (expected == actual)
            {
                File.Delete(received);
                continue;
            }

            if (Updating)
            {
                File.WriteAllText(verified, actual, new UTF8Encoding(false));
                File.Delete(received);
                continue;
            }

            File.WriteAllText(received, actual, new UTF8Encoding(false));
            failures.Add(expected is null
                ? $"No baseline {Path.GetFileName(verified)} for the generated {file.HintName}; the output is in {received}."
                : $"{file.HintName} differs from {Path.GetFileName(verified)}: {FirstDifference(expected, actual)}{Environment.NewLine}  diff -u '{verified}' '{received}'");
        }

        foreach (string stale in System.IO.Directory.EnumerateFiles(directory, prefix + "*.verified.cs"))
        {
            if (expectedFiles.Contains(Path.GetFileName(stale)))
            {
                continue;
            }

            if (Updating)
            {
                File.Delete(stale);
            }
            else
            {
                failures.Add($"{Path.GetFileName(stale)} has no generated file any more (generated: {string.Join(", ", files.Select(f => f.HintName))}).");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, failures) + Environment.NewLine +
                $"If the new output is right, accept it with {UpdateVariable}=1 dotnet test tests/TypedSocketIo.Generator.Tests");
        }
    }

    /// <summary>The Baselines folder beside the test's source file (the source tree, not the output folder).</summary>
    private static string Directory(string testFile)
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile) ?? "", "Baselines");
        Assert.True(System.IO.Directory.Exists(directory),
            $"The baseline folder {directory} does not exist: the tests find it from their source path ([CallerFilePath]), so run them from a build of this source tree.");
        return directory;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FirstDifference(string expected, string actual)
    {
        string[] left = expected.Split('\n');
        string[] right = actual.Split('\n');
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string? l = i < left.Length ? left[i] : null;
            string? r = i < right.Length ? right[i] : null;
            if (l != r)
            {
                return $"line {i + 1}{Environment.NewLine}  - {l ?? "(end of file)"}{Environment.NewLine}  + {r ?? "(end of file)"}";
            }
        }

        return "identical lines, different text";
    }
}
