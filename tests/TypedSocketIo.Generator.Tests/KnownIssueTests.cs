using Microsoft.CodeAnalysis;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// Contracts the generator does not handle yet. Each test states the behaviour wanted — the
/// generator either reports an error on the contract or generates code that compiles — and is
/// skipped until the generator is fixed: remove the Skip with the fix.
/// </summary>
public sealed class KnownIssueTests
{
    private const string Usings = """
        using System;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;

        """;

    [Fact]
    public void ContractDeclaredAndImportedIsGeneratedOnce()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [assembly: SocketIoContracts(typeof(Demo.IChatEvents))]

            namespace Demo;

            [SocketIoEvents]
            public interface IChatEvents
            {
                void Message(string text);
            }
            """);

        run.AssertCleanAndCompiles();
        Assert.Equal(new[] { "Demo.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ContractImportedTwiceIsGeneratedOnce()
    {
        MetadataReference shared = GeneratorHarness.MetadataOnlyReference("""
            namespace Shared;

            public interface IChatEvents
            {
                void Message(string text);
            }
            """, "Shared");

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(
            new[]
            {
                new SourceFile("One.cs", "[assembly: TypedSocketIo.SocketIoContracts(typeof(Shared.IChatEvents))]"),
                new SourceFile("Two.cs", "[assembly: TypedSocketIo.SocketIoContracts(typeof(Shared.IChatEvents))]"),
            },
            new[] { shared }));

        run.AssertCleanAndCompiles();
        Assert.Equal(new[] { "Shared.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OverloadsWithDistinctEventNames() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IOverloads
        {
            [Event("send text")]
            void Send(string text);

            [Event("send number")]
            void Send(int number);
        }
        """));

    [Fact]
    public void SameMethodInTwoBaseInterfaces() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
        namespace Demo;

        public interface IFirst
        {
            [Event("first ping")]
            void Ping();
        }

        public interface ISecond
        {
            [Event("second ping")]
            void Ping();
        }

        [SocketIoEvents]
        public interface IBoth : IFirst, ISecond
        {
        }
        """));

    [Theory]
    [InlineData("public class Outer { [SocketIoEvents] private interface IHidden { void Ping(); } }")]
    [InlineData("public class Outer { [SocketIoEvents] protected interface IHidden { void Ping(); } }")]
    [InlineData("[SocketIoEvents] file interface IHidden { void Ping(); }")]
    public void InaccessibleContract(string declaration) => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + "namespace Demo;\n\n" + declaration));

    [Theory]
    [InlineData("Task<int> Confirm(int acks);")]
    [InlineData("Task Confirm(string cancellationToken);")]
    [InlineData("void Set(string _options);")]
    [InlineData("void Set(string _target);")]
    public void ParameterNamedLikeGeneratedCode(string method) => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + $$"""
        namespace Demo;

        [SocketIoEvents]
        public interface INames
        {
            {{method}}
        }
        """));

    [Fact]
    public void ContractsWithTheSameBaseName() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IChat
        {
            void Ping();
        }

        [SocketIoEvents]
        public interface Chat
        {
            void Pong();
        }
        """));

    [Fact]
    public void LineBreakInEventName() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IBreaks
        {
            [Event("line\nbreak")]
            void Ping();
        }
        """));

    [Fact]
    public void NamespaceStartingWithSystemIsNotTheFramework()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            namespace SystemsLab.Chat;

            public sealed record Known(string Name, Nested Inner);

            public sealed record Nested(int Value);

            [JsonSerializable(typeof(Known))]
            public sealed partial class AppJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
            public interface IStrict
            {
                void Send(Known known, Nested nested);
            }
            """, withJsonGenerator: true);

        Assert.Empty(run.Diagnostics);
        run.AssertCleanAndCompiles();
    }

    private static void AssertDiagnosedOrCompiles(GeneratorRun run)
    {
        Assert.Null(run.Result.Exception);
        if (run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("TSIO", StringComparison.Ordinal)))
        {
            return;
        }

        run.AssertCleanAndCompiles();
    }
}
