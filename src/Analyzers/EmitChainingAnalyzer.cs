using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TypedSocketIo.Analyzers;

/// <summary>
/// TSIO200: a member used on the bool an untyped emit returns — <c>socket.Emit(…).Emit(…)</c>,
/// <c>io.To(r).Emit(…).Emit(…)</c> — which Socket.IO 2 allowed and Socket.IO 3 stopped. Reported
/// whether or not the code compiles, so the message users see explains the change.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EmitChainingAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.EmitChaining);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.SimpleMemberAccessExpression, SyntaxKind.ConditionalAccessExpression);
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        ExpressionSyntax receiver;
        SimpleNameSyntax? member;
        int start;
        switch (context.Node)
        {
            case MemberAccessExpressionSyntax access:
                receiver = access.Expression;
                member = access.Name;
                start = access.OperatorToken.SpanStart;
                break;
            case ConditionalAccessExpressionSyntax conditional:
                receiver = conditional.Expression;
                member = (conditional.WhenNotNull as InvocationExpressionSyntax)?.Expression is MemberBindingExpressionSyntax binding ? binding.Name
                    : (conditional.WhenNotNull as MemberBindingExpressionSyntax)?.Name;
                start = conditional.OperatorToken.SpanStart;
                break;
            default:
                return;
        }

        while (receiver is ParenthesizedExpressionSyntax parenthesized)
        {
            receiver = parenthesized.Expression;
        }

        if (member is null || receiver is not InvocationExpressionSyntax invocation)
        {
            return;
        }

        if (context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol method || !SocketIoSymbols.IsBoolEmit(method))
        {
            return;
        }

        Location location = Location.Create(context.Node.SyntaxTree, TextSpan.FromBounds(start, member.Span.End));
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.EmitChaining, location, member.Identifier.ValueText));
    }
}
