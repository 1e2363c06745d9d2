namespace TypedSocketIo;

/// <summary>
/// Where a diagnostic's page lives: docs/diagnostics/TSIOnnn.md. Linked into the generator and the
/// analyzers, whose descriptor catalogues (each assembly's <c>Descriptors</c>) are the only places
/// that build a descriptor, always through this link.
/// </summary>
internal static class DiagnosticHelp
{
    /// <summary>The folder of the diagnostic pages.</summary>
    public const string LinkBase = "https://github.com/TypedSocketIo/TypedSocketIo/blob/main/docs/diagnostics/";

    /// <summary>The page of the diagnostic <paramref name="id"/>.</summary>
    public static string Link(string id) => LinkBase + id + ".md";
}
