using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>TSIO100 on the untyped API: reserved names passed as constants to emits, handlers and server-side emits.</summary>
public sealed class ReservedEventNameCallTests
{
    private const string Id = Descriptors.ReservedEventNameId;

    [Fact]
    public async Task Every_constant_form_of_a_reserved_name_is_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                const string local = "disconnect";
                int disconnect = 0;
                socket.Emit([|"connect"|]);
                socket.Emit([|Names.Disconnecting|], 1, 2);
                socket.Emit([|local|]);
                socket.Emit([|nameof(disconnect)|]);
                socket.Emit([|$"{Names.Disconnecting}"|]);
                socket.Emit([|$"{Dis}connect"|]);
                socket.Emit([|"connect" + "_error"|]);
                socket.Emit([|Dis + "connecting"|]);
                socket.Emit(args: new object?[] { 1 }, eventName: [|"newListener"|]);
                socket.Emit([|(string)"removeListener"|]);
                _ = disconnect;
                """,
            members: """
                private const string Dis = "dis";

                private static class Names
                {
                    public const string Disconnecting = "disconnecting";
                }
                """), Id);
    }

    [Fact]
    public async Task Reserved_names_are_reported_on_every_untyped_emit_and_handler()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            // a socket
            socket.Emit([|"connect"|]);
            await socket.EmitWithAck([|"connect_error"|], []);
            socket.Timeout(timeout).Emit([|"disconnect"|]);
            await socket.Timeout(timeout).EmitWithAck([|"disconnecting"|], [1]);
            socket.Volatile.Emit([|"newListener"|]);
            socket.On([|"disconnect"|], e => { });
            socket.On([|"connect"|], e => Task.CompletedTask);
            socket.OnWithAck([|"removeListener"|], e => Task.FromResult<object?>(null));
            socket.Off([|"disconnecting"|]);
            socket.Broadcast.Emit([|"connect"|]);
            socket.To("room").Emit([|"connect"|]);
            // a namespace
            nsp.Emit([|"disconnect"|]);
            nsp.To("room").Except("other").Emit([|"disconnect"|]);
            nsp.ServerSideEmit([|"connect"|], 1);
            await nsp.ServerSideEmitWithAck([|"connect_error"|]);
            nsp.OnServerSideEmit([|"newListener"|], e => { });
            // the server
            io.Emit([|"connect"|]);
            io.To("room").Emit([|"connect"|]);
            io.Local.Volatile.Emit([|"disconnect"|]);
            await io.Timeout(timeout).EmitWithAck([|"disconnecting"|]);
            io.ServerSideEmit([|"removeListener"|]);
            io.Of("/admin").Emit([|"connect"|]);
            // sockets of a cluster
            foreach (RemoteSocket remote in await io.FetchSockets())
            {
                remote.Emit([|"disconnect"|], "bye");
            }

            // untyped views of typed objects: only TSIO100 (a reserved name is no typo of the contract)
            typed.Untyped.Emit([|"disconnect"|]);
            typed.Untyped.On([|"connect"|], e => { });
            typedNsp.Untyped.Emit([|"connect_error"|]);
            typedNsp.To("room").Untyped.Emit([|"newListener"|]);
            """), Id);
    }

    [Fact]
    public async Task Names_that_are_not_constant_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                string name = "connect";
                socket.Emit(name);
                socket.Emit(Field);
                socket.Emit(Name());
                socket.Emit($"{name}");
                socket.On(name, e => { });
                io.To("room").Emit(string.Concat("dis", "connect"));
                nsp.ServerSideEmit(Field.ToString());
                """,
            members: """
                private static readonly string Field = "disconnect";

                private static string Name() => "disconnecting";
                """));
    }

    [Fact]
    public async Task Ordinary_names_and_names_that_differ_from_reserved_ones_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Emit("message");
            socket.Emit("Connect");
            socket.Emit("disconnect ");
            socket.Emit("connected");
            socket.Emit("connect-error");
            socket.Emit("new_listener");
            socket.Emit("");
            socket.On("disconnected", e => { });
            io.To("room").Emit("error");
            nsp.ServerSideEmit("ping");
            """));
    }

    [Fact]
    public async Task Reserved_names_as_payloads_rooms_or_other_arguments_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            socket.Emit("message", "connect", "disconnect");
            socket.Send("disconnect");
            socket.Write("connect");
            await socket.Join("disconnect");
            io.To("connect").Except("disconnecting").Emit("message");
            await socket.EmitWithAck("message", ["connect"]);
            socket.On("message", e => e.Ack("disconnect"));
            """));
    }

    [Fact]
    public async Task The_typed_API_is_not_checked_by_call()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod("""
            typed.Emit.Greet("connect");
            typed.On.Hello(name => typed.Emit.Greet("disconnect"));
            typed.On.Ask(question => Task.FromResult(question.Length));
            bool ok = await typed.Timeout(timeout).Emit.Confirm(1);
            string who = await typed.Timeout(timeout).Emit.AskName();
            typed.Broadcast.Emit.Greet("newListener");
            typed.To("connect").Emit.Greet("x");
            typedNsp.To("disconnect").Emit.Greet("connect_error");
            typedNsp.Emit.Greet("removeListener");
            IReadOnlyList<bool> answers = await typedNsp.Timeout(timeout).To("room").EmitWithAck.Confirm(1);
            clusterNsp.ServerSide.Emit.Sync("disconnecting");
            clusterNsp.ServerSide.On.Sync(state => { });
            """));
    }

    [Fact]
    public async Task Methods_named_like_the_untyped_API_on_other_types_are_not_reported()
    {
        await SocketIoAnalyzerTest.VerifyAsync(Sources.InMethod(
            body: """
                var bus = new Bus();
                bus.Emit("connect");
                bus.Emit("disconnect", 1, 2);
                bus.On("disconnect", () => { });
                bus.ServerSideEmit("connect_error");
                System.Diagnostics.Debug.WriteLine("disconnect");
                """,
            members: """
                private sealed class Bus
                {
                    public bool Emit(string eventName, params object?[] args) => true;

                    public void On(string eventName, Action handler) { }

                    public bool ServerSideEmit(string eventName) => true;
                }
                """));
    }

    [Fact]
    public async Task A_class_of_the_application_in_a_namespace_under_TypedSocketIo_is_not_taken_for_the_library()
    {
        // An application's own namespace may start with the library's name; only TypedSocketIo's
        // assemblies are TypedSocketIo's API.
        await SocketIoAnalyzerTest.VerifyAsync("""
            namespace TypedSocketIo.Demo
            {
                public sealed class Bus
                {
                    public bool Emit(string eventName, params object?[] args) => true;

                    public static void Use(Bus bus)
                    {
                        bus.Emit("connect");
                        bus.Emit("disconnect").ToString();
                    }
                }
            }
            """);
    }
}
