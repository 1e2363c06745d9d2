using Microsoft.CodeAnalysis;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// The generated source of representative contracts, compared with the baselines in Baselines/ and
/// compiled together with the contract: no error, no warning. Regenerate the baselines with
/// <c>TYPEDSOCKETIO_UPDATE_BASELINES=1 dotnet test tests/TypedSocketIo.Generator.Tests</c>.
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
    public void Plain_events()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            namespace Demo.Chat;

            [SocketIoEvents]
            public interface IChatEvents
            {
                void Message(string text);

                void Typing(bool isTyping);

                void Ping();

                void Moved(int x, int y, double? speed, string? note);
            }
            """);

        AssertGenerated(run, "Demo.Chat.IChatEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Return_kinds()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run, "Demo.IReturnKinds.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Event_names()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run, "Demo.INamedEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Naming_policies()
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
        GeneratorRun run = GeneratorHarness.Run(Usings + "namespace Demo.Policies;\n\n" +
            "[SocketIoEvents]\npublic interface IDefaultPolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.CamelCase)]\npublic interface ICamelCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]\npublic interface IKebabCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]\npublic interface ISnakeCasePolicy\n" + Events + "\n\n" +
            "[SocketIoEvents(NamingPolicy = EventNamingPolicy.Exact)]\npublic interface IExactPolicy\n" + Events + "\n");

        AssertGenerated(run,
            "Demo.Policies.ICamelCasePolicy.SocketIo.g.cs",
            "Demo.Policies.IDefaultPolicy.SocketIo.g.cs",
            "Demo.Policies.IExactPolicy.SocketIo.g.cs",
            "Demo.Policies.IKebabCasePolicy.SocketIo.g.cs",
            "Demo.Policies.ISnakeCasePolicy.SocketIo.g.cs",
            "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Binary_payloads()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run, "Demo.IBinaryEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Cancellation_tokens()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface ICancellableEvents
            {
                void Fire(string text, CancellationToken cancellationToken);

                Task Acknowledged(CancellationToken cancellationToken);

                Task<int> Count(string room, CancellationToken ct);

                ValueTask<string> AskName(CancellationToken token);
            }
            """);

        AssertGenerated(run, "Demo.ICancellableEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Interface_inheritance()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run, "Demo.IRoomEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Generic_payloads()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run, "Demo.IHistoryEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    /// <summary>
    /// A contract naming a JsonSerializerContext: System.Text.Json's own source generator runs beside
    /// this one, so the context is the real generated one and the output compiles as in a project.
    /// </summary>
    [Fact]
    public void Serializer_context()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """, withJsonGenerator: true);

        Assert.Contains(run.RunResult.Results, r => r.Generator.GetGeneratorType().Name == "JsonSourceGenerator" && r.GeneratedSources.Length > 0);
        AssertGenerated(run, "Demo.IStrictEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Global_namespace()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [SocketIoEvents]
            public interface IGlobalEvents
            {
                void Hello(string name);

                Task<int> Count();
            }
            """);

        AssertGenerated(run, "IGlobalEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Nested_interface()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
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
            """);

        AssertGenerated(run,
            "Demo.Hidden.IHiddenEvents.SocketIo.g.cs",
            "Demo.Outer.IInnerEvents.SocketIo.g.cs",
            "Demo.Outer.Middle.IDeepEvents.SocketIo.g.cs",
            "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Internal_interface()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            namespace Demo;

            internal sealed record Secret(string Value);

            [SocketIoEvents]
            internal interface IInternalEvents
            {
                void Reveal(Secret secret);

                Task<Secret> Ask(string question);
            }
            """);

        AssertGenerated(run, "Demo.IInternalEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    [Fact]
    public void Keyword_names()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            namespace Demo;

            [SocketIoEvents]
            public interface IKeywordEvents
            {
                void Send(string @event, int @class, bool @params);

                Task<string> @object(string @string, CancellationToken @checked);

                void @event(int @default);
            }
            """);

        AssertGenerated(run, "Demo.IKeywordEvents.SocketIo.g.cs", "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    /// <summary>
    /// Contracts from an assembly that did not run the generator (a metadata-only reference), brought
    /// in with [assembly: SocketIoContracts], beside one declared here.
    /// </summary>
    [Fact]
    public void Imported_contracts()
    {
        MetadataReference shared = GeneratorHarness.MetadataOnlyReference(Usings + """
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

        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [assembly: SocketIoContracts(typeof(Shared.Contracts.IServerEvents), typeof(Shared.Contracts.IClientEvents))]

            namespace App;

            [SocketIoEvents]
            public interface ILocalEvents
            {
                void Local(Shared.Contracts.Notice notice);
            }
            """, extraReferences: new[] { shared });

        AssertGenerated(run,
            "App.ILocalEvents.SocketIo.g.cs",
            "Shared.Contracts.IClientEvents.SocketIo.g.cs",
            "Shared.Contracts.IServerEvents.SocketIo.g.cs",
            "SocketIoContractRegistration.g.cs");
        Baseline.Verify(run.Files);
    }

    /// <summary>
    /// The contracts the end-to-end tests use (tests/TypedSocketIo.TestContracts), compiled as that
    /// project compiles them: no diagnostic, no warning. No baseline: that project changes with the
    /// end-to-end tests.
    /// </summary>
    [Fact]
    public void Test_contracts_project_compiles()
    {
        string directory = Path.Combine(RepositoryRoot(), "tests", "TypedSocketIo.TestContracts");
        var sources = Directory.EnumerateFiles(directory, "*.cs")
            .Order(StringComparer.Ordinal)
            .Select(path => new SourceFile(Path.GetFileName(path), File.ReadAllText(path)))
            .ToList();
        Assert.Contains(sources, s => s.Path == "Contracts.cs");

        // The implicit usings the SDK writes for that project.
        sources.Add(new SourceFile("GlobalUsings.g.cs", """
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """));

        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(sources, assemblyName: "TypedSocketIo.TestContracts"), withJsonGenerator: true);

        AssertGenerated(run,
            "SocketIoContractRegistration.g.cs",
            "TypedSocketIo.TestContracts.IClientEvents.SocketIo.g.cs",
            "TypedSocketIo.TestContracts.IClusterEvents.SocketIo.g.cs",
            "TypedSocketIo.TestContracts.IServerEvents.SocketIo.g.cs",
            "TypedSocketIo.TestContracts.IStrictEvents.SocketIo.g.cs",
            "TypedSocketIo.TestContracts.TypeScript.ITsClientEvents.SocketIo.g.cs",
            "TypedSocketIo.TestContracts.TypeScript.ITsServerEvents.SocketIo.g.cs");
    }

    private static void AssertGenerated(GeneratorRun run, params string[] hintNames)
    {
        Assert.Equal(hintNames.Order(StringComparer.Ordinal), run.Files.Select(f => f.HintName).Order(StringComparer.Ordinal));
        foreach (GeneratedFile file in run.Files)
        {
            Assert.StartsWith("// <auto-generated/>\n", file.Text, StringComparison.Ordinal);
        }

        Assert.Empty(run.Diagnostics);
        run.AssertCleanAndCompiles();
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
