using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Analyzers;

/// <summary>
/// The analyzers' diagnostics, event names (TSIO100–199) and emit usage (TSIO200–299): every
/// descriptor of this assembly and of the code fixes, each built by <see cref="Create"/> with its
/// page as help link.
/// </summary>
public static class Descriptors
{
    /// <summary>Where every diagnostic's page lives.</summary>
    public const string HelpLinkBase = DiagnosticHelp.LinkBase;

    /// <summary>A reserved event name.</summary>
    public const string ReservedEventNameId = "TSIO100";

    /// <summary>A member used on the bool that Emit returns.</summary>
    public const string EmitChainingId = "TSIO200";

    /// <summary>A broadcast expecting acknowledgements without a timeout.</summary>
    public const string BroadcastAckWithoutTimeoutId = "TSIO201";

    /// <summary>An acknowledgement expected from a volatile emit.</summary>
    public const string VolatileAckId = "TSIO202";

    /// <summary>An untyped emit or handler for an event the typed contract declares.</summary>
    public const string UntypedDeclaredEventId = "TSIO203";

    /// <summary>An untyped emit or handler for an event the typed contract does not declare.</summary>
    public const string UntypedUndeclaredEventId = "TSIO204";

    /// <summary>Blocking on an acknowledgement inside a handler.</summary>
    public const string BlockingAckId = "TSIO205";

    private const string EventNames = "TypedSocketIo.EventNames";
    private const string Usage = "TypedSocketIo.Usage";

    internal static readonly DiagnosticDescriptor ReservedEventName = Create(ReservedEventNameId, EventNames,
        "Reserved event name",
        "'{0}' is a reserved event name: Socket.IO uses it for its own events and never delivers it as an application event{1}",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor EmitChaining = Create(EmitChainingId, Usage,
        "Emit returns bool: it cannot be chained",
        "'{0}' is used on the bool that Emit returns: since Socket.IO 3, emit returns a bool and cannot be chained; emit once per statement",
        DiagnosticSeverity.Error);

    internal static readonly DiagnosticDescriptor BroadcastAckWithoutTimeout = Create(BroadcastAckWithoutTimeoutId, Usage,
        "Broadcast acknowledgements need a timeout",
        "This broadcast expects acknowledgements but has no Timeout(…): Socket.IO requires one for broadcast acks, and EmitWithAck throws InvalidOperationException without it",
        DiagnosticSeverity.Warning);

    internal static readonly DiagnosticDescriptor VolatileAck = Create(VolatileAckId, Usage,
        "Acknowledgement expected from a volatile emit",
        "This emit is Volatile and expects an acknowledgement: a volatile packet is dropped when the transport is not ready, so the acknowledgement may never arrive",
        DiagnosticSeverity.Warning);

    internal static readonly DiagnosticDescriptor UntypedDeclaredEvent = Create(UntypedDeclaredEventId, Usage,
        "Use the typed member",
        "'{0}' is declared by the contract {1} as {2}: use the typed member instead of the untyped {3}",
        DiagnosticSeverity.Warning);

    internal static readonly DiagnosticDescriptor UntypedUndeclaredEvent = Create(UntypedUndeclaredEventId, Usage,
        "Event not in the typed contract",
        "'{0}' is not an event of the contract {1}: it is likely a typo (its events: {2})",
        DiagnosticSeverity.Warning);

    internal static readonly DiagnosticDescriptor BlockingAck = Create(BlockingAckId, Usage,
        "Blocking on an acknowledgement inside a handler",
        "'{0}' blocks a Socket.IO handler until an acknowledgement arrives, which risks a deadlock and starves the thread pool: make the handler async and await it",
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string category, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: DiagnosticHelp.Link(id));
}
