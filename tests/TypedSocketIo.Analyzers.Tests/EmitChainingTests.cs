using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>TSIO200: members used on the bool an untyped emit returns.</summary>
public sealed class EmitChainingTests
{
    private const string Id = Descriptors.EmitChainingId;

    [Fact]
    public async Task Chaining_emits_on_a_socket_is_reported_on_the_second_emit_even_though_it_does_not_compile()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Emit("a")[|.{|CS1061:Emit|}|]("b");
            """), Id);
    }

    [Fact]
    public async Task Chaining_emits_on_a_broadcast_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            io.To("room").Emit("a")[|.{|CS1061:Emit|}|]("b");
            nsp.Except("room").Emit("a", 1)[|.{|CS1061:Emit|}|]("b", 2);
            socket.Broadcast.Emit("a")[|.{|CS1061:Emit|}|]("b");
            """), Id);
    }

    [Fact]
    public async Task A_chain_of_three_emits_is_reported_once_where_the_bool_is_first_used()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Emit("a")[|.{|CS1061:Emit|}|]("b").Emit("c");
            """), Id);
    }

    [Fact]
    public async Task Any_member_used_on_the_bool_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            string text = socket.Emit("a")[|.ToString|]();
            int order = io.Emit("a")[|.CompareTo|](true);
            bool same = nsp.ServerSideEmit("a")[|.Equals|](false);
            _ = socket.Timeout(timeout).Emit("a")[|.GetHashCode|]();
            _ = socket.Send("hi")[|.ToString|]();
            _ = nsp.Write("hi")[|.ToString|]();
            foreach (RemoteSocket remote in await io.FetchSockets())
            {
                _ = remote.Emit("a")[|.ToString|]();
            }
            """), Id);
    }

    [Fact]
    public async Task A_conditional_access_on_the_bool_is_reported_from_the_question_mark()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            _ = socket.Emit("a")[|{|CS0023:?|}.ToString|]();
            """), Id);
    }

    [Fact]
    public async Task A_member_used_on_the_parenthesized_bool_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            _ = (socket.Emit("a"))[|.ToString|]();
            """), Id);
    }

    [Fact]
    public async Task Using_the_bool_as_a_bool_is_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            bool ok = socket.Emit("a");
            if (io.To("room").Emit("a") && nsp.Emit("b"))
            {
                ok = !socket.Volatile.Emit("c");
            }

            var sent = new List<bool> { socket.Emit("d") };
            _ = sent.Count;
            _ = ok ? 1 : 0;
            """));
    }

    [Fact]
    public async Task Chains_on_other_types_and_on_the_typed_API_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                var bus = new Bus();
                _ = bus.Emit("a").ToString();
                bus.Chain("a").Emit("b");
                socket.On("a", e => _ = e.Ack(1).ToString());
                _ = socket.Rooms.Count;
                _ = io.To("room").Except("other").Volatile.Timeout(timeout).Local;
                typed.Emit.Greet("a");
                typedNsp.To("room").Emit.Greet("b");
                _ = typed.Emit.Confirm(1).IsCompleted;
                _ = socket.EmitWithAck("a", []).IsCompleted;
                _ = io.Timeout(timeout).EmitWithAck("a").ConfigureAwait(false);
                """,
            members: """
                private sealed class Bus
                {
                    public bool Emit(string eventName, params object?[] args) => true;

                    public Bus Chain(string eventName) => this;
                }
                """));
    }
}
