using Microsoft.CodeAnalysis;

namespace TypedSocketIo.Generator;

/// <summary>
/// A diagnostic as the pipeline caches it: equatable, holding no syntax tree, symbol or compilation
/// (its location is a <see cref="LocationInfo"/>), and turned into a <see cref="Diagnostic"/> only when
/// it is reported.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    /// <summary>The diagnostic to report, at the location it was found.</summary>
    public Diagnostic ToDiagnostic()
    {
        object[]? arguments = null;
        if (Arguments.Count > 0)
        {
            arguments = new object[Arguments.Count];
            for (int i = 0; i < arguments.Length; i++)
            {
                arguments[i] = Arguments[i];
            }
        }

        return Diagnostic.Create(Descriptor, Location?.ToLocation(), arguments);
    }

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor, LocationInfo.From(location), new EquatableArray<string>(arguments));
}
