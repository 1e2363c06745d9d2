namespace TypedSocketIo.Generator;

/// <summary>One event contract, as the emitter needs it: only strings, numbers and arrays of them.</summary>
internal sealed record ContractSpec(
    string Namespace,
    string FullName,
    string BaseName,
    string Accessibility,
    string? ContextType,
    EquatableArray<EventSpec> Events);

/// <summary>What an event method returns.</summary>
internal enum ReturnKind
{
    Void,
    Task,
    ValueTask,
    TaskOfT,
    ValueTaskOfT,
}

/// <summary>How a value travels: JSON, or as a binary attachment.</summary>
internal enum BinaryKind
{
    None,
    ByteArray,
    ReadOnlyMemory,
}

/// <summary>One event: its wire name and the method it comes from.</summary>
internal sealed record EventSpec(
    string WireName,
    string MethodName,
    string DeclaringInterface,
    ReturnKind Return,
    string? ResultType,
    BinaryKind ResultBinary,
    EquatableArray<ParameterSpec> Parameters,
    string? CancellationTokenName)
{
    public bool ExpectsAck => Return != ReturnKind.Void;
}

/// <summary>One argument of an event.</summary>
/// <param name="Name">The parameter name, escaped when it is a keyword.</param>
/// <param name="Type">The type as declared (nullable annotations kept), fully qualified.</param>
/// <param name="JsonType">The type for JSON metadata (reference nullability dropped).</param>
internal sealed record ParameterSpec(string Name, string Type, string JsonType, BinaryKind Binary);

/// <summary>The result of parsing one contract: the model (null when it has errors) and its diagnostics.</summary>
internal sealed record ParseResult(ContractSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
