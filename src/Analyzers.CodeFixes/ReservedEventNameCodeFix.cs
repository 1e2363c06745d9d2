using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedSocketIo.Analyzers;

/// <summary>TSIO100 in a contract: gives the event another wire name with <c>[Event("…")]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReservedEventNameCodeFix)), Shared]
public sealed class ReservedEventNameCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.ReservedEventNameId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>The wire name proposed instead of a reserved one.</summary>
    public static string Replacement(string wireName) => wireName + "Event";

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is null || !diagnostic.Properties.TryGetValue(ReservedEventNameAnalyzer.WireNameProperty, out string? wireName) || wireName is null)
            {
                continue; // a name passed to the untyped API: no single right replacement
            }

            MethodDeclarationSyntax? method = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (method is null)
            {
                continue;
            }

            string replacement = Replacement(wireName);
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Send it as \"{replacement}\" with [Event]",
                    ct => RenameAsync(context.Document, method, replacement, ct),
                    equivalenceKey: nameof(ReservedEventNameCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> RenameAsync(Document document, MethodDeclarationSyntax method, string wireName, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        SemanticModel model = (await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        AttributeArgumentSyntax argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(wireName)));

        // Replace the name of an existing [Event], else add one.
        AttributeSyntax? existing = method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
            model.GetSymbolInfo(a, cancellationToken).Symbol?.ContainingType?.ToDisplayString() == SocketIoSymbols.EventAttribute);
        MethodDeclarationSyntax updated;
        if (existing is not null)
        {
            updated = method.ReplaceNode(existing, existing.WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(argument))));
        }
        else
        {
            // [Event("…")] on its own line above the method, after its doc comment, at its indentation.
            SyntaxTriviaList leading = method.GetLeadingTrivia();
            SyntaxTriviaList indent = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
                ? SyntaxFactory.TriviaList(leading.Last())
                : SyntaxFactory.TriviaList();
            AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(EventAttributeName(model, method.SpanStart)))
                        .WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(argument)))))
                .WithLeadingTrivia(leading)
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(NewLine(root)));
            updated = method.WithLeadingTrivia(indent);
            updated = updated.WithAttributeLists(updated.AttributeLists.Insert(0, list));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(method, updated));
    }

    private static string NewLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString() is { Length: > 0 } newLine ? newLine : "\n";

    /// <summary><c>Event</c> when <c>TypedSocketIo</c> is in scope there, else the qualified name.</summary>
    private static string EventAttributeName(SemanticModel model, int position) =>
        model.LookupNamespacesAndTypes(position, name: "EventAttribute").Any(s => s.ToDisplayString() == SocketIoSymbols.EventAttribute)
            ? "Event"
            : "TypedSocketIo.Event";
}
