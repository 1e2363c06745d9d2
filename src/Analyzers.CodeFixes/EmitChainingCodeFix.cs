using System.Collections.Generic;
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

/// <summary>
/// TSIO200: splits <c>target.Emit(a).Emit(b);</c> into <c>target.Emit(a); target.Emit(b);</c> —
/// one statement per emit, each on the original target.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(EmitChainingCodeFix)), Shared]
public sealed class EmitChainingCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.EmitChainingId);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            ExpressionStatementSyntax? statement = root?.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ExpressionStatementSyntax>().FirstOrDefault();
            if (statement is null || statement.Parent is not (BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax) || Split(statement.Expression) is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Emit once per statement", ct => FixAsync(context.Document, statement, ct), equivalenceKey: nameof(EmitChainingCodeFix)),
                diagnostic);
        }
    }

    /// <summary>
    /// The target and the calls of a chain <c>target.M1(…).M2(…)…</c> made only of invocations,
    /// or null when the statement is something else.
    /// </summary>
    private static (ExpressionSyntax Target, List<(SimpleNameSyntax Name, ArgumentListSyntax Arguments)> Calls)? Split(ExpressionSyntax expression)
    {
        var calls = new List<(SimpleNameSyntax Name, ArgumentListSyntax Arguments)>();
        ExpressionSyntax current = expression;
        while (current is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } invocation)
        {
            calls.Insert(0, (access.Name, invocation.ArgumentList));
            current = access.Expression;
            if (current is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax inner } || !IsEmitName(inner.Name.Identifier.ValueText))
            {
                break;
            }
        }

        return calls.Count >= 2 && calls.All(c => IsEmitName(c.Name.Identifier.ValueText)) ? (current, calls) : null;
    }

    private static bool IsEmitName(string name) => name is "Emit" or "Send" or "Write" or "ServerSideEmit";

    private static async Task<Document> FixAsync(Document document, ExpressionStatementSyntax statement, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        (ExpressionSyntax target, List<(SimpleNameSyntax Name, ArgumentListSyntax Arguments)> calls) = Split(statement.Expression)!.Value;
        SyntaxTriviaList leading = statement.GetLeadingTrivia();
        SyntaxTriviaList indent = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(leading.Last()) : SyntaxFactory.TriviaList();
        ExpressionSyntax bareTarget = target.WithoutTrivia();
        var statements = new List<StatementSyntax>();
        for (int i = 0; i < calls.Count; i++)
        {
            InvocationExpressionSyntax call = SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, i == 0 ? target.WithoutTrailingTrivia() : bareTarget, calls[i].Name.WithoutTrivia()),
                calls[i].Arguments.WithoutTrailingTrivia());
            ExpressionStatementSyntax split = SyntaxFactory.ExpressionStatement(i == 0 ? call.WithLeadingTrivia(SyntaxFactory.TriviaList()) : call)
                .WithLeadingTrivia(i == 0 ? leading : indent)
                .WithTrailingTrivia(i == calls.Count - 1 ? statement.GetTrailingTrivia() : statement.GetTrailingTrivia().Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).Take(1).DefaultIfEmpty(SyntaxFactory.EndOfLine("\n")));
            statements.Add(split);
        }

        // A top-level statement is wrapped in a GlobalStatementSyntax: replace that, one per emit.
        return statement.Parent is GlobalStatementSyntax global
            ? document.WithSyntaxRoot(root.ReplaceNode(global, statements.Select(SyntaxFactory.GlobalStatement)))
            : document.WithSyntaxRoot(root.ReplaceNode(statement, statements));
    }
}
