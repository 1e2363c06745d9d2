using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedSocketIo.Client.Tests;

/// <summary>
/// <c>EmitWithAck("ev", 1500, cancellationToken)</c> must not compile on any emitter, client or
/// server: with a <c>params</c> argument list it bound the token as one more event argument (which
/// the JSON serializer then refused at run time). The arguments of an acknowledged emit are an
/// array, and the token is its own parameter.
/// </summary>
public sealed class EmitWithAckOverloadTests
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path)),
    ]);

    /// <summary>Every acknowledged emit of the untyped API, client and server; <c>{0}</c> is where the arguments go.</summary>
    public static TheoryData<string> Emitters => new()
    {
        "client.EmitWithAck(\"ev\"{0})",
        "client.Timeout(TimeSpan.FromSeconds(1)).EmitWithAck(\"ev\"{0})",
        "client.Volatile.EmitWithAck(\"ev\"{0})",
        "socket.EmitWithAck(\"ev\"{0})",
        "socket.Timeout(TimeSpan.FromSeconds(1)).EmitWithAck(\"ev\"{0})",
        "io.Timeout(TimeSpan.FromSeconds(1)).EmitWithAck(\"ev\"{0})",
        "nsp.To(\"room\").Timeout(TimeSpan.FromSeconds(1)).EmitWithAck(\"ev\"{0})",
        "socket.Broadcast.Timeout(TimeSpan.FromSeconds(1)).EmitWithAck(\"ev\"{0})",
        "nsp.ServerSideEmitWithAck(\"ev\"{0})",
    };

    [Theory]
    [MemberData(nameof(Emitters))]
    public void A_token_after_loose_arguments_does_not_compile(string emitter)
    {
        foreach (string args in new[] { ", 1500, ct", ", 1500, \"two\", ct", ", ct, 1500" })
        {
            ImmutableArray<Diagnostic> errors = Compile(string.Format(System.Globalization.CultureInfo.InvariantCulture, emitter, args));
            Assert.True(errors.Any(e => e.Id is "CS1503" or "CS1501"),
                $"{string.Format(System.Globalization.CultureInfo.InvariantCulture, emitter, args)} compiles: {string.Join("; ", errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(Emitters))]
    public void Arguments_in_an_array_and_a_token_compile(string emitter)
    {
        foreach (string args in new[] { "", ", ct", ", [1500]", ", [1500, \"two\"], ct", ", [], ct", ", args", ", args, ct" })
        {
            ImmutableArray<Diagnostic> errors = Compile(string.Format(System.Globalization.CultureInfo.InvariantCulture, emitter, args));
            Assert.True(errors.IsEmpty, $"{string.Format(System.Globalization.CultureInfo.InvariantCulture, emitter, args)}: {string.Join("; ", errors)}");
        }
    }

    private static ImmutableArray<Diagnostic> Compile(string call)
    {
        string source = $$"""
            using System;
            using System.Threading;
            using TypedSocketIo.Client;
            using TypedSocketIo.Server;

            public static class Use
            {
                public static object Run(SocketIoClient client, Socket socket, Namespace nsp, SocketIoServer io, object?[] args, CancellationToken ct) =>
                    {{call}};
            }
            """;
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }
}
