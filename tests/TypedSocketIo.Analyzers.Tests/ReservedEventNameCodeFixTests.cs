using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Analyzers.Tests.Infrastructure;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>The TSIO100 code fix: another wire name with [Event("…")].</summary>
public sealed class ReservedEventNameCodeFixTests
{
    private const string Id = Descriptors.ReservedEventNameId;

        [Fact]
    public async Task Adds_Event_above_the_method_at_its_indentation()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                void Message(string text);

                void [|Disconnect|](string reason);
            }
            """, """
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                void Message(string text);

                [Event("disconnectEvent")]
                void Disconnect(string reason);
            }
            """, Id);
    }

    [Fact]
    public async Task Puts_Event_between_the_doc_comment_and_the_method()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using System.Threading.Tasks;
            using TypedSocketIo;

            namespace App
            {
                [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
                public interface IEvents
                {
                    /// <summary>The connection failed.</summary>
                    /// <param name="reason">Why.</param>
                    Task [|ConnectError|](string reason);
                }
            }
            """, """
            using System.Threading.Tasks;
            using TypedSocketIo;

            namespace App
            {
                [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
                public interface IEvents
                {
                    /// <summary>The connection failed.</summary>
                    /// <param name="reason">Why.</param>
                    [Event("connect_errorEvent")]
                    Task ConnectError(string reason);
                }
            }
            """, Id);
    }

    [Fact]
    public async Task Renames_an_existing_Event()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                /// <summary>Leaving.</summary>
                [[|Event("disconnecting")|]]
                void Leaving(string reason);
            }
            """, """
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                /// <summary>Leaving.</summary>
                [Event("disconnectingEvent")]
                void Leaving(string reason);
            }
            """, Id);
    }

    [Fact]
    public async Task Renames_an_existing_Event_beside_other_attributes()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using System;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Obsolete("Use Joined"), [|Event("newListener")|]]
                void Subscribed();
            }
            """, """
            using System;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Obsolete("Use Joined"), Event("newListenerEvent")]
                void Subscribed();
            }
            """, Id);
    }

    [Fact]
    public async Task Adds_Event_as_its_own_list_above_other_attributes()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using System;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Obsolete("Use Joined")]
                void [|Connect|]();
            }
            """, """
            using System;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Event("connectEvent")]
                [Obsolete("Use Joined")]
                void Connect();
            }
            """, Id);
    }

    [Fact]
    public async Task Qualifies_Event_when_TypedSocketIo_is_not_imported()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            namespace App;

            [TypedSocketIo.SocketIoEvents(NamingPolicy = TypedSocketIo.EventNamingPolicy.KebabCase)]
            public interface IEvents
            {
                /// <summary>Going away.</summary>
                void [|Disconnecting|](string reason);
            }
            """, """
            namespace App;

            [TypedSocketIo.SocketIoEvents(NamingPolicy = TypedSocketIo.EventNamingPolicy.KebabCase)]
            public interface IEvents
            {
                /// <summary>Going away.</summary>
                [TypedSocketIo.Event("disconnectingEvent")]
                void Disconnecting(string reason);
            }
            """, Id);
    }

    [Fact]
    public async Task Uses_the_short_name_when_TypedSocketIo_is_imported_inside_the_namespace()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            namespace App
            {
                using TypedSocketIo;

                [SocketIoEvents]
                public interface IEvents
                {
                    void [|RemoveListener|]();
                }
            }
            """, """
            namespace App
            {
                using TypedSocketIo;

                [SocketIoEvents]
                public interface IEvents
                {
                    [Event("removeListenerEvent")]
                    void RemoveListener();
                }
            }
            """, Id);
    }

    [Fact]
    public async Task Qualifies_Event_when_the_short_name_would_be_ambiguous()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using System.Diagnostics.Tracing;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                void [|Connect|](EventLevel level);
            }
            """, """
            using System.Diagnostics.Tracing;
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [TypedSocketIo.Event("connectEvent")]
                void Connect(EventLevel level);
            }
            """, Id);
    }

    [Fact]
    public async Task Names_an_event_inherited_from_a_base_interface_where_it_is_declared()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using TypedSocketIo;

            public interface ILifecycle
            {
                void [|Disconnect|](string reason);
            }

            [SocketIoEvents]
            public interface IEvents : ILifecycle
            {
                void Message(string text);
            }
            """, """
            using TypedSocketIo;

            public interface ILifecycle
            {
                [Event("disconnectEvent")]
                void Disconnect(string reason);
            }

            [SocketIoEvents]
            public interface IEvents : ILifecycle
            {
                void Message(string text);
            }
            """, Id,
            // Reported while the contract IEvents is analyzed, on the method ILifecycle declares: a
            // diagnostic outside the symbol being analyzed, which the IDE fixes in full-solution analysis.
            behaviors: CodeFixTestBehaviors.SkipLocalDiagnosticCheck);
    }

    [Fact]
    public async Task Keeps_the_line_endings_of_the_file()
    {
        const string source = "using TypedSocketIo;\r\n\r\n[SocketIoEvents]\r\npublic interface IEvents\r\n{\r\n    /// <summary>Gone.</summary>\r\n    void [|Disconnect|]();\r\n}\r\n";
        const string expected = "using TypedSocketIo;\r\n\r\n[SocketIoEvents]\r\npublic interface IEvents\r\n{\r\n    /// <summary>Gone.</summary>\r\n    [Event(\"disconnectEvent\")]\r\n    void Disconnect();\r\n}\r\n";
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync(source, expected, Id);
    }

    [Fact]
    public async Task Keeps_tab_indentation()
    {
        const string source = "using TypedSocketIo;\n\nnamespace App\n{\n\t[SocketIoEvents]\n\tpublic interface IEvents\n\t{\n\t\tvoid [|NewListener|]();\n\t}\n}\n";
        const string expected = "using TypedSocketIo;\n\nnamespace App\n{\n\t[SocketIoEvents]\n\tpublic interface IEvents\n\t{\n\t\t[Event(\"newListenerEvent\")]\n\t\tvoid NewListener();\n\t}\n}\n";
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync(source, expected, Id);
    }

    [Fact]
    public async Task Offers_no_fix_for_a_name_passed_to_the_untyped_API()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyNoFixAsync(Sources.InMethod("""
            socket.Emit([|"connect"|]);
            socket.On([|"disconnect"|], e => { });
            """), Id);
    }

    [Fact]
    public async Task Fixes_every_reserved_name_of_a_document_at_once()
    {
        await SocketIoCodeFixTest<ReservedEventNameCodeFix>.VerifyAsync("""
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                void [|Connect|]();

                /// <summary>Gone.</summary>
                void [|Disconnect|](string reason);

                void Message(string text);

                [[|Event("newListener")|]]
                void Subscribed();
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface IOtherEvents
            {
                void [|ConnectError|]();
            }
            """, """
            using TypedSocketIo;

            [SocketIoEvents]
            public interface IEvents
            {
                [Event("connectEvent")]
                void Connect();

                /// <summary>Gone.</summary>
                [Event("disconnectEvent")]
                void Disconnect(string reason);

                void Message(string text);

                [Event("newListenerEvent")]
                void Subscribed();
            }

            [SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
            public interface IOtherEvents
            {
                [Event("connect_errorEvent")]
                void ConnectError();
            }
            """, Id);
    }
}
