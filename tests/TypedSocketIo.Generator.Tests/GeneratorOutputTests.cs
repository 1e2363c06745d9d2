using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The generated source of representative contracts: the test framework compares the files the
/// generator adds with the baselines in Baselines/ (<c>{Class}.{Test}#{HintName}.verified.cs</c>),
/// and the contract compiles with them: no diagnostic, no warning. Refresh the baselines after a
/// deliberate change of the output with
/// <c>TYPEDSOCKETIO_UPDATE_BASELINES=1 dotnet test tests/TypedSocketIo.Generator.Tests</c>
/// (then read the diff before committing it).
/// </summary>
public sealed class GeneratorOutputTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;

        """;

    [Fact]
    public async Task Plain_events()
    {
        await VerifyAsync(Usings + """
            namespace Demo.Chat;

            [SocketIoEvents]
            public interface IChatEvents
            {
                void Message(string text);

                void Typing(bool isTyping);

                void Ping();

                void Moved(int x, int y, double? speed, string? note);
            }
            """,
            new[] { "Demo.Chat.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Return_kinds()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            public sealed record Profile(string Name, int Level);

            [SocketIoEvents]
            public interface IReturnKinds
            {
                void Fire(string value);

                Task Acknowledged(string value);

                ValueTask AcknowledgedValue(string value);

                Task<int> Count(string room);

                ValueTask<Profile?> Lookup(Guid id);

                Task<string?> Name();

                ValueTask<IReadOnlyList<Profile>> All();
            }
            """,
            new[] { "Demo.IReturnKinds.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Event_names()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface INamedEvents
            {
                [Event("user joined")]
                void UserJoined(string name, int online);

                [Event("chat:message")]
                Task<bool> Message(string text);

                [Event("quote \" backslash \\ <xml> & tab \t")]
                void Strange();

                [Event("Ümlaut-事件")]
                void Unicode();

                void Plain();
            }
            """,
            new[] { "Demo.INamedEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Naming_policies()
    {
        const string Events = """
            {
                void UserJoined(string name);

                void URLValue();

                Task<int> XMLHttpRequest(int id);

                [Event("Kept As Is")]
                void Renamed();
            }
            """;
        await VerifyAsync(Usings + "namespace Demo.Policies;\n\n" +
            "[SocketIoEvents]\npublic interface IDefaultPolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.CamelCase)]\npublic interface ICamelCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]\npublic interface IKebabCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]\npublic interface ISnakeCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.Exact)]\npublic interface IExactPolicy\n" + Events + "\n",
            new[] { "Demo.Policies.ICamelCasePolicy.SocketIo.g.cs", "Demo.Policies.IDefaultPolicy.SocketIo.g.cs", "Demo.Policies.IExactPolicy.SocketIo.g.cs", "Demo.Policies.IKebabCasePolicy.SocketIo.g.cs", "Demo.Policies.ISnakeCasePolicy.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Binary_payloads()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            public sealed record FileBlob(string Name, byte[] Content);

            [SocketIoEvents]
            public interface IBinaryEvents
            {
                void Upload(string name, byte[] content, ReadOnlyMemory<byte> checksum);

                void Blob(FileBlob file);

                Task<byte[]> Echo(byte[] data);

                ValueTask<byte[]> EchoValue(byte[] data);

                Task<ReadOnlyMemory<byte>> Hash(ReadOnlyMemory<byte> data);

                ValueTask<ReadOnlyMemory<byte>> HashValue(ReadOnlyMemory<byte> data);

                Task<int> Size(byte[]? maybe, Memory<byte> asJson);
            }
            """,
            new[] { "Demo.IBinaryEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Cancellation_tokens()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface ICancellableEvents
            {
                void Fire(string text, CancellationToken cancellationToken);

                Task Acknowledged(CancellationToken cancellationToken);

                Task<int> Count(string room, CancellationToken ct);

                ValueTask<string> AskName(CancellationToken token);
            }
            """,
            new[] { "Demo.ICancellableEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Interface_inheritance()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            public interface IBasics
            {
                void Typing(bool isTyping);
            }

            public interface IPresence : IBasics
            {
                Task<int> Online();
            }

            public interface IModeration : IBasics
            {
                [Event("kick")]
                void Kick(string user);
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface IRoomEvents : IPresence, IModeration
            {
                void RoomMessage(string text);
            }
            """,
            new[] { "Demo.IRoomEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Generic_payloads()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            public sealed record ChatMessage(string Room, string Text);

            public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

            [SocketIoEvents]
            public interface IHistoryEvents
            {
                Task<Page<ChatMessage>> History(string room, int page);

                void Snapshot(Dictionary<string, List<int>> counts, (int Id, string Name) pair);

                ValueTask<Page<Page<string?>>> Nested(int[] ids, List<ChatMessage?> messages);
            }
            """,
            new[] { "Demo.IHistoryEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    /// <summary>
    /// A contract naming a JsonSerializerContext: System.Text.Json's own source generator runs beside
    /// this one, so the context is the real generated one and the output compiles as in a project.
    /// </summary>
    [Fact]
    public async Task Serializer_context()
    {
        SocketIoGeneratorTest test = await VerifyAsync(Usings + """
            using System.Text.Json.Serialization;

            namespace Demo;

            public sealed record ChatMessage(string Room, string Text, DateTimeOffset At);

            public sealed record JoinResult(bool Ok, int Members);

            [JsonSerializable(typeof(ChatMessage))]
            [JsonSerializable(typeof(JoinResult))]
            [JsonSerializable(typeof(int))]
            [JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
            public sealed partial class ChatJsonContext : JsonSerializerContext;

            [SocketIoEvents(SerializerContext = typeof(ChatJsonContext), NamingPolicy = EventNamingPolicy.KebabCase)]
            public interface IStrictEvents
            {
                Task<JoinResult> JoinRoom(string room);

                void SendMessage(ChatMessage message);

                Task<int> CountUp(int value, byte[] attachment);
            }
            """,
            new[] { "Demo.IStrictEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, withJsonGenerator: true);

        Assert.Contains(test.Output.SyntaxTrees, t => t.FilePath.Contains("JsonSourceGenerator", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Global_namespace()
    {
        await VerifyAsync(Usings + """
            [SocketIoEvents]
            public interface IGlobalEvents
            {
                void Hello(string name);

                Task<int> Count();
            }
            """,
            new[] { "IGlobalEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Nested_interface()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            public static class Outer
            {
                [SocketIoEvents]
                public interface IInnerEvents
                {
                    void Hello(string name);
                }

                public sealed class Middle
                {
                    [SocketIoEvents]
                    public interface IDeepEvents
                    {
                        Task<bool> Deep(int level);
                    }
                }
            }

            internal sealed class Hidden
            {
                [SocketIoEvents]
                public interface IHiddenEvents
                {
                    void Secret(string value);
                }
            }
            """,
            new[] { "Demo.Hidden.IHiddenEvents.SocketIo.g.cs", "Demo.Outer.IInnerEvents.SocketIo.g.cs", "Demo.Outer.Middle.IDeepEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Internal_interface()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            internal sealed record Secret(string Value);

            [SocketIoEvents]
            internal interface IInternalEvents
            {
                void Reveal(Secret secret);

                Task<Secret> Ask(string question);
            }
            """,
            new[] { "Demo.IInternalEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    [Fact]
    public async Task Keyword_names()
    {
        await VerifyAsync(Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface IKeywordEvents
            {
                void Send(string @event, int @class, bool @params);

                Task<string> @object(string @string, CancellationToken @checked);

                void @event(int @default);
            }
            """,
            new[] { "Demo.IKeywordEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" });
    }

    /// <summary>
    /// Contracts from an assembly that did not run the generator (a metadata-only reference), brought
    /// in with [assembly: SocketIoContracts], beside one declared here.
    /// </summary>
    [Fact]
    public async Task Imported_contracts()
    {
        MetadataReference shared = TestReferences.MetadataOnlyReference(Usings + """
            namespace Shared.Contracts;

            public sealed record Notice(string Text);

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
            public interface IServerEvents
            {
                void NewNotice(Notice notice);

                Task<bool> ConfirmRead(Guid id);
            }

            public interface IClientEvents
            {
                [Event("say")]
                void Say(string text);

                ValueTask<int> Count(CancellationToken cancellationToken);
            }
            """, "Shared.Contracts");

        await VerifyAsync(Usings + """
            [assembly: SocketIoContracts(typeof(Shared.Contracts.IServerEvents), typeof(Shared.Contracts.IClientEvents))]

            namespace App;

            [SocketIoEvents]
            public interface ILocalEvents
            {
                void Local(Shared.Contracts.Notice notice);
            }
            """,
            new[] { "App.ILocalEvents.SocketIo.g.cs", "Shared.Contracts.IClientEvents.SocketIo.g.cs", "Shared.Contracts.IServerEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs" }, reference: shared);
    }

    /// <summary>
    /// The contracts the end-to-end tests use (tests/TypedSocketIo.TestContracts), compiled as that
    /// project compiles them: no diagnostic, no warning. No baseline: that project changes with the
    /// end-to-end tests.
    /// </summary>
    [Fact]
    public async Task Test_contracts_project_compiles()
    {
        string directory = Path.Combine(RepositoryRoot(), "tests", "TypedSocketIo.TestContracts");
        var test = new SocketIoGeneratorTest { WithJsonGenerator = true, TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck };
        foreach (string path in Directory.EnumerateFiles(directory, "*.cs").Order(StringComparer.Ordinal))
        {
            test.TestState.Sources.Add((Path.GetFileName(path), File.ReadAllText(path)));
        }

        Assert.Contains(test.TestState.Sources, s => s.filename == "Contracts.cs");

        // The implicit usings the SDK writes for that project.
        test.TestState.Sources.Add(("GlobalUsings.g.cs", """
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """));
        test.SolutionTransforms.Add((solution, project) => solution.WithProjectAssemblyName(project, "TypedSocketIo.TestContracts"));

        await test.RunAsync();

        Assert.Equal(
            new[]
            {
                "SocketIoContractRegistration.g.cs",
                "TypedSocketIo.TestContracts.IClientEvents.SocketIo.g.cs",
                "TypedSocketIo.TestContracts.IClusterEvents.SocketIo.g.cs",
                "TypedSocketIo.TestContracts.IServerEvents.SocketIo.g.cs",
                "TypedSocketIo.TestContracts.IStrictEvents.SocketIo.g.cs",
                "TypedSocketIo.TestContracts.TypeScript.ITsClientEvents.SocketIo.g.cs",
                "TypedSocketIo.TestContracts.TypeScript.ITsServerEvents.SocketIo.g.cs",
            },
            test.GeneratedNames);
    }

    /// <summary>
    /// Runs the generator over <paramref name="source"/>: it reports nothing, adds exactly
    /// <paramref name="hintNames"/>, each as its baseline says, and the whole compiles without a warning.
    /// </summary>
    private static async Task<SocketIoGeneratorTest> VerifyAsync(string source, string[] hintNames, bool withJsonGenerator = false, MetadataReference? reference = null, [CallerMemberName] string testMethod = "")
    {
        var test = new SocketIoGeneratorTest { TestCode = source, WithJsonGenerator = withJsonGenerator };
        if (reference is not null)
        {
            test.TestState.AdditionalReferences.Add(reference);
        }

        await Baselines.RunAsync(test, hintNames, testMethod: testMethod);
        return test;
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
