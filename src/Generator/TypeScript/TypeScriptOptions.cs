using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedSocketIo.Generator.TypeScript;

/// <summary>Whether the project asked for TypeScript declarations (the MSBuild property <c>GenerateSocketIoTypeScript</c>).</summary>
internal static class TypeScriptOptions
{
    /// <summary>The MSBuild property, made visible to the compiler by build/TypedSocketIo.props.</summary>
    public const string Property = "build_property.GenerateSocketIoTypeScript";

    public static bool Enabled(AnalyzerConfigOptionsProvider provider) =>
        provider.GlobalOptions.TryGetValue(Property, out string? value) && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);
}
