using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// Contracts at the edges of what the generator handles, each once a bug: the generator either
/// reports an error on the contract or generates code that compiles, never code that does not.
/// Each test says which: the errors marked where they are reported, or none and no compiler
/// error or warning in the sources with the generated code.
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
    public async Task A_contract_declared_and_imported_is_generated_once()
    {
        var test = new SocketIoGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = Usings + """
            [assembly: SocketIoContracts(typeof(Demo.IChatEvents))]

            namespace Demo;

            [SocketIoEvents]
            public interface IChatEvents
            {
                void Message(string text);
            }
            """ };

        await test.RunAsync();

        Assert.Equal(new[] { "Demo.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, test.GeneratedNames);
    }

    [Fact]
    public async Task A_contract_imported_twice_is_generated_once()
    {
        MetadataReference shared = TestReferences.MetadataOnlyReference("""
            namespace Shared;

            public interface IChatEvents
            {
                void Message(string text);
            }
            """, "Shared");

        var test = new SocketIoGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.TestState.Sources.Add(("One.cs", "[assembly: TypedSocketIo.SocketIoContracts(typeof(Shared.IChatEvents))]"));
        test.TestState.Sources.Add(("Two.cs", "[assembly: TypedSocketIo.SocketIoContracts(typeof(Shared.IChatEvents))]"));
        test.TestState.AdditionalReferences.Add(shared);

        await test.RunAsync();

        Assert.Equal(new[] { "Shared.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, test.GeneratedNames);
    }

    [Fact]
    public Task Overloads_with_distinct_event_names_compile() => VerifyAsync(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IOverloads
        {
            [Event("send text")]
            void Send(string text);

            [Event("send number")]
            void Send(int number);
        }
        """);

    [Fact]
    public Task The_same_method_in_two_base_interfaces_is_diagnosed() => VerifyAsync(Usings + """
        namespace Demo;

        public interface IFirst
        {
            [Event("first ping")]
            void Ping();
        }

        public interface ISecond
        {
            [Event("second ping")]
            void {|TSIO011:Ping|}();
        }

        [SocketIoEvents]
        public interface IBoth : IFirst, ISecond
        {
        }
        """);

    [Theory]
    [InlineData("public class Outer { [SocketIoEvents] private interface {|TSIO012:IHidden|} { void Ping(); } }")]
    [InlineData("public class Outer { [SocketIoEvents] protected interface {|TSIO012:IHidden|} { void Ping(); } }")]
    [InlineData("[SocketIoEvents] file interface {|TSIO012:IHidden|} { void Ping(); }")]
    public Task An_inaccessible_contract_is_diagnosed(string declaration) => VerifyAsync(Usings + "namespace Demo;\n\n" + declaration);

    [Theory]
    [InlineData("Task<int> Confirm(int acks);")]
    [InlineData("Task Confirm(string cancellationToken);")]
    [InlineData("void Set(string _options);")]
    [InlineData("void Set(string _target);")]
    public Task A_parameter_named_like_generated_code_compiles(string method) => VerifyAsync(Usings + $$"""
        namespace Demo;

        [SocketIoEvents]
        public interface INames
        {
            {{method}}
        }
        """);

    [Fact]
    public Task Contracts_with_the_same_base_name_compile() => VerifyAsync(Usings + """
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
        """);

    [Fact]
    public Task A_line_break_in_an_event_name_compiles() => VerifyAsync(Usings + """
        namespace Demo;

        [SocketIoEvents]
        public interface IBreaks
        {
            [Event("line\nbreak")]
            void Ping();
        }
        """);

    [Fact]
    public async Task A_namespace_starting_with_System_is_not_the_framework()
    {
        var test = new SocketIoGeneratorTest { WithJsonGenerator = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = Usings + """
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
            """ };

        await test.RunAsync();

        Assert.Equal(new[] { "SocketIoContractRegistration.g.cs", "SystemsLab.Chat.IStrict.SocketIo.g.cs" }, test.GeneratedNames);
    }

    /// <summary>
    /// Runs the generator over <paramref name="markup"/>: exactly the marked diagnostics are reported,
    /// and nothing else (no compiler error or warning in the sources with the generated code).
    /// </summary>
    private static async Task VerifyAsync(string markup)
    {
        var test = new SocketIoGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = markup };
        await test.RunAsync();
    }
}
