using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>The TSIO200 code fix: one statement per emit, each on the original target.</summary>
public sealed class EmitChainingCodeFixTests
{
    private const string Id = Descriptors.EmitChainingId;

        [Fact]
    public async Task Splits_two_emits_on_a_socket()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            socket.Emit("a")[|.{|CS1061:Emit|}|]("b", 1);
            """), Sources.InMethod("""
            socket.Emit("a");
            socket.Emit("b", 1);
            """), Id);
    }

    [Fact]
    public async Task Splits_three_emits()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            socket.Timeout(timeout).Emit("a", 1)[|.{|CS1061:Emit|}|]("b", "two").Emit("c");
            """), Sources.InMethod("""
            socket.Timeout(timeout).Emit("a", 1);
            socket.Timeout(timeout).Emit("b", "two");
            socket.Timeout(timeout).Emit("c");
            """), Id);
    }

    [Fact]
    public async Task Splits_emits_on_a_broadcast_repeating_its_target()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            io.To("room").Emit("a")[|.{|CS1061:Emit|}|]("b");
            """), Sources.InMethod("""
            io.To("room").Emit("a");
            io.To("room").Emit("b");
            """), Id);
    }

    [Fact]
    public async Task Keeps_the_comments_around_the_statement()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            // greet twice
            socket.Emit("hello")[|.{|CS1061:Emit|}|]("welcome"); // then wait
            socket.Emit("done");
            """), Sources.InMethod("""
            // greet twice
            socket.Emit("hello");
            socket.Emit("welcome"); // then wait
            socket.Emit("done");
            """), Id);
    }

    [Fact]
    public async Task Splits_a_chain_written_over_several_lines()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            nsp.To("room")
                .Emit("a")
                [|.{|CS1061:Emit|}|]("b");
            """), Sources.InMethod("""
            nsp.To("room").Emit("a");
            nsp.To("room").Emit("b");
            """), Id);
    }

    [Fact]
    public async Task Splits_a_chain_in_a_switch_section()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod("""
            switch (socket.Id)
            {
                case "x":
                    socket.Emit("a")[|.{|CS1061:Emit|}|]("b");
                    break;
            }
            """), Sources.InMethod("""
            switch (socket.Id)
            {
                case "x":
                    socket.Emit("a");
                    socket.Emit("b");
                    break;
            }
            """), Id);
    }

    [Fact]
    public async Task Splits_a_chain_among_top_level_statements()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync("""
            using TypedSocketIo.Server;

            SocketIoServer io = null!;
            io.To("room").Emit("a")[|.{|CS1061:Emit|}|]("b");
            """, """
            using TypedSocketIo.Server;

            SocketIoServer io = null!;
            io.To("room").Emit("a");
            io.To("room").Emit("b");
            """, Id, Microsoft.CodeAnalysis.OutputKind.ConsoleApplication);
    }

    [Fact]
    public async Task Offers_no_fix_where_the_bool_is_used_for_something_else_or_no_statement_can_be_split()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyNoFixAsync(Sources.InMethod("""
            _ = socket.Emit("a")[|.ToString|]();
            string text = io.Emit("a")[|.ToString|]();
            if (text.Length > 0) socket.Emit("a")[|.{|CS1061:Emit|}|]("b");
            io.OnConnection(s => s.Emit("a")[|.{|CS1061:Emit|}|]("b"));
            """), Id);
    }

    [Fact]
    public async Task Splits_every_chain_of_a_document_at_once()
    {
        await SocketIoCodeFixTest<EmitChainingCodeFix>.VerifyAsync(Sources.InMethod(
            body: """
                socket.Emit("a")[|.{|CS1061:Emit|}|]("b");
                io.To("room").Emit("c", 1)[|.{|CS1061:Emit|}|]("d", 2).Emit("e");
                if (socket.Connected)
                {
                    nsp.Emit("f")[|.{|CS1061:Emit|}|]("g"); // both
                }
                """,
            members: """
                private static void Other(Socket socket)
                {
                    socket.Volatile.Emit("h")[|.{|CS1061:Emit|}|]("i");
                }
                """), Sources.InMethod(
            body: """
                socket.Emit("a");
                socket.Emit("b");
                io.To("room").Emit("c", 1);
                io.To("room").Emit("d", 2);
                io.To("room").Emit("e");
                if (socket.Connected)
                {
                    nsp.Emit("f");
                    nsp.Emit("g"); // both
                }
                """,
            members: """
                private static void Other(Socket socket)
                {
                    socket.Volatile.Emit("h");
                    socket.Volatile.Emit("i");
                }
                """), Id);
    }
}
