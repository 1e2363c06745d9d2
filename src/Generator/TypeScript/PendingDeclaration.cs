namespace TypedSocketIo.Generator.TypeScript;

/// <summary>A declaration being built, with the type it comes from (its name is given once all are known).</summary>
internal sealed class PendingDeclaration(Microsoft.CodeAnalysis.INamedTypeSymbol type, string suffix)
{
    public Microsoft.CodeAnalysis.INamedTypeSymbol Type { get; } = type;

    /// <summary>Added to the type's name: <c>Base</c> for the own fields of a polymorphic type, whose name goes to the union.</summary>
    public string Suffix { get; } = suffix;

    public TypeScriptDeclaration Declaration { get; set; } = null!;
}
