using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/namespaces.ts.</summary>
public sealed class NamespacesTests
{
    [Fact]
    public async Task Main_namespace_is_accessible_through_sockets()
    {
        await using var host = await SocketIoTestHost.StartAsync();

        Namespace main = host.Io.Sockets;

        Assert.Equal("/", main.Name);
        Assert.Same(main, host.Io.Of("/"));
        Assert.Same(main, host.Io.Namespaces["/"]);
    }

    [Fact]
    public void Server_has_the_reference_aliases_of_the_main_namespace()
    {
        // The reference's io.use/to/in/emit/send/write/allSockets/compress act on the main namespace.
        string[] aliases = ["Use", "To", "In", "Emit", "Send", "Write", "AllSockets", "Compress"];

        string[] missing = aliases.Where(name => typeof(SocketIoServer).GetMethods().All(m => m.Name != name)).ToArray();

        Assert.True(missing.Length == 0, "SocketIoServer lacks the aliases: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Server_broadcast_operator_is_immutable()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        SocketIoServer io = host.Io;

        BroadcastOperator op = io.Local.To(["room1", "room2"]).Except("room3");
        op.Compress(true).Emit("hello");
        op.Volatile.Emit("hello");
        op.To("room4").Emit("hello");
        op.Except("room5").Emit("hello");
        io.To("room6").Emit("hello");

        Assert.Equal(new[] { "room1", "room2" }, op.Rooms.Order());
        Assert.Equal(new[] { "room3" }, op.ExceptRooms);
        Assert.Equal(new EmitFlags { Local = true }, op.Flags);
    }

    [Fact]
    public async Task Client_connects_automatically_to_the_main_namespace()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        Assert.True(host.Io.Sockets.Sockets.ContainsKey(sid));
    }

    [Fact]
    public async Task Fires_connection_with_the_server_socket()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
            h.Record("connection", $"{socket.Id}|{socket.Namespace.Name}|{socket.Connected}")));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        Assert.Equal($"{sid}|/|True", await host.NextAsync("connection"));
    }

    [Fact]
    public async Task Works_with_many_sockets_on_several_namespaces()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            io.Of("/chat");
            io.Of("/news");
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("chat", host.Url("/chat"), manager: "m");
        await client.SendConnectAsync("news", host.Url("/news"), manager: "m");

        await client.EventAsync("connect", "chat");
        await client.EventAsync("connect", "news");
        Assert.Single(host.Io.Of("/chat").Sockets);
        Assert.Single(host.Io.Of("/news").Sockets);
    }

    [Fact]
    public async Task Empty_and_slash_names_are_equivalent_on_the_server()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("").OnConnection(s => h.Record("connection", s.Namespace.Name));
            io.Of("abc").OnConnection(s => h.Record("connection", s.Namespace.Name));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("main", host.Url("/"));
        await client.ConnectAsync("abc", host.Url("/abc"));

        Assert.Equal(new[] { "/", "/abc" }, new[] { await host.NextAsync("connection"), await host.NextAsync("connection") }.Order());
    }

    [Fact]
    public async Task Empty_and_slash_names_are_equivalent_on_the_client()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.Of("/").OnConnection(s => h.Record("connection", s.Namespace.Name)));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.BaseUri.GetLeftPart(UriPartial.Authority)); // no path at all

        Assert.Equal("/", await host.NextAsync("connection"));
    }

    [Fact]
    public async Task Several_connection_handlers_of_one_namespace_all_run()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/news").OnConnection(s => h.Record("news", "first " + s.Namespace.Name));
            io.Of("/news").OnConnection(s => h.Record("news", "second " + s.Namespace.Name));
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("chat", host.Url("/chat"), manager: "m");
        await client.ConnectAsync("news", host.Url("/news"), manager: "m");

        Assert.Equal("first /news", await host.NextAsync("news"));
        Assert.Equal("second /news", await host.NextAsync("news"));
        Assert.Equal("Invalid namespace", (await client.EventAsync("connect_error", "chat")).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Of_with_a_handler_registers_on_the_same_namespace_each_time()
    {
        // The reference's io.of("/news", fn): here io.Of("/news").OnConnection(fn), which returns the namespace.
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            Namespace first = io.Of("/news").OnConnection(_ => h.Record("news", "first"));
            Namespace second = io.Of("/news").OnConnection(_ => h.Record("news", "second"));
            h.Record("same", ReferenceEquals(first, second).ToString());
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("news", host.Url("/news"));

        Assert.Equal("True", await host.NextAsync("same"));
        Assert.Equal("first", await host.NextAsync("news"));
        Assert.Equal("second", await host.NextAsync("news"));
    }

    [Fact]
    public async Task Disconnect_with_close_disconnects_every_namespace_of_the_connection()
    {
        var chat = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/news").OnConnection(s =>
            {
                s.Disconnected += (_, reason, _) => h.Record("disconnect", "news " + reason);
                h.Record("connected", "news");
            });
            io.Of("/chat").OnConnection(s =>
            {
                s.Disconnected += (_, reason, _) => h.Record("disconnect", "chat " + reason);
                chat.TrySetResult(s);
                h.Record("connected", "chat");
            });
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("chat", host.Url("/chat"), manager: "m");
        await client.ConnectAsync("news", host.Url("/news"), manager: "m");
        await host.NextAsync("connected");
        await host.NextAsync("connected");

        (await chat.Task.WaitAsync(TimeSpan.FromSeconds(10))).Disconnect(close: true);

        string[] disconnects = [await host.NextAsync("disconnect"), await host.NextAsync("disconnect")];
        Assert.Contains(disconnects, d => d.StartsWith("chat ", StringComparison.Ordinal));
        Assert.Contains(disconnects, d => d.StartsWith("news ", StringComparison.Ordinal));
        await client.EventAsync("disconnect", "chat");
        await client.EventAsync("disconnect", "news");
    }

    [Fact]
    public async Task Disconnecting_fires_while_the_rooms_are_still_joined()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(async s =>
        {
            await s.Join("a");
            s.Disconnecting += (socket, _) => h.Record("disconnecting", string.Join(",", socket.Rooms.Order(StringComparer.Ordinal)));
            s.Disconnected += (socket, _, _) => h.Record("disconnect", socket.Rooms.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            s.Disconnect();
        }));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());

        Assert.Equal(string.Join(",", new[] { sid, "a" }.Order(StringComparer.Ordinal)), await host.NextAsync("disconnecting"));
        Assert.Equal("0", await host.NextAsync("disconnect"));
    }

    [Fact]
    public async Task Same_namespace_connections_are_not_reused()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s => h.Record("connection", s.Id + " " + s.Conn.Id)));
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("one", host.Url());
        await client.ConnectAsync("two", host.Url());

        string[] first = (await host.NextAsync("connection")).Split(' ');
        string[] second = (await host.NextAsync("connection")).Split(' ');
        Assert.NotEqual(first[0], second[0]);
        Assert.NotEqual(first[1], second[1]);
    }

    /// <summary>Two /chat clients (the first in "bar", the second in "foo") and one /other client in "foo".</summary>
    private static async Task<(SocketIoTestHost Host, SioDriver Client, string Bar, string Foo, string Other)> ChatAndOtherAsync()
    {
        int chatIndex = 0;
        SocketIoTestHost host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/chat").OnConnection(async s =>
            {
                string room = Interlocked.Increment(ref chatIndex) == 1 ? "bar" : "foo";
                await s.Join(room);
                h.Record("joined", room + " " + s.Id);
            });
            io.Of("/other").OnConnection(async s =>
            {
                await s.Join("foo");
                h.Record("joined", "other " + s.Id);
            });
        });
        SioDriver client = await SioDriver.StartAsync();
        string bar = await client.ConnectAsync("c1", host.Url("/chat"));
        string foo = await client.ConnectAsync("c2", host.Url("/chat"));
        string other = await client.ConnectAsync("c3", host.Url("/other"));
        for (int i = 0; i < 3; i++)
        {
            await host.NextAsync("joined");
        }

        return (host, client, bar, foo, other);
    }

    [Fact]
    public async Task Finds_all_clients_in_a_namespace()
    {
        var (host, client, bar, foo, other) = await ChatAndOtherAsync();
        await using (host)
        await using (client)
        {
            IReadOnlySet<string> sids = await host.Io.Of("/chat").AllSockets();

            Assert.Contains(bar, sids);
            Assert.Contains(foo, sids);
            Assert.DoesNotContain(other, sids);
        }
    }

    [Fact]
    public async Task Finds_all_clients_in_a_namespace_room()
    {
        var (host, client, bar, foo, other) = await ChatAndOtherAsync();
        await using (host)
        await using (client)
        {
            IReadOnlySet<string> sids = await host.Io.Of("/chat").In("foo").AllSockets();

            Assert.Contains(foo, sids);
            Assert.DoesNotContain(bar, sids);
            Assert.DoesNotContain(other, sids);
        }
    }

    [Fact]
    public async Task Finds_all_clients_across_the_rooms_of_a_namespace()
    {
        var (host, client, bar, foo, other) = await ChatAndOtherAsync();
        await using (host)
        await using (client)
        {
            IReadOnlySet<string> sids = await host.Io.Of("/chat").AllSockets();

            Assert.Equal(new[] { bar, foo }.Order(), sids.Order());
            Assert.DoesNotContain(other, sids);
        }
    }

    [Fact]
    public async Task Volatile_namespace_event_after_a_regular_one_is_dropped()
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Over polling, where "writable" is exact (see SocketTests.AssertVolatileCount).
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat").OnConnection(s => connected.TrySetResult(s)));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/chat"), new { transports = new[] { "polling" } });
        Socket socket = await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => socket.Conn.IsWritable); // no packet of the opening left in flight

        host.Io.Of("/chat").Emit("ev", "data");
        host.Io.Of("/chat").Volatile.Emit("ev", "data");

        await Ref.FlushAsync(client, "c", name => host.Io.Of("/chat").Emit(name));
        Assert.Equal(1, client.CountMessages("c", "ev"));
    }

    [Fact]
    public async Task Volatile_namespace_event_reaches_an_idle_client()
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat").OnConnection(s => connected.TrySetResult(s)));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/chat"));
        Socket socket = await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => socket.Conn.IsWritable);

        host.Io.Of("/chat").Volatile.Emit("ev", "data");

        Assert.Equal("[\"data\"]", Ref.Args(await client.MessageAsync("c", "ev")));
        await Ref.FlushAsync(client, "c", name => host.Io.Of("/chat").Emit(name));
        Assert.Equal(1, client.CountMessages("c", "ev"));
    }

    /// <summary>
    /// A namespace broadcast's compression flag, seen on the wire: with polling, a response is gzipped
    /// only when one of its packets asked for compression (the reference's packet.options.compress).
    /// </summary>
    [Theory]
    [InlineData(null, "gzip")]
    [InlineData(false, null)]
    public async Task Namespace_broadcast_compression_follows_the_compress_flag(bool? compress, string? expectedEncoding)
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat"), options: o => o.HttpCompression = new() { Threshold = 0 });
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);
        await raw.PostAsync("40/chat,");
        Assert.StartsWith("40/chat,{\"sid\"", RawSioPolling.Text(await raw.PollAsync()));

        Namespace chat = host.Io.Of("/chat");
        if (compress is { } flag)
        {
            chat.Compress(flag).Emit("woot", "hi");
        }
        else
        {
            chat.Emit("woot", "hi");
        }

        RawResponse response = await raw.PollAsync(acceptGzip: true);
        Assert.Equal("42/chat,[\"woot\",\"hi\"]", RawSioPolling.Text(response));
        Assert.Equal(expectedEncoding, response.Header("Content-Encoding"));
    }

    [Fact]
    public async Task Server_emit_of_a_reserved_name_throws()
    {
        await using var host = await SocketIoTestHost.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => host.Io.Emit("connect"));

        Assert.Contains("\"connect\" is a reserved event name", error.Message);
    }

    [Fact]
    public async Task Server_emit_except_a_socket_id_skips_that_socket()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url());
        string s2 = await client.ConnectAsync("s2", host.Url());

        host.Io.Except(s2).Emit("a");

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
    }

    [Fact]
    public async Task Namespace_emit_except_a_socket_id_skips_that_socket()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/nsp"));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url("/nsp"));
        string s2 = await client.ConnectAsync("s2", host.Url("/nsp"));

        host.Io.Of("/nsp").Except(s2).Emit("a");

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Of("/nsp").Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
    }

    [Fact]
    public async Task Namespace_emit_except_a_room_skips_its_members()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            Namespace nsp = io.Of("/nsp");
            nsp.OnConnection(socket => socket.On("broadcast", async _ =>
            {
                await socket.Join("room1");
                nsp.Except("room1").Emit("a");
            }));
        });
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("s1", host.Url("/nsp"));
        await client.ConnectAsync("s2", host.Url("/nsp"));

        await client.EmitAsync("s2", "broadcast", []);

        await client.MessageAsync("s1", "a");
        await Ref.FlushAsync(client, "s2", name => host.Io.Of("/nsp").Emit(name));
        Assert.Equal(0, client.CountMessages("s2", "a"));
    }

    [Fact]
    public async Task New_namespace_event_fires_for_of()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        var created = new List<string>();
        host.Io.NewNamespace += nsp => created.Add(nsp.Name);

        host.Io.Of("/nsp");
        host.Io.Of("/nsp");

        Assert.Equal(new[] { "/nsp" }, created);
    }

    [Fact]
    public async Task Non_dynamic_namespace_is_not_cleaned_up()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat"), options: o => o.CleanupEmptyChildNamespaces = true);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/chat"));

        await client.DisconnectAsync("c");

        await Wait.UntilAsync(() => host.Io.Of("/chat").Sockets.Count == 0);
        Assert.True(host.Io.Namespaces.ContainsKey("/chat"));
    }

    // ------------------------------------------------------------------ dynamic namespaces

    [Fact]
    public async Task Dynamic_namespace_by_regex_runs_parent_middleware_and_handlers_and_parent_broadcast_reaches_it()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            ParentNamespace dynamic = io.Of(new Regex("^/dynamic-\\d+$"));
            dynamic.OnConnection(socket =>
            {
                h.Record("connection", socket.Namespace.Name);
                dynamic.Emit("hello", 1, "2", new Dictionary<string, string> { ["3"] = "4" });
            });
            dynamic.Use(async (socket, next) =>
            {
                await next();
                h.Record("middleware", socket.Namespace.Name);
            });
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url("/dynamic-101"));

        Assert.Equal("/dynamic-101", await host.NextAsync("middleware"));
        Assert.Equal("/dynamic-101", await host.NextAsync("connection"));
        Assert.Equal("[1,\"2\",{\"3\":\"4\"}]", Ref.Args(await client.MessageAsync("c", "hello")));
    }

    [Fact]
    public async Task Dynamic_namespace_by_regex_parent_broadcast_to_a_room_reaches_the_child()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            ParentNamespace dynamic = io.Of(new Regex("^/dynamic-\\d+$"));
            dynamic.OnConnection(async socket =>
            {
                h.Record("connection", socket.Namespace.Name);
                await socket.Join("some-room");
                dynamic.To("some-room").Emit("hello", 4, "3", new Dictionary<string, string> { ["2"] = "1" });
            });
            dynamic.Use(async (socket, next) =>
            {
                await next();
                h.Record("middleware", socket.Namespace.Name);
            });
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url("/dynamic-101"));

        Assert.Equal("/dynamic-101", await host.NextAsync("middleware"));
        Assert.Equal("/dynamic-101", await host.NextAsync("connection"));
        Assert.Equal("[4,\"3\",{\"2\":\"1\"}]", Ref.Args(await client.MessageAsync("c", "hello")));
    }

    [Fact]
    public async Task Dynamic_namespace_by_function_accepts_matching_names()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of((name, _) => ValueTask.FromResult(name == "/dynamic-101")));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url("/dynamic-101"));

        Assert.True(host.Io.Namespaces["/dynamic-101"].Sockets.ContainsKey(sid));
    }

    [Fact]
    public async Task No_matching_dynamic_namespace_refuses_the_connection()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) =>
        {
            io.Of(new Regex("^/dynamic-\\d+$"));
            io.Of((name, _) => ValueTask.FromResult(name == "/dynamic-101"));
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url("/abc"));

        Assert.Equal("Invalid namespace", (await client.EventAsync("connect_error", "c")).GetProperty("message").GetString());
        Assert.False(host.Io.Namespaces.ContainsKey("/abc"));
    }

    [Fact]
    public async Task New_namespace_event_fires_for_a_dynamic_child()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of(new Regex("^/dynamic-\\d+$"));
            io.NewNamespace += nsp => h.Record("new namespace", nsp.Name);
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url("/dynamic-101"));

        Assert.Equal("/dynamic-101", await host.NextAsync("new namespace"));
    }

    [Fact]
    public async Task Concurrent_connections_to_a_new_dynamic_namespace_create_it_once()
    {
        int calls = 0, connected = 0;
        var bothAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.NewNamespace += nsp => h.Record("created", nsp.Name);
            io.Of(async (name, _) =>
                {
                    // Both connections are held in the predicate until the second one arrives (#4136).
                    if (Interlocked.Increment(ref calls) == 2)
                    {
                        bothAsked.TrySetResult();
                    }

                    await bothAsked.Task.WaitAsync(TimeSpan.FromSeconds(10));
                    return true;
                })
              .OnConnection(_ =>
              {
                  if (Interlocked.Increment(ref connected) == 2)
                  {
                      io.Of("/dynamic-101").Emit("message");
                  }
              });
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("one", host.Url("/dynamic-101"));
        await client.SendConnectAsync("two", host.Url("/dynamic-101"));

        await client.MessageAsync("one", "message");
        await client.MessageAsync("two", "message");
        Assert.Equal(1, host.Count("created"));
        Assert.Equal(2, host.Io.Namespaces["/dynamic-101"].Sockets.Count);
    }

    [Fact]
    public async Task Empty_dynamic_child_is_cleaned_up_when_cleanup_is_on()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of(new Regex("^/dynamic-\\d+$")), options: o => o.CleanupEmptyChildNamespaces = true);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/dynamic-101"));

        await client.DisconnectAsync("c");

        await Wait.UntilAsync(() => !host.Io.Namespaces.ContainsKey("/dynamic-101"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Client_can_connect_again_to_a_cleaned_up_dynamic_namespace()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of(new Regex("^/dynamic-\\d+$")), options: o => o.CleanupEmptyChildNamespaces = true);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c1", host.Url("/dynamic-101"));
        await client.DisconnectAsync("c1");
        await Wait.UntilAsync(() => !host.Io.Namespaces.ContainsKey("/dynamic-101"), TimeSpan.FromSeconds(5));

        string sid = await client.ConnectAsync("c2", host.Url("/dynamic-101"));

        Assert.True(host.Io.Namespaces["/dynamic-101"].Sockets.ContainsKey(sid));
    }

    [Fact]
    public async Task Empty_dynamic_child_is_kept_when_cleanup_is_off()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of(new Regex("^/dynamic-\\d+$")));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/dynamic-101"));

        await client.DisconnectAsync("c");

        await Wait.UntilAsync(() => host.Io.Namespaces["/dynamic-101"].Sockets.Count == 0);
        Assert.True(host.Io.Namespaces.ContainsKey("/dynamic-101"));
    }

    [Fact]
    public async Task Dynamic_child_is_kept_when_cleanup_is_off_and_the_client_is_refused_by_middleware()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            (io, _) => io.Of(new Regex("^/dynamic-\\d+$")).Use((_, _) => throw new ConnectionRejectedException("You shall not pass!")),
            options: o => o.CleanupEmptyChildNamespaces = false);
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url("/dynamic-101"));

        Assert.Equal("You shall not pass!", (await client.EventAsync("connect_error", "c")).GetProperty("message").GetString());
        Assert.True(host.Io.Namespaces.ContainsKey("/dynamic-101"));
        Assert.Empty(host.Io.Namespaces["/dynamic-101"].Sockets);
    }

    [Fact]
    public async Task Dynamic_child_is_cleaned_up_when_cleanup_is_on_and_the_client_is_refused_by_middleware()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            (io, _) => io.Of(new Regex("^/dynamic-\\d+$")).Use((_, _) => throw new ConnectionRejectedException("You shall not pass!")),
            options: o => o.CleanupEmptyChildNamespaces = true);
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url("/dynamic-101"));
        await client.EventAsync("connect_error", "c");

        await Wait.UntilAsync(() => !host.Io.Namespaces.ContainsKey("/dynamic-101"), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Dynamic_child_is_kept_when_cleanup_is_on_and_a_refused_client_leaves_others_connected()
    {
        int index = 0;
        await using var host = await SocketIoTestHost.StartAsync(
            (io, _) => io.Of(new Regex("^/dynamic-\\d+$")).Use(async (_, next) =>
            {
                if (Interlocked.Increment(ref index) > 1)
                {
                    throw new ConnectionRejectedException("You shall not pass!");
                }

                await next();
            }),
            options: o => o.CleanupEmptyChildNamespaces = true);
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c1", host.Url("/dynamic-101"));

        await client.SendConnectAsync("c2", host.Url("/dynamic-101"));
        await client.EventAsync("connect_error", "c2");

        Assert.True(host.Io.Namespaces.ContainsKey("/dynamic-101"));
        Assert.Single(host.Io.Namespaces["/dynamic-101"].Sockets);
    }

    [Fact]
    public async Task Manually_created_namespace_matching_a_parent_is_attached_to_it()
    {
        await using var host = await SocketIoTestHost.StartAsync();

        ParentNamespace parent = host.Io.Of(new Regex("^/dynamic-\\d+$"));
        Namespace child = host.Io.Of("/dynamic-101");

        Assert.Contains(child, parent.Children);
        Assert.Same(parent, child.Parent);
    }
}
