namespace TypedSocketIo.Generator.TypeScript;

/// <summary>
/// What the TypeScript declarations of one assembly are made of: its contracts (the generator's own
/// <see cref="ContractSpec"/> models, with the TypeScript type of each argument and acknowledgement)
/// and the payload types they reach. Types are already written as TypeScript text: strings only, so
/// the model stays equatable and the pipeline cacheable.
/// </summary>
internal sealed record TypeScriptModel(
    string AssemblyName,
    EquatableArray<TypeScriptContract> Contracts,
    EquatableArray<TypeScriptDeclaration> Declarations,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One contract: the generator's model of it, and its TypeScript name.</summary>
internal sealed record TypeScriptContract(ContractSpec Spec, string Name, EquatableArray<TypeScriptEvent> Events);

/// <summary>
/// One event of <see cref="TypeScriptContract.Spec"/> (same index): the TypeScript type of each sent
/// argument (<see cref="EventSpec.Parameters"/>, same order) and of the acknowledgement's value.
/// </summary>
internal sealed record TypeScriptEvent(EquatableArray<string> ParameterTypes, string? ResultType);

/// <summary>What a payload type becomes.</summary>
internal enum DeclarationKind
{
    /// <summary>An object: <c>export interface Name&lt;T&gt; extends Base { … }</c>.</summary>
    Interface,

    /// <summary>An enum or another alias: <c>export type Name = …;</c>.</summary>
    Alias,
}

/// <summary>One payload type's declaration.</summary>
/// <param name="Name">The TypeScript name.</param>
/// <param name="CSharpName">The C# type it comes from, for the comment above it.</param>
/// <param name="TypeParameters">Its type parameters (generic payload types stay generic).</param>
/// <param name="Extends">The declared base types, as TypeScript (interfaces).</param>
/// <param name="Properties">Its JSON properties (interfaces).</param>
/// <param name="AliasOf">The aliased type (aliases).</param>
/// <param name="HasExtensionData">Whether unknown properties are kept ([JsonExtensionData]).</param>
internal sealed record TypeScriptDeclaration(
    DeclarationKind Kind,
    string Name,
    string CSharpName,
    EquatableArray<string> TypeParameters,
    EquatableArray<string> Extends,
    EquatableArray<TypeScriptProperty> Properties,
    string? AliasOf,
    bool HasExtensionData);

/// <summary>One JSON property: its name as written, its type, and whether it may be left out.</summary>
internal sealed record TypeScriptProperty(string Name, string Type, bool Optional);
