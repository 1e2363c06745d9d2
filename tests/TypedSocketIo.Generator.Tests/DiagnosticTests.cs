using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The generator's diagnostics, TSIO001–TSIO010, on Microsoft.CodeAnalysis.Testing: each test marks
/// with <c>{|TSIOnnn:…|}</c> exactly where a diagnostic must be reported (path, start and end as the
/// diagnostic's own line span gives them), and fails on any diagnostic missing, misplaced or
/// unexpected, compiler warnings included.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;

        namespace Demo;

        """;

    [Fact]
    public async Task TSIO001_contract_not_interface()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public class {|TSIO001:ChatEvents|}
            {
                public void Message(string text) { }
            }

            [SocketIoEvents]
            public struct {|TSIO001:PointEvents|}
            {
            }

            [SocketIoEvents]
            public sealed record {|TSIO001:RecordEvents|}(int X);

            [SocketIoEvents]
            public interface IFineEvents
            {
                void Fine();
            }
            """);

        Assert.Contains("'ChatEvents' is not an interface", run.Messages("TSIO001"), StringComparison.Ordinal);
        Assert.Equal(new[] { "Demo.IFineEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.GeneratedNames);
    }

    [Fact]
    public async Task TSIO002_unsupported_return_type()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface IBadReturns
            {
                int {|TSIO002:Count|}();

                IAsyncEnumerable<int> {|TSIO002:Stream|}();

                ref int {|TSIO002:ByRef|}();

                object {|TSIO002:Anything|}();

                Task<int> Fine();
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("Event 'Count' returns 'int'", run.Messages("TSIO002"), StringComparison.Ordinal);
        Assert.Contains("Event 'ByRef' returns 'ref int'", run.Messages("TSIO002"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO003_unsupported_parameter()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface IBadParameters
            {
                void Send(ref int {|TSIO003:a|}, out int {|TSIO003:b|}, in int {|TSIO003:c|}, ref readonly int {|TSIO003:d|}, int fine, params int[] {|TSIO003:rest|});
            }
            """);

        Assert.Empty(run.GeneratedNames);
        string[] messages = run.GeneratorDiagnostics.Select(d => d.GetMessage()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            new[]
            {
                "Parameter 'a' of event 'Send' is declared 'ref': event arguments travel by value, without ref, out, in or params",
                "Parameter 'b' of event 'Send' is declared 'out': event arguments travel by value, without ref, out, in or params",
                "Parameter 'c' of event 'Send' is declared 'in': event arguments travel by value, without ref, out, in or params",
                "Parameter 'd' of event 'Send' is declared 'ref readonly': event arguments travel by value, without ref, out, in or params",
                "Parameter 'rest' of event 'Send' is declared 'params': event arguments travel by value, without ref, out, in or params",
            },
            messages);
    }

    [Fact]
    public async Task TSIO004_overloads()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface IOverloads
            {
                void Send(string text);

                void {|TSIO004:Send|}(int number);

                Task<int> {|TSIO004:Send|}(string text, int number);
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("Event 'Send' has the wire name 'send', as 'Send' already has", run.Messages("TSIO004"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO004_inherited_duplicates()
    {
        await VerifyAsync("""
            public interface IBase
            {
                void {|TSIO004:Ping|}();

                void {|TSIO004:Typing|}(bool isTyping);
            }

            [SocketIoEvents]
            public interface IDerived : IBase
            {
                [Event("ping")]
                void Hello();

                new void Typing(bool isTyping);
            }
            """);
    }

    [Fact]
    public async Task TSIO004_naming_policy_collisions()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
            public interface IKebab
            {
                void FooBar();

                [Event("foo-bar")]
                void {|TSIO004:Other|}();
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface ISnake
            {
                void UserID();

                void {|TSIO004:User_Id|}();
            }

            [SocketIoEvents]
            public interface ICamel
            {
                void Ping();

                void {|TSIO004:ping|}();
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.Exact)]
            public interface IExact
            {
                void Ping();

                void ping();
            }
            """);

        Assert.Contains("Event 'Other' has the wire name 'foo-bar', as 'FooBar' already has", run.Messages("TSIO004"), StringComparison.Ordinal);
        Assert.Equal(new[] { "Demo.IExact.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.GeneratedNames);
    }

    [Fact]
    public async Task TSIO005_unsupported_members()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface IMembers
            {
                int {|TSIO005:Count|} { get; }

                string {|TSIO005:this|}[int index] { get; }

                event Action {|TSIO005:Changed|};

                static void {|TSIO005:Helper|}() { }

                static abstract void {|TSIO005:Create|}();

                void {|TSIO005:Send|}<T>(T value);

                void Fine();
            }
            """);

        Assert.Empty(run.GeneratedNames);
        string[] messages = run.GeneratorDiagnostics.Select(d => d.GetMessage()).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("'Changed' is an event: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Count' is a property: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Helper' is a static method: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Send' is a generic method: an event contract declares only non-generic instance methods, one per event", messages);
    }

    [Fact]
    public async Task TSIO006_a_type_reached_only_through_an_ignored_property_is_not_known()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            public sealed record Secret(int Code);

            public sealed class Carrier
            {
                public string Name { get; set; } = "";

                [JsonIgnore]
                public Secret? Hidden { get; set; }

                [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
                public Nested? Kept { get; set; }
            }

            public sealed record Nested(int Value);

            [JsonSerializable(typeof(Carrier))]
            public sealed partial class CarrierJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(CarrierJsonContext))]
            public interface ICarrierEvents
            {
                void Send(Carrier carrier, Nested nested, Secret {|TSIO006:secret|});
            }
            """, withJsonGenerator: true);

        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public async Task TSIO006_type_missing_from_context()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            public sealed record Known(string Name, Nested Inner);

            public sealed record Nested(int Value);

            public sealed record Unknown(int X);

            [JsonSerializable(typeof(Known))]
            [JsonSerializable(typeof(int))]
            public sealed partial class AppJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
            public interface IStrict
            {
                void Send(Known known, Unknown {|TSIO006:unknown|}, byte[] binary, ReadOnlyMemory<byte> memory, CancellationToken cancellationToken);

                Task<Unknown> {|TSIO006:Ask|}(int value);

                Task<List<Known>> {|TSIO006:Many|}(Nested nested);

                void Maybe(Known? known, string? name, int? {|TSIO006:number|});
            }
            """, withJsonGenerator: true);

        // A warning: the contract is still generated.
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("'Demo.Unknown' (in event 'Send') is not known to the JsonSerializerContext 'Demo.AppJsonContext': add [JsonSerializable(typeof(Demo.Unknown))] to it",
            run.GeneratorDiagnostics.Select(d => d.GetMessage()));
        Assert.Contains("Demo.IStrict.SocketIo.g.cs", run.GeneratedNames);
    }

    /// <summary>A contract whose one payload type its serializer context does not know (TSIO006, at <c>{|#0:…|}</c>).</summary>
    private const string StrictWithUnknownPayload = Usings + """
        public sealed record Unknown(int X);

        [JsonSerializable(typeof(int))]
        public sealed partial class AppJsonContext : JsonSerializerContext;

        [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
        public interface IStrict
        {
            void Send(Unknown {|#0:unknown|});
        }
        """;

    /// <summary>
    /// The project's severity settings (NoWarn, WarningsAsErrors, a global .editorconfig) reach the
    /// generator's diagnostics: they arrive as file locations (path and spans, no syntax tree), and
    /// the compiler filters them by id.
    /// </summary>
    [Theory]
    [InlineData(ReportDiagnostic.Suppress, null)]
    [InlineData(ReportDiagnostic.Error, DiagnosticSeverity.Error)]
    [InlineData(ReportDiagnostic.Default, DiagnosticSeverity.Warning)]
    public async Task TSIO006_severity_follows_the_project_settings(ReportDiagnostic option, DiagnosticSeverity? expected)
    {
        var test = new SocketIoGeneratorTest { TestCode = StrictWithUnknownPayload, WithJsonGenerator = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        test.SolutionTransforms.Add((solution, project) =>
        {
            CompilationOptions options = solution.GetProject(project)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(project, options.WithSpecificDiagnosticOptions(options.SpecificDiagnosticOptions.SetItem(Descriptors.TypeMissingFromContextId, option)));
        });
        if (expected is not null)
        {
            test.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.TypeMissingFromContextId, expected.Value).WithLocation(0));
        }

        await test.RunAsync();

        Assert.Contains("Demo.IStrict.SocketIo.g.cs", test.GeneratedNames);
    }

    /// <summary>A global analyzer config (<c>is_global = true</c>) turning TSIO006 off, as the compiler reads it.</summary>
    [Fact]
    public async Task TSIO006_global_analyzer_config_severity_applies()
    {
        var reported = new SocketIoGeneratorTest { TestCode = StrictWithUnknownPayload, WithJsonGenerator = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        reported.ExpectedDiagnostics.Add(new DiagnosticResult(Descriptors.TypeMissingFromContextId, DiagnosticSeverity.Warning).WithLocation(0));
        await reported.RunAsync();

        var suppressed = new SocketIoGeneratorTest { TestCode = StrictWithUnknownPayload, WithJsonGenerator = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        suppressed.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", $"is_global = true\ndotnet_diagnostic.{Descriptors.TypeMissingFromContextId}.severity = none\n"));
        await suppressed.RunAsync();

        Assert.Contains("Demo.IStrict.SocketIo.g.cs", suppressed.GeneratedNames);
    }

    [Fact]
    public async Task TSIO006_not_reported_for_types_reachable_through_listed_types()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

            public sealed record Item(string Name, Detail Detail, Kind Kind, DateTimeOffset At);

            public sealed record Detail(List<Tag> Tags, Dictionary<string, long> Counters, Guid Id);

            public sealed record Tag(string Label);

            public enum Kind { A, B }

            public class Base
            {
                public Tag? Inherited { get; set; }
            }

            public sealed class Derived : Base
            {
                public double Ratio { get; set; }
            }

            [JsonSerializable(typeof(Page<Item>))]
            [JsonSerializable(typeof(Derived))]
            public sealed partial class AppJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
            public interface IStrict
            {
                Task<Page<Item>> List(int total, string? query);

                void Details(Item item, Detail detail, Tag tag, Kind kind, IReadOnlyList<Item> items, List<Tag> tags);

                ValueTask<long> Count(Guid id, DateTimeOffset at, Dictionary<string, long> counters);

                void Shapes(Derived derived, Tag? inherited, double ratio);
            }
            """, withJsonGenerator: true);

        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public async Task TSIO007_cancellation_token_not_last()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface ITokens
            {
                void Send(CancellationToken {|TSIO007:cancellationToken|}, string text);

                Task Two(CancellationToken {|TSIO007:first|}, CancellationToken second);

                Task<int> Fine(string text, CancellationToken cancellationToken);
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("Parameter 'cancellationToken' of event 'Send' is a CancellationToken but not the last parameter", run.Messages("TSIO007"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO008_invalid_serializer_context()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            public abstract class AbstractContext : JsonSerializerContext
            {
                protected AbstractContext() : base(null) { }
            }

            public sealed class NoDefault
            {
            }

            [{|TSIO008:SocketIoEvents(SerializerContext = typeof(string))|}]
            public interface IString
            {
                void Send(string text);
            }

            [{|TSIO008:SocketIoEvents(SerializerContext = typeof(AbstractContext))|}]
            public interface IAbstract
            {
                void Send(string text);
            }

            [{|TSIO008:SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase, SerializerContext = typeof(NoDefault))|}]
            public interface INoDefault
            {
                void Send(string text);
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("'string' is not a JsonSerializerContext with a static Default instance", run.Messages("TSIO008"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO009_generic_contract()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface {|TSIO009:IGenericEvents|}<T>
            {
                void Send(T value);
            }

            public static class Outer<T>
            {
                [SocketIoEvents]
                public interface {|TSIO009:IInsideGeneric|}
                {
                    void Send(T value);
                }
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("'IGenericEvents' has type parameters", run.Messages("TSIO009"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO010_empty_event_name()
    {
        SocketIoGeneratorTest run = await VerifyAsync("""
            [SocketIoEvents]
            public interface IEmptyNames
            {
                [{|TSIO010:Event("")|}]
                void Send();

                [{|TSIO010:Event(null!)|}]
                void Other(int value);

                [Event(" ")]
                void Space();
            }
            """);

        Assert.Empty(run.GeneratedNames);
        Assert.Contains("[Event] on 'Send' gives an empty name", run.Messages("TSIO010"), StringComparison.Ordinal);
    }

    /// <summary>Problems in a contract from another assembly are reported on the [assembly: SocketIoContracts] that imports it.</summary>
    [Fact]
    public async Task Imported_contracts_report_at_the_import()
    {
        MetadataReference shared = TestReferences.MetadataOnlyReference("""
            using TypedSocketIo;

            namespace Shared;

            public interface IWithProperty
            {
                int Count { get; }

                void Fine();
            }

            public sealed class NotAnInterface
            {
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
            public interface IGood
            {
                void FooBar();
            }
            """, "Shared");

        SocketIoGeneratorTest run = await VerifyAsync("""
            [assembly: {|TSIO001:{|TSIO005:SocketIoContracts(typeof(Shared.IWithProperty), typeof(Shared.NotAnInterface))|}|}]
            [assembly: SocketIoContracts(typeof(Shared.IGood))]
            """, extraReferences: new[] { shared }, usings: "using TypedSocketIo;\n\n");

        Assert.Equal(new[] { "Shared.IGood.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.GeneratedNames);
        Assert.Contains("\"foo-bar\"", run.File("Shared.IGood.SocketIo.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptors_link_to_their_page()
    {
        DiagnosticDescriptor[] descriptors = AllDescriptors();
        string[] ids = typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Id", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(Enumerable.Range(1, 13).Select(i => $"TSIO{i:000}"), ids);
        Assert.Equal(ids, descriptors.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(descriptors, d =>
        {
            Assert.EndsWith($"docs/diagnostics/{d.Id}.md", d.HelpLinkUri, StringComparison.Ordinal);
            Assert.Equal(Descriptors.HelpLinkBase + d.Id + ".md", d.HelpLinkUri);
            Assert.Equal("TypedSocketIo.Contracts", d.Category);
            Assert.True(d.IsEnabledByDefault);
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()));
            Assert.True(File.Exists(Path.Combine(RepositoryRoot(), "docs", "diagnostics", d.Id + ".md")), $"docs/diagnostics/{d.Id}.md is missing");
        });
    }

    [Fact]
    public void Release_tracking_lists_every_diagnostic()
    {
        string generator = Path.Combine(RepositoryRoot(), "src", "Generator");
        var rows = new List<(string File, string[] Cells)>();
        foreach (string file in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
        {
            foreach (string line in File.ReadAllLines(Path.Combine(generator, file)))
            {
                if (line.StartsWith("TSIO", StringComparison.Ordinal))
                {
                    rows.Add((file, line.Split('|').Select(c => c.Trim()).ToArray()));
                }
            }
        }

        DiagnosticDescriptor[] descriptors = AllDescriptors();
        Assert.Equal(descriptors.Select(d => d.Id).Order(StringComparer.Ordinal), rows.Select(r => r.Cells[0]).Order(StringComparer.Ordinal));
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            (string file, string[] cells) = rows.Single(r => r.Cells[0] == descriptor.Id);
            Assert.Equal("AnalyzerReleases.Unshipped.md", file);
            Assert.Equal(descriptor.Category, cells[1]);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
        }
    }

    /// <summary>
    /// Runs the generator over <paramref name="markup"/>: the framework checks that exactly the marked
    /// diagnostics are reported, each on its text, and that the sources with the generated code
    /// compile without any other error or warning.
    /// </summary>
    private static async Task<SocketIoGeneratorTest> VerifyAsync(string markup, bool withJsonGenerator = false, IEnumerable<MetadataReference>? extraReferences = null, string usings = Usings)
    {
        var test = new SocketIoGeneratorTest
        {
            TestCode = usings + markup,
            WithJsonGenerator = withJsonGenerator,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        };
        test.TestState.AdditionalReferences.AddRange(extraReferences ?? Array.Empty<MetadataReference>());

        await test.RunAsync();

        Assert.All(test.GeneratorDiagnostics, d => Assert.EndsWith($"docs/diagnostics/{d.Id}.md", d.Descriptor.HelpLinkUri, StringComparison.Ordinal));
        return test;
    }

    private static DiagnosticDescriptor[] AllDescriptors() =>
        typeof(Descriptors).GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
