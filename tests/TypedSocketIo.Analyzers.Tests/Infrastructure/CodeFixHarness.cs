using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using TypedSocketIo.Generator;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>
/// Applies code fixes the way the IDE does, through a workspace (an <see cref="AdhocWorkspace"/>;
/// no MEF: the provider is instantiated directly), and checks the fixed document: its text, that it
/// compiles, and the diagnostics left in it.
/// </summary>
internal static class CodeFixHarness
{
    /// <summary>
    /// Fixes the one diagnostic of <paramref name="markup"/> that <paramref name="provider"/> can fix
    /// and asserts the result is <paramref name="fixedMarkup"/>: the same text, compiling, with
    /// exactly the diagnostics its markup shows still reported.
    /// </summary>
    /// <param name="provider">The code fix.</param>
    /// <param name="markup">The source, with markup for every diagnostic the analyzers report.</param>
    /// <param name="fixedMarkup">The expected fixed source, with markup for the diagnostics left.</param>
    /// <param name="defaultId">The id <c>[|…|]</c> stands for.</param>
    /// <param name="allowedCompilerErrors">Compiler errors the source has before the fix (the fixed source must have none).</param>
    public static Task VerifyAsync(CodeFixProvider provider, string markup, string fixedMarkup, string? defaultId = null, params string[] allowedCompilerErrors) =>
        VerifyAsync(provider, markup, fixedMarkup, defaultId, OutputKind.DynamicallyLinkedLibrary, allowedCompilerErrors);

    /// <summary>As <see cref="VerifyAsync(CodeFixProvider, string, string, string?, string[])"/>, compiling the source as <paramref name="outputKind"/> (a program with top-level statements).</summary>
    public static async Task VerifyAsync(CodeFixProvider provider, string markup, string fixedMarkup, string? defaultId, OutputKind outputKind, params string[] allowedCompilerErrors)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = await OpenAsync(markup, defaultId, allowedCompilerErrors, outputKind);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => provider.FixableDiagnosticIds.Contains(d.Id));
        CodeAction action = await SingleActionAsync(provider, document, diagnostic);
        Document fixedDocument = await ApplyAsync(action, document);
        await AssertFixedAsync(fixedDocument, fixedMarkup, defaultId);
    }

    /// <summary>Asserts that <paramref name="provider"/> offers no fix for any diagnostic of <paramref name="markup"/>.</summary>
    public static async Task VerifyNoFixAsync(CodeFixProvider provider, string markup, string? defaultId = null, params string[] allowedCompilerErrors)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = await OpenAsync(markup, defaultId, allowedCompilerErrors);
        Diagnostic[] fixable = diagnostics.Where(d => provider.FixableDiagnosticIds.Contains(d.Id)).ToArray();
        Assert.NotEmpty(fixable);
        foreach (Diagnostic diagnostic in fixable)
        {
            Assert.Empty(await ActionsAsync(provider, document, diagnostic));
        }
    }

    /// <summary>
    /// Fixes every diagnostic of <paramref name="markup"/> that <paramref name="provider"/> can fix,
    /// in one go through its FixAll provider (document scope), and asserts the result is <paramref name="fixedMarkup"/>.
    /// </summary>
    public static async Task VerifyFixAllAsync(CodeFixProvider provider, string markup, string fixedMarkup, string? defaultId = null, params string[] allowedCompilerErrors)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = await OpenAsync(markup, defaultId, allowedCompilerErrors);
        Diagnostic[] fixable = diagnostics.Where(d => provider.FixableDiagnosticIds.Contains(d.Id)).ToArray();
        Assert.True(fixable.Length >= 2, "A FixAll test needs several diagnostics to fix.");
        CodeAction first = await SingleActionAsync(provider, document, fixable[0]);

        FixAllProvider? fixAll = provider.GetFixAllProvider();
        Assert.NotNull(fixAll);
        Assert.Contains(FixAllScope.Document, fixAll.GetSupportedFixAllScopes());
        var context = new FixAllContext(
            document,
            provider,
            FixAllScope.Document,
            first.EquivalenceKey,
            provider.FixableDiagnosticIds,
            new AnalyzerDiagnosticProvider(),
            CancellationToken.None);
        CodeAction? action = await fixAll.GetFixAsync(context);
        Assert.NotNull(action);
        Document fixedDocument = await ApplyAsync(action, document);
        await AssertFixedAsync(fixedDocument, fixedMarkup, defaultId);
    }

    /// <summary>A workspace with one project holding the source, set up as <see cref="Compilations"/> compiles, the generator included.</summary>
    public static Document CreateDocument(string source, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        ProjectInfo project = ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                name: "Tests",
                assemblyName: "Tests",
                language: LanguageNames.CSharp,
                compilationOptions: Compilations.Options.WithOutputKind(outputKind),
                parseOptions: Compilations.ParseOptions,
                metadataReferences: Compilations.References,
                analyzerReferences: new AnalyzerReference[] { new GeneratorReference() });
        Solution solution = workspace.CurrentSolution
            .AddProject(project)
            .AddDocument(DocumentId.CreateNewId(projectId), Compilations.DefaultPath, SourceText.From(source), filePath: Compilations.DefaultPath);
        Assert.True(workspace.TryApplyChanges(solution), "The workspace did not take the test project.");
        return workspace.CurrentSolution.Projects.Single().Documents.Single();
    }

    private static async Task<(Document Document, ImmutableArray<Diagnostic> Diagnostics)> OpenAsync(
        string markup, string? defaultId, string[] allowedCompilerErrors, OutputKind outputKind = OutputKind.DynamicallyLinkedLibrary)
    {
        (string source, IReadOnlyList<ExpectedDiagnostic> expected) = Markup.Parse(markup, defaultId);
        Document document = CreateDocument(source, outputKind);
        AnalyzerRun run = await AnalyzeAsync(document.Project);
        AnalyzerHarness.AssertCompiles(run.CompilerDiagnostics, allowedCompilerErrors, source);
        AnalyzerHarness.AssertExactly(expected, run.AnalyzerDiagnostics, source);
        return (document, run.AnalyzerDiagnostics);
    }

    private static async Task<AnalyzerRun> AnalyzeAsync(Project project)
    {
        Compilation? compilation = await project.GetCompilationAsync();
        Assert.NotNull(compilation);
        // Sources that declare contracts get generated code; the generator adds nothing to others.
        bool declaresContracts = compilation.SyntaxTrees.Any(t => t.ToString().Contains("SocketIoEvents"));
        Assert.True(!declaresContracts || compilation.SyntaxTrees.Count() > project.Documents.Count(), "The generator did not run in the workspace.");
        return await AnalyzerHarness.RunAsync(compilation, AnalyzerHarness.Analyzers);
    }

    private static async Task<List<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    private static async Task<CodeAction> SingleActionAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        List<CodeAction> actions = await ActionsAsync(provider, document, diagnostic);
        CodeAction action = Assert.Single(actions);
        Assert.False(string.IsNullOrEmpty(action.EquivalenceKey), "A code action needs an equivalence key for FixAll.");
        return action;
    }

    private static async Task<Document> ApplyAsync(CodeAction action, Document document)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        ApplyChangesOperation apply = Assert.IsType<ApplyChangesOperation>(Assert.Single(operations));
        Document? changed = apply.ChangedSolution.GetDocument(document.Id);
        Assert.NotNull(changed);
        return changed;
    }

    private static async Task AssertFixedAsync(Document fixedDocument, string fixedMarkup, string? defaultId)
    {
        (string expectedSource, IReadOnlyList<ExpectedDiagnostic> remaining) = Markup.Parse(fixedMarkup, defaultId);
        string actual = (await fixedDocument.GetTextAsync()).ToString();
        Assert.Equal(expectedSource.ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
        Assert.Equal(expectedSource, actual);

        // The document as the fix left it must be the tree its text parses to: a fix that builds
        // nodes whose text reads right but whose structure is not C# (an identifier holding a dot)
        // leaves a document the compiler does not see as the user does.
        SyntaxNode fixedRoot = (await fixedDocument.GetSyntaxRootAsync())!;
        SyntaxNode parsedRoot = SyntaxFactory.ParseSyntaxTree(actual, Compilations.ParseOptions).GetRoot();
        Assert.True(fixedRoot.IsEquivalentTo(parsedRoot, topLevel: false),
            "The fixed document's syntax tree differs from the tree its text parses to:" + Environment.NewLine + FirstDifference(fixedRoot, parsedRoot));

        AnalyzerRun run = await AnalyzeAsync(fixedDocument.Project);
        AnalyzerHarness.AssertCompiles(run.CompilerDiagnostics, Array.Empty<string>(), actual);
        AnalyzerHarness.AssertExactly(remaining, run.AnalyzerDiagnostics, actual);
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

    /// <summary>The analyzers' diagnostics, for FixAll.</summary>
    private sealed class AnalyzerDiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            SyntaxTree? tree = await document.GetSyntaxTreeAsync(cancellationToken);
            AnalyzerRun run = await AnalyzeAsync(document.Project);
            return run.AnalyzerDiagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
        {
            AnalyzerRun run = await AnalyzeAsync(project);
            return run.AnalyzerDiagnostics.Where(d => !d.Location.IsInSource);
        }

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
        {
            AnalyzerRun run = await AnalyzeAsync(project);
            return run.AnalyzerDiagnostics;
        }
    }

    /// <summary>Hands the source generator to the workspace, which runs it when it compiles the project.</summary>
    private sealed class GeneratorReference : AnalyzerReference
    {
        private readonly ImmutableArray<ISourceGenerator> _generators = ImmutableArray.Create(new SocketIoGenerator().AsSourceGenerator());

        public override string? FullPath => null;

        public override string Display => "TypedSocketIo.Generator";

        public override object Id => typeof(SocketIoGenerator);

        public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzersForAllLanguages() => ImmutableArray<DiagnosticAnalyzer>.Empty;

        public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzers(string language) => ImmutableArray<DiagnosticAnalyzer>.Empty;

        public override ImmutableArray<ISourceGenerator> GetGeneratorsForAllLanguages() => _generators;

        public override ImmutableArray<ISourceGenerator> GetGenerators(string language) => _generators;
    }
}
