using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator;

/// <summary>
/// The generator's diagnostics, declaration shape of event contracts (TSIO001–099): every descriptor
/// of this assembly, each built by <see cref="Create"/> with its page as help link.
/// </summary>
public static class Descriptors
{
    /// <summary>Where every diagnostic's page lives.</summary>
    public const string HelpLinkBase = DiagnosticHelp.LinkBase;

    /// <summary>[SocketIoEvents] on a type that is not an interface.</summary>
    public const string ContractNotInterfaceId = "TSIO001";

    /// <summary>An event method with a return type events cannot have.</summary>
    public const string UnsupportedReturnTypeId = "TSIO002";

    /// <summary>A ref, out, in or params parameter.</summary>
    public const string UnsupportedParameterId = "TSIO003";

    /// <summary>Two events with the same wire name.</summary>
    public const string DuplicateEventNameId = "TSIO004";

    /// <summary>A property, event, static or generic method in a contract.</summary>
    public const string UnsupportedMemberId = "TSIO005";

    /// <summary>A payload type the named JsonSerializerContext does not know.</summary>
    public const string TypeMissingFromContextId = "TSIO006";

    /// <summary>A CancellationToken that is not the last parameter.</summary>
    public const string CancellationTokenNotLastId = "TSIO007";

    /// <summary>SerializerContext naming a type that is not a JsonSerializerContext.</summary>
    public const string InvalidSerializerContextId = "TSIO008";

    /// <summary>A generic contract interface.</summary>
    public const string GenericContractId = "TSIO009";

    /// <summary>[Event] with an empty name.</summary>
    public const string EmptyEventNameId = "TSIO010";

    /// <summary>Two events whose typed members would have the same name and parameters.</summary>
    public const string DuplicateEventMethodId = "TSIO011";

    /// <summary>A contract the generated code cannot name (private, protected or file-local).</summary>
    public const string InaccessibleContractId = "TSIO012";

    /// <summary>A payload type the TypeScript declarations cannot describe (declared as unknown).</summary>
    public const string UnsupportedTypeScriptPayloadId = "TSIO013";

    private const string Contracts = "TypedSocketIo.Contracts";

    internal static readonly DiagnosticDescriptor ContractNotInterface = Create(ContractNotInterfaceId, Contracts,
        "Event contracts are interfaces",
        "'{0}' is not an interface: [SocketIoEvents] marks an interface whose methods are the events",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor UnsupportedReturnType = Create(UnsupportedReturnTypeId, Contracts,
        "Unsupported event return type",
        "Event '{0}' returns '{1}': an event returns void (no acknowledgement), Task or ValueTask (an empty one), or Task<T> or ValueTask<T> (one carrying a T)",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor UnsupportedParameter = Create(UnsupportedParameterId, Contracts,
        "Unsupported event parameter",
        "Parameter '{0}' of event '{1}' is declared '{2}': event arguments travel by value, without ref, out, in or params",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor DuplicateEventName = Create(DuplicateEventNameId, Contracts,
        "Duplicate event name",
        "Event '{0}' has the wire name '{1}', as '{2}' already has: give one of them another name with [Event(\"…\")]",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor UnsupportedMember = Create(UnsupportedMemberId, Contracts,
        "Unsupported contract member",
        "'{0}' is {1}: an event contract declares only non-generic instance methods, one per event",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor TypeMissingFromContext = Create(TypeMissingFromContextId, Contracts,
        "Payload type missing from the serializer context",
        "'{0}' (in event '{1}') is not known to the JsonSerializerContext '{2}': add [JsonSerializable(typeof({0}))] to it",
        DiagnosticSeverity.Warning);

    internal static readonly DiagnosticDescriptor CancellationTokenNotLast = Create(CancellationTokenNotLastId, Contracts,
        "CancellationToken must come last",
        "Parameter '{0}' of event '{1}' is a CancellationToken but not the last parameter: only a trailing CancellationToken is allowed (it is not sent)",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor InvalidSerializerContext = Create(InvalidSerializerContextId, Contracts,
        "SerializerContext is not a JsonSerializerContext",
        "'{0}' is not a JsonSerializerContext with a static Default instance: name a class declared with [JsonSerializable] attributes and deriving from JsonSerializerContext",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor GenericContract = Create(GenericContractId, Contracts,
        "Event contracts cannot be generic",
        "'{0}' has type parameters: an event contract is a non-generic interface (payload types may be generic)",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor EmptyEventName = Create(EmptyEventNameId, Contracts,
        "Empty event name",
        "[Event] on '{0}' gives an empty name: an event needs a non-empty wire name",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor DuplicateEventMethod = Create(DuplicateEventMethodId, Contracts,
        "Events with the same method signature",
        "Events '{0}' and '{1}' are both methods '{2}' with the same parameters (from {3} and {4}): their typed members would clash; rename one of the methods",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor InaccessibleContract = Create(InaccessibleContractId, Contracts,
        "Contract not accessible to generated code",
        "'{0}' is {1}: the generated code lives beside it in its namespace and needs the contract (and every type containing it) to be public or internal",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor UnsupportedTypeScriptPayload = Create(UnsupportedTypeScriptPayloadId, Contracts,
        "Payload type without a TypeScript declaration",
        "'{0}' (in event '{1}' of {2}) is {3}: the TypeScript declarations give it the type unknown",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string category, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: DiagnosticHelp.Link(id));
}
