using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// A code-fix test (Microsoft.CodeAnalysis.Testing) with every TypedSocketIo analyzer: the fix is
/// applied one diagnostic at a time and through its FixAll provider (document, project and solution
/// scopes), each result must read as <see cref="CodeFixTest{TVerifier}.FixedCode"/>, compile, and
/// report exactly the diagnostics its markup shows; and every fixed document's syntax tree must be
/// the one its text parses to.
/// </summary>
internal sealed class SocketIoCodeFixTest<TCodeFix> : CSharpCodeFixTest<ReservedEventNameAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    public SocketIoCodeFixTest(string? defaultId = null)
    {
        DefaultId = defaultId;
        ReferenceAssemblies = TestReferences.Offline;
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestSetup.Apply(TestState, null);
    }

    /// <summary>The id <c>[|…|]</c> stands for.</summary>
    public string? DefaultId { get; }

    /// <summary>Fixes <paramref name="markup"/> into <paramref name="fixedMarkup"/>, one by one and all at once.</summary>
    public static Task VerifyAsync(string markup, string fixedMarkup, string? defaultId = null, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary, CodeFixTestBehaviors behaviors = CodeFixTestBehaviors.None)
    {
        var test = new SocketIoCodeFixTest<TCodeFix>(defaultId) { TestCode = markup, FixedCode = fixedMarkup };
        test.CodeFixTestBehaviors |= behaviors;
        test.TestState.OutputKind = outputKind;
        return test.RunAsync();
    }

    /// <summary>
    /// Asserts that <typeparamref name="TCodeFix"/> offers no action for any diagnostic of
    /// <paramref name="markup"/> (which must have some it can fix): the text stays as it is, and no
    /// action was even registered.
    /// </summary>
    public static async Task VerifyNoFixAsync(string markup, string? defaultId = null)
    {
        var test = new SocketIoCodeFixTest<TCodeFix>(defaultId) { TestCode = markup, FixedCode = markup };
        await test.RunAsync();
        Assert.True(test._asked > 0, "The code fix was never asked: the source has no diagnostic it fixes.");
        Assert.Equal(0, test._offered);
    }

    private int _asked;
    private int _offered;

    protected override CodeFixContext CreateCodeFixContext(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics, Action<Microsoft.CodeAnalysis.CodeActions.CodeAction, System.Collections.Immutable.ImmutableArray<Diagnostic>> registerCodeFix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _asked);
        return base.CreateCodeFixContext(document, span, diagnostics, (action, fixes) =>
        {
            Interlocked.Increment(ref _offered);
            registerCodeFix(action, fixes);
        }, cancellationToken);
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => TestSetup.Analyzers;

    protected override IEnumerable<Type> GetSourceGenerators() => TestSetup.Generators;

    protected override DiagnosticDescriptor? GetDefaultDiagnostic(DiagnosticAnalyzer[] analyzers) => TestSetup.Default(DefaultId);

    protected override CompilationOptions CreateCompilationOptions() => TestSetup.WithNullable(base.CreateCompilationOptions());

    protected override ParseOptions CreateParseOptions() => TestSetup.ParseOptions;

    /// <summary>
    /// Every project compiled, the fixed ones included: a fix that builds nodes whose text reads right
    /// but whose structure is not C# (an identifier holding a dot) leaves a document the compiler
    /// does not see as the user does.
    /// </summary>
    protected override async Task<(Compilation compilation, System.Collections.Immutable.ImmutableArray<Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
    {
        foreach (Document document in project.Documents)
        {
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken))!;
            string text = (await document.GetTextAsync(cancellationToken)).ToString();
            SyntaxNode parsed = SyntaxFactory.ParseSyntaxTree(text, (CSharpParseOptions)project.ParseOptions!, cancellationToken: cancellationToken).GetRoot(cancellationToken);
            verifier.True(root.IsEquivalentTo(parsed, topLevel: false), $"The syntax tree of {document.Name} differs from the tree its text parses to: {FirstDifference(root, parsed)}");
        }

        return await base.GetProjectCompilationAsync(project, verifier, cancellationToken);
    }

    private static string FirstDifference(SyntaxNode fixedRoot, SyntaxNode parsedRoot)
    {
        List<SyntaxNodeOrToken> left = fixedRoot.DescendantNodesAndTokensAndSelf().ToList();
        List<SyntaxNodeOrToken> right = parsedRoot.DescendantNodesAndTokensAndSelf().ToList();
        for (int i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            if (left[i].RawKind != right[i].RawKind)
            {
                return $"at \"{left[i]}\": the fix made {(SyntaxKind)left[i].RawKind}, the text parses to {(SyntaxKind)right[i].RawKind}";
            }
        }

        return $"{left.Count} nodes and tokens against {right.Count}";
    }
}
