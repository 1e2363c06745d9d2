using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>TSIO100 on contracts: the wire name from the method name and naming policy, or from [Event].</summary>
public sealed class ReservedEventNameContractTests
{
    private const string Id = Descriptors.ReservedEventNameId;

    [Theory]
    // camelCase (the default)
    [InlineData("", "Connect", true)]
    [InlineData("", "Disconnect", true)]
    [InlineData("", "Disconnecting", true)]
    [InlineData("", "NewListener", true)]
    [InlineData("", "RemoveListener", true)]
    [InlineData("", "ConnectError", false)] // connectError
    [InlineData("", "Disconnected", false)]
    [InlineData("(NamingPolicy = EventNamingPolicy.CamelCase)", "NewListener", true)]
    // snake_case
    [InlineData("(NamingPolicy = EventNamingPolicy.SnakeCase)", "ConnectError", true)]
    [InlineData("(NamingPolicy = EventNamingPolicy.SnakeCase)", "Disconnect", true)]
    [InlineData("(NamingPolicy = EventNamingPolicy.SnakeCase)", "NewListener", false)] // new_listener
    [InlineData("(NamingPolicy = EventNamingPolicy.SnakeCase)", "Connect_Error", true)]
    // kebab-case
    [InlineData("(NamingPolicy = EventNamingPolicy.KebabCase)", "Disconnecting", true)]
    [InlineData("(NamingPolicy = EventNamingPolicy.KebabCase)", "ConnectError", false)] // connect-error
    [InlineData("(NamingPolicy = EventNamingPolicy.KebabCase)", "RemoveListener", false)] // remove-listener
    // the method name as written
    [InlineData("(NamingPolicy = EventNamingPolicy.Exact)", "NewListener", false)]
    [InlineData("(NamingPolicy = EventNamingPolicy.Exact)", "Disconnect", false)]
    [InlineData("(NamingPolicy = EventNamingPolicy.Exact)", "newListener", true)]
    [InlineData("(NamingPolicy = EventNamingPolicy.Exact)", "connect_error", true)]
    [InlineData("(NamingPolicy = EventNamingPolicy.Exact)", "disconnecting", true)]
    public async Task A_method_whose_wire_name_is_reserved_is_reported_on_its_name(string attributeArguments, string method, bool reserved)
    {
        string name = reserved ? "[|" + method + "|]" : method;
        await SocketIoAnalyzerTest.VerifyAsync($$"""
            using TypedSocketIo;

            [SocketIoEvents{{attributeArguments}}]
            public interface IEvents
            {
                void Message(string text);

                void {{name}}(string reason);
            }
            """, Id);
    }

    [Fact]
    public async Task The_diagnostic_carries_the_wire_name_the_code_fix_renames()
    {
        ImmutableArray<Diagnostic> reported = await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface IEvents
            {
                void [|ConnectError|]();
            }
            """, Id);

        Diagnostic diagnostic = Assert.Single(reported);
        Assert.Equal("connect_error", diagnostic.Properties[ReservedEventNameAnalyzer.WireNameProperty]);
        Assert.Contains("'connect_error' is a reserved event name", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("https://github.com/TypedSocketIo/TypedSocketIo/blob/main/docs/diagnostics/TSIO100.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public async Task A_reserved_name_given_by_Event_is_reported_on_the_attribute()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [[|Event("disconnecting")|]]
                void Leaving(string reason);

                [[|Event("newListener")|], System.Obsolete]
                void Subscribed();

                [[|TypedSocketIo.Event("connect_error")|]]
                void Failed();
            }
            """, Id);
    }

    [Fact]
    public async Task Event_overrides_a_reserved_method_name()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Event("leave")]
                void Disconnect(string reason);

                [Event("Connect")]
                void Connect();
            }
            """);
    }

    [Fact]
    public async Task An_event_inherited_from_a_base_interface_that_is_no_contract_is_reported_on_the_base_method()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            public interface ILifecycle
            {
                void [|Disconnect|](string reason);

                void Resume();
            }

            [SocketIoEvents]
            public interface IEvents : ILifecycle
            {
                void Message(string text);
            }
            """, Id);
    }

    [Fact]
    public async Task An_event_inherited_from_a_referenced_assembly_is_reported_on_the_contract()
    {
        MetadataReference lifecycle = TestReferences.CompileToReference("""
            namespace Shared;

            public interface ILifecycle
            {
                void Disconnecting(string reason);
            }
            """, "Shared");

        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface [|IEvents|] : Shared.ILifecycle
            {
                void Message(string text);
            }
            """, Id, new[] { lifecycle });
    }

    [Fact]
    public async Task A_base_contract_reports_its_own_events_once()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IBaseEvents
            {
                void [|Connect|]();
            }

            [SocketIoEvents]
            public interface IEvents : IBaseEvents
            {
                void Message(string text);
            }
            """, Id);
    }

    [Fact]
    public async Task Interfaces_that_are_no_contracts_and_classes_are_not_checked()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using TypedSocketIo;

            public interface ILifecycle
            {
                void Disconnect(string reason);
            }

            public sealed class Lifecycle : ILifecycle
            {
                public void Disconnect(string reason) { }

                public void Connect() { }
            }
            """);
    }

    [Fact]
    public async Task A_contract_with_ordinary_names_and_a_handler_class_implementing_it_report_nothing()
    {
        await SocketIoAnalyzerTest.VerifyAsync("""
            using System.Threading.Tasks;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                void Message(string text);

                [Event("user left")]
                void UserLeft(string name);

                Task<int> Count();

                void Disconnected(string reason);

                void Connecting();
            }

            public sealed class Handler : IEvents
            {
                public void Message(string text) { }

                public void UserLeft(string name) { }

                public Task<int> Count() => Task.FromResult(1);

                public void Disconnected(string reason) { }

                public void Connecting() { }
            }
            """);
    }
}
