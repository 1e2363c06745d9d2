using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Generator.Tests.Infrastructure;

/// <summary>
/// Generated files checked in as baselines, laid out as Verify.SourceGenerators lays them out:
/// <c>Baselines/{TestClass}.{TestMethod}#{HintName}.verified.cs</c> (the hint name without its
/// <c>.cs</c>). They become the test's <see cref="SolutionState.GeneratedSources"/>, which the test
/// framework compares with what the generator adds. With <c>TYPEDSOCKETIO_UPDATE_BASELINES=1</c>
/// the test skips that comparison and rewrites the test's baselines from the generated files instead.
/// </summary>
internal static class Baselines
{
    public const string UpdateVariable = "TYPEDSOCKETIO_UPDATE_BASELINES";

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true";

    /// <summary>
    /// Runs <paramref name="test"/> expecting the generator to add exactly the files
    /// <paramref name="hintNames"/>, each with the text of its baseline.
    /// </summary>
    /// <param name="test">The test, with its sources and expected diagnostics.</param>
    /// <param name="hintNames">The files the generator adds.</param>
    /// <param name="testFile">The calling test's source file: its class has the file's name, the baselines live beside it.</param>
    /// <param name="testMethod">The calling test.</param>
    public static async Task RunAsync(SocketIoGeneratorTest test, string[] hintNames, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile) ?? "", "Baselines");
        Assert.True(Directory.Exists(directory),
            $"The baseline folder {directory} does not exist: the tests find it from their source path ([CallerFilePath]), so run them from a build of this source tree.");
        string prefix = Path.GetFileNameWithoutExtension(testFile) + "." + testMethod + "#";
        string[] expected = hintNames.Order(StringComparer.Ordinal).ToArray();

        if (Updating)
        {
            test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
            await test.RunAsync();
            Assert.Equal(expected, test.GeneratedNames);
            foreach (string stale in Directory.EnumerateFiles(directory, prefix + "*.verified.cs"))
            {
                File.Delete(stale);
            }

            foreach ((string hintName, string text) in test.Generated)
            {
                File.WriteAllText(Path.Combine(directory, prefix + hintName[..^".cs".Length] + ".verified.cs"), text, new UTF8Encoding(false));
            }

            return;
        }

        string[] baselines = Directory.EnumerateFiles(directory, prefix + "*.verified.cs")
            .Select(path => Path.GetFileName(path)[prefix.Length..^".verified.cs".Length] + ".cs")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.True(expected.SequenceEqual(baselines),
            $"The baselines of {testMethod} are for {string.Join(", ", baselines)}; the test expects {string.Join(", ", expected)}. {Hint}");
        foreach (string hintName in expected)
        {
            string text = File.ReadAllText(Path.Combine(directory, prefix + hintName[..^".cs".Length] + ".verified.cs"));
            test.TestState.GeneratedSources.Add((typeof(SocketIoGenerator), hintName, text.Replace("\r\n", "\n", StringComparison.Ordinal)));
        }

        try
        {
            await test.RunAsync();
        }
        catch (Exception e) when (e.Message.Contains("source generated files", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException(e.Message + Environment.NewLine + Hint, e);
        }
    }

    private static string Hint => $"If the new output is right, refresh the baselines with {UpdateVariable}=1 dotnet test tests/TypedSocketIo.Generator.Tests";
}
