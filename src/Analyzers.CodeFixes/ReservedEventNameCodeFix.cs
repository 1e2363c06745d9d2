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
        string literal = SyntaxFactory.Literal(wireName).Text;

        // Replace the name of an existing [Event], else add one.
        AttributeSyntax? existing = method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
            model.GetSymbolInfo(a, cancellationToken).Symbol?.ContainingType?.ToDisplayString() == SocketIoSymbols.EventAttribute);
        MethodDeclarationSyntax updated;
        if (existing is not null)
        {
            AttributeSyntax renamed = ParseAttributeList($"[Event({literal})]").Attributes[0];
            updated = method.ReplaceNode(existing, existing.WithArgumentList(renamed.ArgumentList));
        }
        else
        {
            // [Event("…")] on its own line above the method, after its doc comment, at its indentation.
            // Parsed rather than built with SyntaxFactory: parsed trivia is not elastic, so the
            // formatter leaves the file's own indentation (tabs or spaces) alone.
            SyntaxTriviaList leading = method.GetLeadingTrivia();
            SyntaxTriviaList indent = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
                ? SyntaxFactory.TriviaList(leading.Last())
                : SyntaxFactory.TriviaList();
            AttributeListSyntax list = ParseAttributeList($"[{EventAttributeName(model, method.SpanStart)}({literal})]")
                .WithLeadingTrivia(leading)
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(NewLine(root)));
            updated = method.WithLeadingTrivia(indent);
            updated = updated.WithAttributeLists(updated.AttributeLists.Insert(0, list));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(method, updated));
    }

    private static AttributeListSyntax ParseAttributeList(string text) =>
        ((MemberDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(text + " void M();")!).AttributeLists[0];

    private static string NewLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString() is { Length: > 0 } newLine ? newLine : "\n";

    /// <summary>
    /// <c>Event</c> when that short name binds to TypedSocketIo's attribute there and nothing else
    /// (another imported <c>EventAttribute</c> or <c>Event</c> attribute would make it ambiguous),
    /// else the qualified name.
    /// </summary>
    private static string EventAttributeName(SemanticModel model, int position)
    {
        INamedTypeSymbol? ours = model.Compilation.GetTypeByMetadataName(SocketIoSymbols.EventAttribute);
        var withSuffix = model.LookupNamespacesAndTypes(position, name: "EventAttribute");
        var bare = model.LookupNamespacesAndTypes(position, name: "Event");
        bool shortNameIsOurs = ours is not null
            && withSuffix.Length == 1 && SymbolEqualityComparer.Default.Equals(withSuffix[0], ours)
            && !bare.Any(IsAttributeClass);
        if (shortNameIsOurs)
        {
            return "Event";
        }

        var root = model.LookupNamespacesAndTypes(position, name: "TypedSocketIo");
        bool rootIsOurs = root.Length == 1 && root[0] is INamespaceSymbol { ContainingNamespace.IsGlobalNamespace: true };
        return rootIsOurs ? "TypedSocketIo.Event" : "global::TypedSocketIo.Event";
    }

    private static bool IsAttributeClass(ISymbol symbol)
    {
        for (INamedTypeSymbol? type = (symbol as INamedTypeSymbol)?.BaseType; type is not null; type = type.BaseType)
        {
            if (type.ToDisplayString() == "System.Attribute")
            {
                return true;
            }
        }

        return false;
    }
}
