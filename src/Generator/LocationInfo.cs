using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TypedSocketIo.Generator;

/// <summary>
/// A source location without its syntax tree: the file path, the text span and the line span, all
/// values, so a model holding it stays equatable and keeps no compilation alive.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>The location to report: the same file, span and lines.</summary>
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    /// <summary>The parts of <paramref name="location"/> a diagnostic needs, or null when it is not in source.</summary>
    public static LocationInfo? From(Location? location) =>
        location is null || !location.IsInSource ? null : new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
