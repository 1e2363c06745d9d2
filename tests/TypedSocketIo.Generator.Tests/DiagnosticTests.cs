using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The generator's diagnostics, TSIO001–TSIO010: each test marks with <c>{|TSIOnnn:…|}</c> exactly
/// where a diagnostic must be reported, and fails on any diagnostic missing, misplaced or unexpected.
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
    public void TSIO001_contract_not_interface()
    {
        GeneratorRun run = Verify("""
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

        Assert.Contains("'ChatEvents' is not an interface", Message(run, "TSIO001"), StringComparison.Ordinal);
        Assert.Equal(new[] { "Demo.IFineEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TSIO002_unsupported_return_type()
    {
        GeneratorRun run = Verify("""
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

        Assert.Empty(run.Files);
        Assert.Contains("Event 'Count' returns 'int'", Message(run, "TSIO002"), StringComparison.Ordinal);
        Assert.Contains("Event 'ByRef' returns 'ref int'", Message(run, "TSIO002"), StringComparison.Ordinal);
    }

    [Fact]
    public void TSIO003_unsupported_parameter()
    {
        GeneratorRun run = Verify("""
            [SocketIoEvents]
            public interface IBadParameters
            {
                void Send(ref int {|TSIO003:a|}, out int {|TSIO003:b|}, in int {|TSIO003:c|}, ref readonly int {|TSIO003:d|}, int fine, params int[] {|TSIO003:rest|});
            }
            """);

        Assert.Empty(run.Files);
        string[] messages = run.Diagnostics.Select(d => d.GetMessage()).Order(StringComparer.Ordinal).ToArray();
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
    public void TSIO004_overloads()
    {
        GeneratorRun run = Verify("""
            [SocketIoEvents]
            public interface IOverloads
            {
                void Send(string text);

                void {|TSIO004:Send|}(int number);

                Task<int> {|TSIO004:Send|}(string text, int number);
            }
            """);

        Assert.Empty(run.Files);
        Assert.Contains("Event 'Send' has the wire name 'send', as 'Send' already has", Message(run, "TSIO004"), StringComparison.Ordinal);
    }

    [Fact]
    public void TSIO004_inherited_duplicates()
    {
        Verify("""
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
    public void TSIO004_naming_policy_collisions()
    {
        GeneratorRun run = Verify("""
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

        Assert.Contains("Event 'Other' has the wire name 'foo-bar', as 'FooBar' already has", Message(run, "TSIO004"), StringComparison.Ordinal);
        Assert.Equal(new[] { "Demo.IExact.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TSIO005_unsupported_members()
    {
        GeneratorRun run = Verify("""
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

        Assert.Empty(run.Files);
        string[] messages = run.Diagnostics.Select(d => d.GetMessage()).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("'Changed' is an event: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Count' is a property: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Helper' is a static method: an event contract declares only non-generic instance methods, one per event", messages);
        Assert.Contains("'Send' is a generic method: an event contract declares only non-generic instance methods, one per event", messages);
    }

    [Fact]
    public void TSIO006_a_type_reached_only_through_an_ignored_property_is_not_known()
    {
        GeneratorRun run = Verify("""
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

        Assert.All(run.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public void TSIO006_type_missing_from_context()
    {
        GeneratorRun run = Verify("""
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
        Assert.All(run.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("'Demo.Unknown' (in event 'Send') is not known to the JsonSerializerContext 'Demo.AppJsonContext': add [JsonSerializable(typeof(Demo.Unknown))] to it",
            run.Diagnostics.Select(d => d.GetMessage()));
        Assert.Contains("Demo.IStrict.SocketIo.g.cs", run.Files.Select(f => f.HintName));
        GeneratorHarness.AssertNoProblems(run.Output.GetDiagnostics(), "the compilation with the generated code");
    }

    /// <summary>A contract whose one payload type its serializer context does not know (TSIO006).</summary>
    private const string StrictWithUnknownPayload = Usings + """
        public sealed record Unknown(int X);

        [JsonSerializable(typeof(int))]
        public sealed partial class AppJsonContext : JsonSerializerContext;

        [SocketIoEvents(SerializerContext = typeof(AppJsonContext))]
        public interface IStrict
        {
            void Send(Unknown unknown);
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
    public void TSIO006_severity_follows_the_project_settings(ReportDiagnostic option, DiagnosticSeverity? expected)
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(StrictWithUnknownPayload);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem(Descriptors.TypeMissingFromContextId, option)));

        GeneratorRun run = GeneratorHarness.Run(compilation, withJsonGenerator: true);

        Assert.Equal(expected is null ? Array.Empty<DiagnosticSeverity>() : new[] { expected.Value },
            run.DriverDiagnostics.Where(d => d.Id == Descriptors.TypeMissingFromContextId).Select(d => d.Severity));
        Assert.Contains("Demo.IStrict.SocketIo.g.cs", run.Files.Select(f => f.HintName));
    }

    /// <summary>A global analyzer config (<c>is_global = true</c>) turning TSIO006 off, as the compiler reads it.</summary>
    [Fact]
    public void TSIO006_global_analyzer_config_severity_applies()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(StrictWithUnknownPayload);
        Assert.Contains(GeneratorHarness.Run(compilation, withJsonGenerator: true).DriverDiagnostics, d => d.Id == Descriptors.TypeMissingFromContextId);

        compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new GlobalSeverity(Descriptors.TypeMissingFromContextId, ReportDiagnostic.Suppress)));
        GeneratorRun run = GeneratorHarness.Run(compilation, withJsonGenerator: true);

        Assert.DoesNotContain(run.DriverDiagnostics, d => d.Id == Descriptors.TypeMissingFromContextId);
    }

    /// <summary>What the compiler builds from a global analyzer config with one severity line.</summary>
    private sealed class GlobalSeverity(string id, ReportDiagnostic severity) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic value)
        {
            value = ReportDiagnostic.Default;
            return false;
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic value)
        {
            value = diagnosticId == id ? severity : ReportDiagnostic.Default;
            return diagnosticId == id;
        }
    }

    [Fact]
    public void TSIO006_not_reported_for_types_reachable_through_listed_types()
    {
        GeneratorRun run = Verify("""
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

        run.AssertCleanAndCompiles();
    }

    [Fact]
    public void TSIO007_cancellation_token_not_last()
    {
        GeneratorRun run = Verify("""
            [SocketIoEvents]
            public interface ITokens
            {
                void Send(CancellationToken {|TSIO007:cancellationToken|}, string text);

                Task Two(CancellationToken {|TSIO007:first|}, CancellationToken second);

                Task<int> Fine(string text, CancellationToken cancellationToken);
            }
            """);

        Assert.Empty(run.Files);
        Assert.Contains("Parameter 'cancellationToken' of event 'Send' is a CancellationToken but not the last parameter", Message(run, "TSIO007"), StringComparison.Ordinal);
    }

    [Fact]
    public void TSIO008_invalid_serializer_context()
    {
        GeneratorRun run = Verify("""
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

        Assert.Empty(run.Files);
        Assert.Contains("'string' is not a JsonSerializerContext with a static Default instance", Message(run, "TSIO008"), StringComparison.Ordinal);
    }

    [Fact]
    public void TSIO009_generic_contract()
    {
        GeneratorRun run = Verify("""
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

        Assert.Empty(run.Files);
        Assert.Contains("'IGenericEvents' has type parameters", Message(run, "TSIO009"), StringComparison.Ordinal);
    }

    [Fact]
    public void TSIO010_empty_event_name()
    {
        GeneratorRun run = Verify("""
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

        Assert.Empty(run.Files);
        Assert.Contains("[Event] on 'Send' gives an empty name", Message(run, "TSIO010"), StringComparison.Ordinal);
    }

    /// <summary>Problems in a contract from another assembly are reported on the [assembly: SocketIoContracts] that imports it.</summary>
    [Fact]
    public void Imported_contracts_report_at_the_import()
    {
        MetadataReference shared = GeneratorHarness.MetadataOnlyReference("""
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

        GeneratorRun run = Verify("""
            [assembly: {|TSIO001:{|TSIO005:SocketIoContracts(typeof(Shared.IWithProperty), typeof(Shared.NotAnInterface))|}|}]
            [assembly: SocketIoContracts(typeof(Shared.IGood))]
            """, extraReferences: new[] { shared }, usings: "using TypedSocketIo;\n\n");

        Assert.Equal(new[] { "Shared.IGood.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
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

    private static GeneratorRun Verify(string markup, bool withJsonGenerator = false, IEnumerable<MetadataReference>? extraReferences = null, string usings = Usings)
    {
        (string source, IReadOnlyList<ExpectedDiagnostic> expected) = DiagnosticMarkup.Parse(usings + markup);
        GeneratorRun run = GeneratorHarness.Run(source, withJsonGenerator, extraReferences);

        Assert.Null(run.Result.Exception);
        Diagnostic[] errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, "The test source does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => e.ToString())));

        DiagnosticMarkup.AssertExactly(expected, run.Diagnostics, new Dictionary<string, string> { [GeneratorHarness.DefaultPath] = source });
        Assert.All(run.Diagnostics, d => Assert.EndsWith($"docs/diagnostics/{d.Id}.md", d.Descriptor.HelpLinkUri, StringComparison.Ordinal));

        // The driver passes them on as they are (nothing else reported, no generator failure).
        Assert.Equal(
            run.Diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal),
            run.DriverDiagnostics.Where(d => d.Id.StartsWith("TSIO", StringComparison.Ordinal) || d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).Order(StringComparer.Ordinal));
        return run;
    }

    private static string Message(GeneratorRun run, string id) =>
        string.Join(Environment.NewLine, run.Diagnostics.Where(d => d.Id == id).Select(d => d.GetMessage()));

    private static DiagnosticDescriptor[] AllDescriptors() =>
        typeof(Descriptors).GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
