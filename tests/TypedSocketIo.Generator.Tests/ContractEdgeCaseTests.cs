using Microsoft.CodeAnalysis;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// Contracts at the edges of what the generator handles, each once a bug: the generator either
/// reports an error on the contract or generates code that compiles, never code that does not.
/// </summary>
public sealed class ContractEdgeCaseTests
{
    private const string Usings = """
        using System;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;

        """;

    [Fact]
    public void A_contract_declared_and_imported_is_generated_once()
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
    public void A_contract_imported_twice_is_generated_once()
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
    public void Overloads_with_distinct_event_names_are_diagnosed_or_compile() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
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
    public void The_same_method_in_two_base_interfaces_is_diagnosed_or_compiles() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
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
    public void An_inaccessible_contract_is_diagnosed_or_compiles(string declaration) => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + "namespace Demo;\n\n" + declaration));

    [Theory]
    [InlineData("Task<int> Confirm(int acks);")]
    [InlineData("Task Confirm(string cancellationToken);")]
    [InlineData("void Set(string _options);")]
    [InlineData("void Set(string _target);")]
    public void A_parameter_named_like_generated_code_is_diagnosed_or_compiles(string method) => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + $$"""
        namespace Demo;

        [SocketIoEvents]
        public interface INames
        {
            {{method}}
        }
        """));

    [Fact]
    public void Contracts_with_the_same_base_name_are_diagnosed_or_compile() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
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
    public void A_line_break_in_an_event_name_is_diagnosed_or_compiles() => AssertDiagnosedOrCompiles(GeneratorHarness.Run(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IBreaks
        {
            [Event("line\nbreak")]
            void Ping();
        }
        """));

    [Fact]
    public void A_namespace_starting_with_System_is_not_the_framework()
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
