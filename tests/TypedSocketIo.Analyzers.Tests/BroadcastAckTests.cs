using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>TSIO201 (broadcast acknowledgements without a timeout) and TSIO202 (acknowledgements from volatile emits).</summary>
public sealed class BroadcastAckTests
{
    [Fact]
    public async Task An_untyped_broadcast_with_acks_and_no_timeout_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            await [|io.To("room").EmitWithAck("a")|];
            await [|io.Local.EmitWithAck("a", [1])|];
            await [|nsp.Except("room").EmitWithAck("a")|];
            await [|socket.Broadcast.EmitWithAck("a")|];
            await [|socket.To("room").In("other").EmitWithAck("a")|];
            await [|io.Of("/admin").To("room").EmitWithAck("a")|];
            """), Descriptors.BroadcastAckWithoutTimeoutId);
    }

    [Fact]
    public async Task A_typed_broadcast_with_acks_and_no_timeout_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            IReadOnlyList<bool> answers = await [|typedNsp.To("room").EmitWithAck.Confirm(1)|];
            IReadOnlyList<string> names = await [|typed.Broadcast.EmitWithAck.AskName()|];
            await [|typed.To("room").Except("other").EmitWithAck.Confirm(2)|];
            await [|typedNsp.Local.EmitWithAck.Confirm(3)|];
            """), Descriptors.BroadcastAckWithoutTimeoutId);
    }

    [Fact]
    public async Task A_timeout_anywhere_in_the_chain_is_enough()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            await io.Timeout(timeout).To("room").EmitWithAck("a");
            await io.To("room").Timeout(timeout).Except("other").EmitWithAck("a");
            await nsp.Except("room").Local.Timeout(timeout).EmitWithAck("a");
            await socket.Broadcast.Timeout(timeout).EmitWithAck("a");
            await typedNsp.Timeout(timeout).To("room").EmitWithAck.Confirm(1);
            await typedNsp.To("room").Timeout(timeout).Except("other").EmitWithAck.Confirm(1);
            await typed.Broadcast.Timeout(timeout).EmitWithAck.AskName();
            """));
    }

    [Fact]
    public async Task A_broadcast_kept_in_a_variable_or_returned_by_a_method_is_not_reported()
    {
        // Its flags are unknown where it is used: a Timeout may have been set where it was made.
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                BroadcastOperator room = io.To("room");
                await room.EmitWithAck("a");
                await room.Except("other").EmitWithAck("a");
                BroadcastOperator<IServerEvents> typedRoom = typedNsp.To("room");
                await typedRoom.EmitWithAck.Confirm(1);
                await Room(io).EmitWithAck("a");
                """,
            members: """
                private static BroadcastOperator Room(SocketIoServer io) => io.To("room").Timeout(TimeSpan.FromSeconds(5));
                """));
    }

    [Fact]
    public async Task Acks_from_one_socket_and_from_other_servers_need_no_timeout()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            await socket.EmitWithAck("a", []);
            await socket.Timeout(timeout).EmitWithAck("a");
            bool ok = await typed.Emit.Confirm(1);
            string name = await typed.Emit.AskName();
            await nsp.ServerSideEmitWithAck("a");
            io.To("room").Emit("a");
            typedNsp.To("room").Emit.Greet("hi");
            """));
    }

    [Fact]
    public async Task An_ack_expected_from_a_volatile_emit_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            await [|socket.Volatile.EmitWithAck("a", [1])|];
            await [|socket.Timeout(timeout).Volatile.EmitWithAck("a")|];
            await [|socket.Volatile.Compress(false).EmitWithAck("a")|];
            bool ok = await [|typed.Volatile.Emit.Confirm(1)|];
            string name = await [|typed.Volatile.Timeout(timeout).Emit.AskName()|];
            await [|io.Volatile.Timeout(timeout).EmitWithAck("a")|];
            await [|typedNsp.Volatile.Timeout(timeout).EmitWithAck.Confirm(1)|];
            await [|typedNsp.To("room").Timeout(timeout).Volatile.EmitWithAck.Confirm(1)|];
            """), Descriptors.VolatileAckId);
    }

    [Fact]
    public async Task A_volatile_broadcast_with_acks_and_no_timeout_gets_both_warnings()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            await {|TSIO201:{|TSIO202:io.Volatile.EmitWithAck("a")|}|};
            await {|TSIO201:{|TSIO202:typedNsp.Volatile.EmitWithAck.Confirm(1)|}|};
            """));
    }

    [Fact]
    public async Task Volatile_emits_without_acks_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Volatile.Emit("a");
            io.Volatile.Emit("a");
            typed.Volatile.Emit.Greet("hi");
            typedNsp.Volatile.Emit.Greet("hi");
            await socket.Timeout(timeout).EmitWithAck("a");
            """));
    }
}
