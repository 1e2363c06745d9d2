using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>
/// Untyped emits and handlers reached through a typed view's <c>Untyped</c>: TSIO203 for an
/// event the contract declares (use the typed member), TSIO204 for one it does not (a likely typo).
/// </summary>
public sealed class UntypedOnTypedTests
{
    [Fact]
    public async Task Events_the_contract_declares_are_reported_as_TSIO203()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Untyped.Emit([|"greet"|], "hi");
            await typed.Untyped.EmitWithAck([|"confirm"|], [1]);
            await typed.Untyped.Timeout(timeout).EmitWithAck([|"askName"|]);
            typed.Untyped.Volatile.Emit([|"greet"|]);
            typed.Untyped.On([|"hello"|], e => { });
            typed.Untyped.On([|"chat message"|], e => Task.CompletedTask);
            typed.Untyped.OnWithAck([|"ask"|], e => Task.FromResult<object?>(1));
            typed.Untyped.Off([|"hello"|]);
            typed.Untyped.Broadcast.Emit([|"greet"|]);
            typedNsp.Untyped.Emit([|"greet"|]);
            typedNsp.Untyped.To("room").Emit([|"greet"|]);
            clusterNsp.Untyped.Emit([|"greet"|]);
            """), Descriptors.UntypedDeclaredEventId);
    }

    [Fact]
    public async Task The_message_names_the_typed_member()
    {
        ImmutableArray<Diagnostic> reported = await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Untyped.On([|"chat message"|], e => { });
            """), Descriptors.UntypedDeclaredEventId);

        Assert.Equal(
            "'chat message' is declared by the contract IClientEvents as On.Chat: use the typed member instead of the untyped On",
            Assert.Single(reported).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Events_the_contract_does_not_declare_are_reported_as_TSIO204()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Untyped.Emit([|"gret"|], "hi");
            typed.Untyped.Emit([|"Greet"|], "hi");
            typed.Untyped.On([|"helo"|], e => { });
            typed.Untyped.On([|"chat"|], e => { });
            typedNsp.Untyped.To("room").Emit([|"greeting"|]);
            // the other direction's events
            typed.Untyped.Emit([|"hello"|]);
            typed.Untyped.On([|"greet"|], e => { });
            """), Descriptors.UntypedUndeclaredEventId);
    }

    [Fact]
    public async Task Untyped_emits_of_a_typed_broadcast_are_checked_against_its_contract()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typedNsp.To("room").Untyped.Emit({|TSIO203:"greet"|});
            typed.Broadcast.Untyped.Except("other").Emit({|TSIO203:"greet"|});
            typedNsp.To("room").Untyped.Emit({|TSIO204:"greeting"|});
            """));
    }

    [Fact]
    public async Task The_message_lists_the_contract_events()
    {
        ImmutableArray<Diagnostic> reported = await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Untyped.On([|"helo"|], e => { });
            """), Descriptors.UntypedUndeclaredEventId);

        Assert.Equal(
            "'helo' is not an event of the contract IClientEvents: it is likely a typo (its events: ask, chat message, hello)",
            Assert.Single(reported).GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Untyped_objects_that_do_not_come_from_a_typed_view_are_not_checked()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Emit("anything");
            socket.On("whatever", e => { });
            nsp.To("room").Emit("anything");
            io.Emit("greet");
            Socket kept = typed.Untyped;
            kept.Emit("anything");
            """));
    }

    [Fact]
    public async Task Names_that_are_not_constant_and_typed_views_over_type_parameters_are_not_checked()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                string name = "gret";
                typed.Untyped.Emit(name);
                typed.Untyped.On(name, e => { });
                """,
            members: """
                private static void Generic<TListen, TEmit>(Socket<TListen, TEmit> s)
                    where TListen : class
                    where TEmit : class
                {
                    s.Untyped.Emit("anything");
                    s.Untyped.On("anything", e => { });
                }
                """));
    }

    [Fact]
    public async Task Server_side_events_are_not_checked_against_the_client_contracts()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typedNsp.Untyped.ServerSideEmit("sync", "state");
            await typedNsp.Untyped.ServerSideEmitWithAck("sync");
            typedNsp.Untyped.OnServerSideEmit("sync", e => { });
            """));
    }

    [Fact]
    public async Task Emits_to_another_namespace_are_not_checked_against_this_namespace_contract()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Untyped.Server.Of("/admin").Emit("audit");
            typed.Untyped.Namespace.Server.Emit("audit");
            typedNsp.Server.Of("/admin").To("room").Emit("audit");
            """));
    }
}
