using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>TSIO205: blocking on an acknowledgement inside a Socket.IO handler.</summary>
public sealed class BlockingAckTests
{
    private const string Id = Descriptors.BlockingAckId;

    [Fact]
    public async Task Result_Wait_and_GetResult_on_an_untyped_ack_inside_a_handler_are_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.On("a", e =>
            {
                var answer = [|socket.EmitWithAck("b", []).Result|];
                [|socket.Timeout(timeout).EmitWithAck("b").Wait()|];
                var again = [|socket.EmitWithAck("b", []).GetAwaiter().GetResult()|];
                var all = [|io.Timeout(timeout).EmitWithAck("b").Result|];
                var servers = [|nsp.ServerSideEmitWithAck("b").Result|];
            });
            """), Id);
    }

    [Fact]
    public async Task Blocking_on_a_typed_ack_inside_a_typed_handler_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.On.Hello(name =>
            {
                bool ok = [|typed.Emit.Confirm(1).Result|];
                string who = [|typed.Timeout(timeout).Emit.AskName().Result|];
                string again = [|typed.Emit.AskName().GetAwaiter().GetResult()|];
                IReadOnlyList<bool> all = [|typedNsp.Timeout(timeout).EmitWithAck.Confirm(1).Result|];
                [|typed.Emit.Confirm(2).Wait()|];
            });
            typed.On.Ask(question => [|typed.Emit.Confirm(question.Length).Result|] ? 1 : 0);
            """), Id);
    }

    [Fact]
    public async Task Blocking_inside_connection_handlers_and_middleware_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            io.OnConnection(s =>
            {
                var answer = [|s.EmitWithAck("b", []).Result|];
            });
            typedNsp.OnConnection(s =>
            {
                bool ok = [|s.Emit.Confirm(1).Result|];
            });
            nsp.Use(async (s, next) =>
            {
                [|s.EmitWithAck("b", []).Wait()|];
                await next();
            });
            """), Id);
    }

    [Fact]
    public async Task Blocking_inside_a_class_based_handler_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.Prelude + """
            public sealed class Handler : SocketHandler<IClientEvents, IServerEvents>, IClientEvents
            {
                public void Hello(string name)
                {
                    bool ok = [|Socket.Emit.Confirm(1).Result|];
                }

                public void Chat(string text) => [|Socket.Untyped.EmitWithAck({|TSIO204:"b"|}, []).Wait()|];

                public Task<int> Ask(string question) => Task.FromResult([|Socket.Emit.AskName().Result|].Length);

                // Not a handler: a helper of the class.
                public bool Helper() => Socket.Emit.Confirm(1).Result;
            }
            """, Id);
    }

    [Fact]
    public async Task Awaited_acks_inside_handlers_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.On("a", async e =>
            {
                var answer = await socket.EmitWithAck("b", []);
                bool ok = await typed.Timeout(timeout).Emit.Confirm(1);
                IReadOnlyList<bool> all = await typedNsp.Timeout(timeout).EmitWithAck.Confirm(1);
            });
            typed.On.Ask(async question => await typed.Emit.Confirm(1) ? 1 : 0);
            """));
    }

    [Fact]
    public async Task Blocking_outside_handlers_and_on_tasks_that_are_no_acks_is_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                var answer = socket.EmitWithAck("b", []).Result;
                bool ok = typed.Emit.Confirm(1).Result;
                _ = Task.Run(() => socket.EmitWithAck("b", []).Wait());
                socket.On("a", e =>
                {
                    int n = Task.FromResult(1).Result;
                    Task.Delay(1).Wait();
                    Task.CompletedTask.GetAwaiter().GetResult();
                });
                """,
            members: """
                private static bool Helper(Socket<IClientEvents, IServerEvents> typed) => typed.Emit.Confirm(1).Result;
                """));
    }
}
