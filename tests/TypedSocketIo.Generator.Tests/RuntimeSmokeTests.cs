using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// Contracts compiled with the generator's output into an assembly loaded here (a collectible load
/// context): its module initializer registers them, and the generated emitters and dispatchers
/// encode and decode real events through fake targets.
/// </summary>
public sealed class RuntimeSmokeTests : IClassFixture<RuntimeSmokeTests.CompiledContracts>
{
    private readonly CompiledContracts _compiled;

    public RuntimeSmokeTests(CompiledContracts compiled) => _compiled = compiled;

    [Fact]
    public void Module_initializer_registers_the_events()
    {
        Assert.True(Registry("IServerEvents").IsRegistered);
        Assert.Equal(
            new[]
            {
                new SocketIoEventInfo("user joined", "UserJoined", 2, false),
                new SocketIoEventInfo("count-clients", "CountClients", 1, true),
                new SocketIoEventInfo("ping", "Ping", 0, true),
                new SocketIoEventInfo("upload", "Upload", 2, false),
                new SocketIoEventInfo("get-profile", "GetProfile", 1, true),
            },
            Registry("IServerEvents").Events);
        Assert.Equal(
            new[]
            {
                new SocketIoEventInfo("echo", "Echo", 1, true),
                new SocketIoEventInfo("typing", "Typing", 1, false),
            },
            Registry("IClientEvents").Events);
    }

    [Fact]
    public async Task Emitter_encodes_each_event()
    {
        var target = new FakeEmitTarget();
        object emitter = Registry("IServerEvents").CreateEmitter(target);

        Call(emitter, "IServerEvents", "UserJoined", "bob", 3);
        Call(emitter, "IServerEvents", "Upload", "a.txt", new byte[] { 1, 2, 3 });
        target.Ack = """[7]""";
        int count = await (Task<int>)Call(emitter, "IServerEvents", "CountClients", "lobby", CancellationToken.None)!;
        target.Ack = """[{"name":"Ann","level":2}]""";
        object profile = await AwaitResult((Task)Call(emitter, "IServerEvents", "GetProfile", Guid.Empty)!);

        Assert.Equal(
            new[]
            {
                """user joined ["user joined","bob",3]""",
                """upload ["upload","a.txt",{"_placeholder":true,"num":0}]""",
                """count-clients ["count-clients","lobby"]""",
                """get-profile ["get-profile","00000000-0000-0000-0000-000000000000"]""",
            },
            target.Sent.Select(e => e.Name + " " + Encoding.UTF8.GetString(e.Json.Span)));
        Assert.Equal(new byte[] { 1, 2, 3 }, target.Sent[1].Attachments.Single().ToArray());
        Assert.Equal(new[] { false, false, true, true }, target.Sent.Select(e => e.ExpectedAck));
        Assert.Equal(7, count);
        Assert.Equal("Profile { Name = Ann, Level = 2 }", profile.ToString());
    }

    [Fact]
    public void Listeners_dispatch_to_typed_handlers()
    {
        var target = new FakeListenTarget();
        object listeners = Activator.CreateInstance(typeof(Listeners<>).MakeGenericType(_compiled.Contract("IServerEvents")), target)!;
        (string, int)? joined = null;
        Type extensions = _compiled.Type("ServerEventsListeners");
        Extension(extensions, "UserJoined", typeof(Action<string, int>)).Invoke(null, new object[] { listeners, new Action<string, int>((n, o) => joined = (n, o)) });
        Extension(extensions, "CountClients", typeof(Func<string, CancellationToken, int>)).Invoke(null, new object[] { listeners, new Func<string, CancellationToken, int>((room, _) => room.Length) });

        Task done = target.Handlers["user joined"](new FakeIncomingEvent("user joined", """["bob",3]""", ackId: null));
        var countEvent = new FakeIncomingEvent("count-clients", """["lobby"]""", ackId: 1);
        Task counted = target.Handlers["count-clients"](countEvent);
        var invalid = new FakeIncomingEvent("user joined", """["bob","three"]""", ackId: 2);
        target.Handlers["user joined"](invalid);

        Assert.True(done.IsCompletedSuccessfully && counted.IsCompletedSuccessfully);
        Assert.Equal(("bob", 3), joined);
        Assert.Equal("[5]", countEvent.SentAck);
        Assert.Contains("argument 2 (online)", invalid.Rejected, StringComparison.Ordinal);
        Assert.StartsWith("""[{"error":"invalid arguments""", invalid.SentAck, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_binds_every_method_of_a_handler()
    {
        var target = new FakeListenTarget();
        object listeners = Activator.CreateInstance(typeof(Listeners<>).MakeGenericType(_compiled.Contract("IClientEvents")), target)!;
        object handler = Activator.CreateInstance(_compiled.Type("ClientHandler"))!;

        using var registration = (IDisposable)listeners.GetType().GetMethod("Add")!.Invoke(listeners, new[] { handler })!;

        Assert.Equal(new[] { "echo", "typing" }, target.Handlers.Keys.Order(StringComparer.Ordinal));
        await target.Handlers["typing"](new FakeIncomingEvent("typing", "[true]", ackId: null));
        var echo = new FakeIncomingEvent("echo", """[{"_placeholder":true,"num":0}]""", ackId: 4, new byte[] { 9, 8 });
        await target.Handlers["echo"](echo);

        Assert.Equal("typing True", handler.ToString());
        Assert.Equal("""[{"_placeholder":true,"num":0}]""", echo.SentAck);
        Assert.Equal(new byte[] { 9, 8, 7 }, echo.AckAttachments.Single().ToArray());
    }

    private RegistryView Registry(string contract) => new RegistryView(typeof(SocketIoContract<>).MakeGenericType(_compiled.Contract(contract)));

    private object? Call(object emitter, string contract, string method, params object?[] arguments)
    {
        try
        {
            return _compiled.Contract(contract).GetMethod(method)!.Invoke(emitter, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    private static async Task<object> AwaitResult(Task task)
    {
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    private static MethodInfo Extension(Type type, string name, Type handler) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == name && m.GetParameters()[1].ParameterType == handler);

    /// <summary>The static members of a closed <c>SocketIoContract&lt;T&gt;</c>, through reflection.</summary>
    private sealed class RegistryView(Type registry)
    {
        public bool IsRegistered => (bool)registry.GetProperty(nameof(SocketIoContract<object>.IsRegistered))!.GetValue(null)!;

        public IReadOnlyList<SocketIoEventInfo> Events => (IReadOnlyList<SocketIoEventInfo>)registry.GetProperty(nameof(SocketIoContract<object>.Events))!.GetValue(null)!;

        public object CreateEmitter(ISocketIoEmitTarget target) => registry.GetMethod(nameof(SocketIoContract<object>.CreateEmitter))!.Invoke(null, new object[] { target })!;
    }

    /// <summary>The contracts, compiled once with the generator's output and loaded in a collectible context.</summary>
    public sealed class CompiledContracts : IDisposable
    {
        private const string Source = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using TypedSocketIo;

            namespace Smoke;

            public sealed record Profile(string Name, int Level);

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
            public interface IServerEvents
            {
                [Event("user joined")]
                void UserJoined(string name, int online);

                Task<int> CountClients(string room, CancellationToken cancellationToken);

                ValueTask Ping();

                void Upload(string name, byte[] content);

                Task<Profile> GetProfile(Guid id);
            }

            public interface IBasics
            {
                void Typing(bool isTyping);
            }

            [SocketIoEvents]
            public interface IClientEvents : IBasics
            {
                Task<byte[]> Echo(byte[] data);
            }

            public sealed class ClientHandler : IClientEvents
            {
                private string _last = "";

                public void Typing(bool isTyping) => _last = "typing " + isTyping;

                public Task<byte[]> Echo(byte[] data) => Task.FromResult(new byte[] { data[0], data[1], 7 });

                public override string ToString() => _last;
            }
            """;

        private readonly AssemblyLoadContext _context = new("TypedSocketIo.Generator.Tests.Smoke", isCollectible: true);

        public CompiledContracts()
        {
            // The test framework compiles the contracts with the generated code (no diagnostic, no
            // warning); what it cannot do is run that code, so the compilation is emitted and loaded here.
            var run = new SocketIoGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = Source };
            Task.Run(() => run.RunAsync()).GetAwaiter().GetResult();
            using var stream = new MemoryStream();
            EmitResult result = run.Output.Emit(stream);
            Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics.Select(d => d.ToString())));
            stream.Position = 0;
            Assembly = _context.LoadFromStream(stream);

            // What the runtime does on first use of the module; done here explicitly.
            RuntimeHelpers.RunModuleConstructor(Assembly.ManifestModule.ModuleHandle);
        }

        public Assembly Assembly { get; }

        public Type Contract(string name) => Type(name);

        public Type Type(string name) => Assembly.GetType("Smoke." + name, throwOnError: true)!;

        public void Dispose() => _context.Unload();
    }

    private sealed class FakeEmitTarget : ISocketIoEmitTarget
    {
        public List<(string Name, ReadOnlyMemory<byte> Json, IReadOnlyList<ReadOnlyMemory<byte>> Attachments, bool ExpectedAck)> Sent { get; } = new();

        public string Ack { get; set; } = "[]";

        public JsonSerializerOptions JsonOptions => SocketIoJson.DefaultOptions;

        public bool Emit(in EventData data)
        {
            Sent.Add((data.Name, data.Json, data.Attachments, false));
            return true;
        }

        public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken)
        {
            Sent.Add((data.Name, data.Json, data.Attachments, true));
            return Task.FromResult(new SocketIoArgs(Encoding.UTF8.GetBytes(Ack), Array.Empty<ReadOnlyMemory<byte>>()));
        }
    }

    private sealed class FakeListenTarget : ISocketIoListenTarget
    {
        public Dictionary<string, Func<IncomingEvent, Task>> Handlers { get; } = new(StringComparer.Ordinal);

        public JsonSerializerOptions JsonOptions => SocketIoJson.DefaultOptions;

        public IDisposable On(string eventName, Func<IncomingEvent, Task> handler)
        {
            Handlers.Add(eventName, handler);
            return new Registration(() => Handlers.Remove(eventName));
        }

        private sealed class Registration(Action dispose) : IDisposable
        {
            public void Dispose() => dispose();
        }
    }

    private sealed class FakeIncomingEvent(string name, string json, long? ackId, params byte[][] attachments)
        : IncomingEvent(name, new SocketIoArgs(Encoding.UTF8.GetBytes(json), attachments.Select(a => (ReadOnlyMemory<byte>)a).ToArray()), ackId)
    {
        public string? SentAck { get; private set; }

        public IReadOnlyList<ReadOnlyMemory<byte>> AckAttachments { get; private set; } = Array.Empty<ReadOnlyMemory<byte>>();

        public string Rejected { get; private set; } = "";

        public override CancellationToken Aborted => CancellationToken.None;

        protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
        {
            SentAck = Encoding.UTF8.GetString(jsonArray.Span);
            AckAttachments = attachments;
            return true;
        }

        protected override void LogRejected(string reason) => Rejected = reason;
    }
}
