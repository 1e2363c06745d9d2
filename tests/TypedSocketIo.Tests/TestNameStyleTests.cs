using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedSocketIo.Tests;

/// <summary>
/// One test-name style across the test projects: a sentence with underscores
/// (<c>Sends_the_ack_once</c>), whose words may name code as it is spelled (<c>MapSocketIo</c>,
/// <c>TSIO006</c>), rather than one PascalCase word (<c>SendsTheAckOnce</c>) or PascalCase words
/// between underscores (<c>Send_TheAck_Once</c>): at least one word is written in lower case.
/// </summary>
public sealed class TestNameStyleTests
{
    [Fact]
    public void Every_test_is_named_as_a_sentence_with_underscores()
    {
        string tests = Path.Combine(RepositoryRoot(), "tests");
        var outliers = new List<string>();
        int count = 0;
        foreach (string file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories))
        {
            string separator = Path.DirectorySeparatorChar.ToString();
            if (file.Contains(separator + "bin" + separator, StringComparison.Ordinal) || file.Contains(separator + "obj" + separator, StringComparison.Ordinal)
                || file.Contains(separator + "node_modules" + separator, StringComparison.Ordinal) || file.Contains(separator + "Baselines" + separator, StringComparison.Ordinal))
            {
                continue;
            }

            SyntaxNode root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (MethodDeclarationSyntax method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                bool isTest = method.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Fact" or "Theory");
                if (!isTest)
                {
                    continue;
                }

                count++;
                string name = method.Identifier.ValueText;
                if (!name.Split('_').Any(word => word.Length > 0 && char.IsLower(word[0])))
                {
                    outliers.Add($"{Path.GetRelativePath(tests, file)}: {name}");
                }
            }
        }

        Assert.True(count > 500, $"Only {count} tests found under {tests}.");
        Assert.True(outliers.Count == 0, "Tests not named as sentences:" + Environment.NewLine + string.Join(Environment.NewLine, outliers));
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedSocketIo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TypedSocketIo.sln not found above " + AppContext.BaseDirectory);
    }
}
