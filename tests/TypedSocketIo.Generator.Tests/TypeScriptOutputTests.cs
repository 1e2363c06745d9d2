using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The TypeScript declarations (GenerateSocketIoTypeScript): the generated files for representative
/// contracts compared by the test framework with their baselines in Baselines/, compiled with the
/// contract (the declarations sit in a region the compiler skips), TSIO013 where a payload has no TypeScript shape, nothing when
/// the switch is off, and a cached pipeline. That tsc accepts the declarations is shown in
/// TypedSocketIo.Interop.Tests (TypeScriptDeclarationTests). Refresh the baselines after a
/// deliberate change of the output with
/// <c>TYPEDSOCKETIO_UPDATE_BASELINES=1 dotnet test tests/TypedSocketIo.Generator.Tests</c>
/// (then read the diff before committing it).
/// </summary>
public sealed class TypeScriptOutputTests
{
    private const string HintName = "SocketIo.TypeScript.g.cs";

    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;

        """;

    /// <summary>Every kind of argument, acknowledgement and payload, with the runtime's default JSON options (camelCase).</summary>
    [Fact]
    public async Task Declarations_cover_every_argument_acknowledgement_and_payload_kind()
    {
        var test = new SocketIoGeneratorTest { TypeScript = "true", TestCode = Usings + """
            namespace Demo.Models
            {
                public enum Mood { Calm, Busy = 5, Away }

                [JsonConverter(typeof(JsonStringEnumConverter))]
                public enum Role { Guest, Member, [JsonStringEnumMemberName("admin")] Administrator }

                [Flags]
                public enum Permissions { None = 0, Read = 1, Write = 2 }

                public abstract class Entity
                {
                    public Guid Id { get; set; }

                    public DateTimeOffset CreatedAt { get; init; }
                }

                public sealed class User : Entity
                {
                    public string Name { get; set; } = "";

                    [JsonPropertyName("display_name")]
                    public string? DisplayName { get; set; }

                    public int? Age { get; set; }

                    public Mood Mood { get; set; }

                    public Role Role { get; set; }

                    [JsonConverter(typeof(JsonStringEnumConverter))]
                    public Mood? LastMood { get; set; }

                    public Permissions Permissions { get; set; }

                    [JsonIgnore]
                    public string Secret { get; set; } = "";

                    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
                    public string? Nickname { get; set; }

                    public List<string> Tags { get; set; } = new();

                    public Dictionary<string, int> Scores { get; set; } = new();

                    public IReadOnlyDictionary<Guid, User?>? Friends { get; set; }

                    public byte[] Avatar { get; set; } = Array.Empty<byte>();

                    public User? Manager { get; set; }

                    internal string Hidden { get; set; } = "";

                    public static int Count { get; set; }

                    [JsonInclude]
                    public int Version;

                    public int NotSerializedField;
                }

                public sealed record Page<T>(IReadOnlyList<T> Items, int Total, T? First);

                public sealed record Pair<TKey, TValue>(TKey Key, IEnumerable<TValue?> Values);

                public interface INamed
                {
                    string Name { get; }
                }

                public interface IRoom : INamed
                {
                    int Capacity { get; }
                }

                public sealed class Extensible
                {
                    public string Kind { get; set; } = "";

                    [JsonExtensionData]
                    public Dictionary<string, JsonElement>? Extra { get; set; }
                }

                public struct Point
                {
                    public double X { get; set; }

                    public double Y { get; set; }
                }

                [JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
                [JsonDerivedType(typeof(Square), "square")]
                [JsonDerivedType(typeof(Disc), 2)]
                [JsonDerivedType(typeof(Blob))]
                public class Figure
                {
                    public string Name { get; set; } = "";
                }

                public sealed class Square : Figure
                {
                    public double Side { get; set; }
                }

                public sealed class Disc : Figure
                {
                    public double Radius { get; set; }
                }

                public sealed class Blob : Figure
                {
                }

                [JsonDerivedType(typeof(Note), "note")]
                public interface IItem
                {
                    string Title { get; }
                }

                public sealed record Note(string Title, string Text) : IItem;

                public static class Outer
                {
                    public sealed record Inner(KeyValuePair<string, long> Entry, object Anything, JsonElement Raw);
                }
            }

            namespace Demo.Other
            {
                public sealed record User(string Login);
            }

            namespace Demo
            {
                using Demo.Models;

                [SocketIoEvents]
                public interface IServerEvents
                {
                    void Message(string text, char initial, bool urgent, int count, long big, double ratio, decimal price);

                    [Event("user joined")]
                    void UserJoined(User user, Demo.Other.User other, Mood mood, Role role);

                    void Moved(Point point, Point? previous, IRoom room);

                    Task<bool> ConfirmRead(Guid messageId, DateTime at, TimeSpan after, DateOnly day, Uri link);

                    Task Notice(string? text, int? level);

                    ValueTask<string?> AskName(CancellationToken cancellationToken);

                    void FileReady(byte[] raw, ReadOnlyMemory<byte> checksum, Page<User> owners);

                    void Drawn(Figure figure, IReadOnlyList<Figure> figures, Square square, IItem item);
                }

                [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
                public interface IClientEvents
                {
                    Task<Page<User>> History(string room, int page, CancellationToken cancellationToken);

                    ValueTask Ping();

                    Task<byte[]> Echo(byte[] data);

                    void Batch(string[] names, List<int?> values, HashSet<Guid> ids, Pair<string, Point> pair, Extensible extensible, Outer.Inner inner);

                    void Keywords(string @class, int @default, bool callback);

                    Task<IReadOnlyList<Page<string>>?> Nested(Dictionary<string, List<User>> groups);
                }
            }
            """ };

        await Baselines.RunAsync(test, new[] { HintName, "Demo.IClientEvents.SocketIo.g.cs", "Demo.IServerEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    /// <summary>A contract's JsonSerializerContext decides the property names, enum form and left-out nulls.</summary>
    [Fact]
    public async Task A_serializer_context_s_options_shape_the_declarations()
    {
        var test = new SocketIoGeneratorTest { TypeScript = "true", WithJsonGenerator = true, TestCode = Usings + """
            namespace Demo;

            public enum Level { Low, High }

            public sealed record Reading(string SensorName, double? LastValue, Level Level, int RetryCount);

            [JsonSerializable(typeof(Reading))]
            [JsonSerializable(typeof(int))]
            [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
            public sealed partial class SensorJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(SensorJsonContext), NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface ISensorEvents
            {
                void ReadingTaken(Reading reading);

                Task<int> CountReadings(Level level);
            }

            public sealed record Plain(string SensorName);

            [JsonSerializable(typeof(Plain))]
            public sealed partial class GeneralJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(GeneralJsonContext))]
            public interface IPlainEvents
            {
                void Send(Plain plain);
            }
            """ };

        await Baselines.RunAsync(test, new[] { HintName, "Demo.IPlainEvents.SocketIo.g.cs", "Demo.ISensorEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
        string declarations = Declarations(test);
        Assert.Contains("sensor_name: string;", declarations, StringComparison.Ordinal);       // snake_case
        Assert.Contains("last_value?: number | null;", declarations, StringComparison.Ordinal); // left out when null
        Assert.Contains("export type Level = \"Low\" | \"High\";", declarations, StringComparison.Ordinal);
        Assert.Contains("SensorName: string;", declarations, StringComparison.Ordinal);     // General defaults: names as written
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("")]
    public async Task Nothing_is_generated_without_the_switch(string? value)
    {
        // No diagnostic expected: TSIO013 concerns the declarations only.
        var test = new SocketIoGeneratorTest { TypeScript = value, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface IChatEvents
            {
                void Message((int X, int Y) position);
            }
            """ };

        await test.RunAsync();

        Assert.Equal(new[] { "Demo.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, test.GeneratedNames);
    }

    [Fact]
    public async Task An_assembly_without_contracts_gets_empty_declarations()
    {
        var test = new SocketIoGeneratorTest { TypeScript = "true", TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = "namespace Demo; public sealed class Nothing { }" };

        await test.RunAsync();

        Assert.DoesNotContain("export", Declarations(test), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TSIO013_reports_payloads_without_a_TypeScript_shape()
    {
        var test = new SocketIoGeneratorTest { TypeScript = "true", TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = Usings + """
            namespace Demo;

            public sealed record Shape(string Name, Func<int> Callback, int[,] Grid);

            public sealed class Custom { }

            public sealed class CustomConverter : JsonConverter<Custom>
            {
                public override Custom Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new();

                public override void Write(Utf8JsonWriter writer, Custom value, JsonSerializerOptions options) => writer.WriteNullValue();
            }

            public sealed record Holder([property: JsonConverter(typeof(CustomConverter))] Custom Value);

            [SocketIoEvents]
            public interface IOddEvents
            {
                void Moved((int X, int Y) {|TSIO013:position|});

                void Drawn(Shape {|TSIO013:{|TSIO013:shape|}|});

                Task<(string A, string B)> {|TSIO013:Pick|}(Dictionary<Shape, int> {|TSIO013:counts|});

                void Held(Holder {|TSIO013:holder|}, Exception {|TSIO013:error|});

                void Fine(string text);
            }
            """ };

        await test.RunAsync();

        Assert.All(test.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        string messages = test.Messages("TSIO013");
        Assert.Contains("'(int X, int Y)' (in event 'moved' of Demo.IOddEvents) is a value tuple", messages, StringComparison.Ordinal);
        Assert.Contains("is a delegate", messages, StringComparison.Ordinal);
        Assert.Contains("multi-dimensional array", messages, StringComparison.Ordinal);
        Assert.Contains("its own JsonConverter on 'Value'", messages, StringComparison.Ordinal);

        // The C# side is generated as usual, and the declarations say unknown where they cannot say more.
        Assert.Contains("Demo.IOddEvents.SocketIo.g.cs", test.GeneratedNames);
        string declarations = Declarations(test);
        Assert.Contains("moved: (position: unknown) => void;", declarations, StringComparison.Ordinal);
        Assert.Contains("fine: (text: string) => void;", declarations, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_run_is_cached_and_the_model_holds_no_Roslyn_objects()
    {
        CSharpCompilation compilation = TestReferences.Compile(new[] { ("Items.cs", Usings + """
            namespace Demo;

            public sealed record Item(string Name, List<Item> Children);

            [SocketIoEvents]
            public interface IItemEvents
            {
                Task<Item> Get(string name);
            }
            """) });
        GeneratorDriver driver = TrackingDriver.Create(typeScript: "true").RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class Unrelated { }", TestReferences.ParseOptions, "Unrelated.cs")));

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        IncrementalGeneratorRunStep[] steps = result.TrackedSteps[TrackingNames.TypeScript].ToArray();
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        var seen = new HashSet<Type>();
        Assert.Empty(steps.SelectMany(s => s.Outputs).SelectMany(o => ModelGraph.FindForbidden(o.Value, "TypeScript", seen)));
        Assert.Contains(seen, t => t.Name == "TypeScriptDeclaration");
    }

    /// <summary>The declarations the build copies out of the generated file (the text between its markers).</summary>
    private static string Declarations(SocketIoGeneratorTest test)
    {
        string carrier = test.File(HintName);
        const string Begin = "//// TYPEDSOCKETIO TYPESCRIPT BEGIN\n", End = "//// TYPEDSOCKETIO TYPESCRIPT END\n";
        int begin = carrier.IndexOf(Begin, StringComparison.Ordinal);
        int end = carrier.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "The generated file has no declarations between its markers:\n" + carrier);
        return carrier[(begin + Begin.Length)..end];
    }
}
