using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>
/// The .NET client's scenarios, run against Node's socket.io 4.8 (<see cref="NodeServerTests"/>) and
/// against TypedSocketIo's own server (<see cref="OwnServerTests"/>): each test gets a fresh server.
/// </summary>
public abstract partial class ClientScenarios : IAsyncLifetime
{
    /// <summary>How long any single wait may take.</summary>
    protected static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _disposables = new();

    /// <summary>The server of this test (started with default options).</summary>
    protected ScenarioServer Server { get; private set; } = null!;

    protected abstract ScenarioServer CreateServer(ScenarioOptions options);

    /// <summary>Whether this run's servers and clients use the msgpack parser.</summary>
    protected virtual bool MsgPack => false;

    public async Task InitializeAsync() => Server = await StartServerAsync();

    public async Task DisposeAsync()
    {
        for (int i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }
    }

    protected async Task<ScenarioServer> StartServerAsync(ScenarioOptions? options = null)
    {
        ScenarioServer server = CreateServer((options ?? new ScenarioOptions()) with { MsgPack = MsgPack });
        _disposables.Add(server);
        await server.StartAsync();
        return server;
    }

    /// <summary>
    /// A client socket of <paramref name="nsp"/> on its own connection (ForceNew, so tests do not
    /// share managers), reconnecting fast.
    /// </summary>
    protected SocketIoClient Client(string nsp = "/", Action<SocketIoClientOptions>? configure = null, ScenarioServer? server = null)
    {
        var options = new SocketIoClientOptions
        {
            ForceNew = true,
            ReconnectionDelay = TimeSpan.FromMilliseconds(100),
            ReconnectionDelayMax = TimeSpan.FromMilliseconds(500),
            Timeout = TimeSpan.FromSeconds(10),
            Parser = MsgPack ? MsgPackSocketIoParser.Instance : JsonSocketIoParser.Instance,
        };
        configure?.Invoke(options);
        SocketIoClient socket = SocketIoClient.Create((server ?? Server).Url(nsp), options);
        Track(socket);
        return socket;
    }

    /// <summary><paramref name="options"/> with this run's parser.</summary>
    protected T WithParser<T>(T options)
        where T : ManagerOptions
    {
        options.Parser = MsgPack ? MsgPackSocketIoParser.Instance : JsonSocketIoParser.Instance;
        return options;
    }

    protected T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    protected static async Task<JsonElement> WhoAmI(SocketIoClient socket) =>
        (await socket.Timeout(Limit).EmitWithAck("whoami"))[0];

    /// <summary>Completes with the arguments of the next call of a handler registered by <paramref name="register"/>.</summary>
    protected static Task<T> Next<T>(Func<Action<T>, IDisposable> register)
    {
        var next = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        IDisposable? registration = null;
        registration = register(value =>
        {
            if (next.TrySetResult(value))
            {
                registration?.Dispose();
            }
        });
        return next.Task.WaitAsync(Limit);
    }

    // ------------------------------------------------------------------ transports

    [Fact]
    public async Task Connects_over_polling_then_upgrades_to_WebSocket()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.True(socket.Connected);
        Assert.True(socket.Active);
        Assert.False(string.IsNullOrEmpty(socket.Id));

        await Wait.UntilAsync(() => socket.Io.Transport == "websocket", Limit);
        JsonElement who = await WhoAmI(socket);
        Assert.Equal("/", who.GetProperty("nsp").GetString());
        Assert.Equal(socket.Id, who.GetProperty("id").GetString());
        Assert.Equal("websocket", who.GetProperty("transport").GetString());
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("websocket,polling")]
    public async Task Connects_with_the_first_transport_of_the_list(string transports)
    {
        SocketIoClient socket = Client(configure: o => o.Transports = transports.Split(','));
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("websocket", socket.Io.Transport);
        Assert.Equal("websocket", (await WhoAmI(socket)).GetProperty("transport").GetString());
    }

    [Fact]
    public async Task Stays_on_polling_when_only_polling_is_allowed()
    {
        SocketIoClient socket = Client(configure: o => o.Transports = ["polling"]);
        await socket.ConnectAsync().WaitAsync(Limit);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("polling", (await WhoAmI(socket)).GetProperty("transport").GetString());
            await Task.Delay(100); // a bounded negative window: an upgrade starts right after the handshake, and none may
        }

        Assert.Equal("polling", socket.Io.Transport);
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Sends_the_query_and_extra_headers(string transport)
    {
        SocketIoClient socket = Client("/?q=from-url", o =>
        {
            o.Transports = [transport];
            o.ExtraHeaders["x-test"] = "header value";
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        JsonElement who = await WhoAmI(socket);
        Assert.Equal("from-url", who.GetProperty("query").GetString());
        Assert.Equal("header value", who.GetProperty("header").GetString());
    }

    [Fact]
    public async Task Sends_the_query_option()
    {
        SocketIoClient socket = Client(configure: o => o.Query["q"] = "from option");
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("from option", (await WhoAmI(socket)).GetProperty("query").GetString());
    }

    [Fact]
    public async Task Connects_on_a_custom_path()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { Path = "/custom/" });
        SocketIoClient socket = Client(configure: o => o.Path = "/custom/", server: server);
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("/", (await WhoAmI(socket)).GetProperty("nsp").GetString());

        SocketIoClient wrong = Client(configure: o => o.Reconnection = false, server: server);
        await Assert.ThrowsAsync<SocketIoConnectException>(() => wrong.ConnectAsync().WaitAsync(Limit));
    }

    [Fact]
    public async Task Respects_the_server_maxPayload_when_batching_over_polling()
    {
        // 10 packets of ~520 bytes queued at once: one payload would exceed the server's 2,000-byte
        // limit (the server would close the session); the client splits them.
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { MaxHttpBufferSize = 2000 });
        SocketIoClient socket = Client(configure: o =>
        {
            o.Transports = ["polling"];
            o.AutoConnect = false;
        }, server: server);
        string filler = new('x', 500);
        for (int i = 0; i < 10; i++)
        {
            socket.Emit("record", i, filler);
        }

        await socket.ConnectAsync().WaitAsync(Limit);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"[{i},\"{filler}\"]", await server.NextAsync("record"));
        }

        Assert.True(socket.Connected);
    }

    // ------------------------------------------------------------------ auth and middleware

    [Fact]
    public async Task Sends_auth_as_an_object()
    {
        SocketIoClient socket = Client(configure: o => o.Auth = new { token = "abc", n = 1 });
        await socket.ConnectAsync().WaitAsync(Limit);
        JsonElement auth = (await WhoAmI(socket)).GetProperty("auth");
        Assert.Equal("abc", auth.GetProperty("token").GetString());
        Assert.Equal(1, auth.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Evaluates_the_auth_callback_again_on_each_reconnection()
    {
        int calls = 0;
        SocketIoClient socket = Client(configure: o => o.AuthProvider = async ct =>
        {
            await Task.Yield();
            return new { n = Interlocked.Increment(ref calls) };
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal(1, (await WhoAmI(socket)).GetProperty("auth").GetProperty("n").GetInt32());

        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        Task<int> reconnected = Next<int>(h => socket.OnConnect(() => h(0)));
        socket.Emit("close-engine");
        Assert.Equal("transport close", (await disconnected).Item1);
        await reconnected;
        Assert.Equal(2, (await WhoAmI(socket)).GetProperty("auth").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task A_refusal_whose_message_cannot_be_decoded_as_text_still_arrives_as_a_refusal()
    {
        // JSON.stringify writes a lone surrogate as an escape that .NET cannot turn into a string:
        // the client must still report the refusal, not fail on it.
        SocketIoClient socket = Client("/odd", o => o.AutoConnect = false);
        SocketIoConnectException error = await Assert.ThrowsAsync<SocketIoConnectException>(() => socket.ConnectAsync().WaitAsync(Limit));
        Assert.True(error.RefusedByServer);
        Assert.StartsWith("odd ", error.Message, StringComparison.Ordinal); // how the surrogate itself comes out is the codec's
        Assert.EndsWith("name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_middleware_refusal_arrives_with_its_message_and_data_and_ends_the_socket()
    {
        // Not connecting at creation: the refusal of that first attempt could come before the
        // ConnectAsync below, which would then start (and see the refusal of) a second one.
        SocketIoClient socket = Client("/secure", o =>
        {
            o.Auth = new { token = "bad" };
            o.AutoConnect = false;
        });
        Task<SocketIoConnectException> raised = Next<SocketIoConnectException>(h => socket.OnConnectError(h));
        SocketIoConnectException error = await Assert.ThrowsAsync<SocketIoConnectException>(() => socket.ConnectAsync().WaitAsync(Limit));
        Assert.Same(error, await raised);
        Assert.Equal("not authorized", error.Message);
        Assert.True(error.RefusedByServer);
        Assert.Equal(401, error.RefusalData!.Value.GetProperty("code").GetInt32());
        Assert.Equal("bad", error.RefusalData.Value.GetProperty("token").GetString());
        Assert.False(socket.Active);
        Assert.False(socket.Connected);

        SocketIoClient allowed = Client("/secure", o => o.Auth = new { token = "ok" });
        await allowed.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("/secure", (await WhoAmI(allowed)).GetProperty("nsp").GetString());
    }

    [Fact]
    public async Task The_refusal_data_has_a_name_of_its_own_and_Exception_Data_is_not_hidden()
    {
        SocketIoClient socket = Client("/secure", o =>
        {
            o.Auth = new { token = "bad" };
            o.AutoConnect = false;
        });
        Exception caught;
        try
        {
            await socket.ConnectAsync().WaitAsync(Limit);
            throw new InvalidOperationException("The refused socket connected.");
        }
        catch (SocketIoConnectException ex)
        {
            caught = ex;
        }

        // A handler that catches Exception and one that catches SocketIoConnectException read the
        // same Data: the exception's dictionary, where code that logs exceptions puts its context.
        var refusal = (SocketIoConnectException)caught;
        Assert.Same(caught.Data, refusal.Data);
        caught.Data["context"] = "added by a catch (Exception)";
        Assert.Equal("added by a catch (Exception)", refusal.Data["context"]);
        Assert.Equal(401, refusal.RefusalData!.Value.GetProperty("code").GetInt32());
    }

    // ------------------------------------------------------------------ lifecycle

    [Fact]
    public async Task A_server_disconnect_ends_the_socket_without_reconnection()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        socket.Emit("disconnect-me");
        Assert.Equal("io server disconnect", (await disconnected).Item1);
        Assert.False(socket.Active);
        Assert.Null(socket.Id);
        await Task.Delay(500); // a bounded negative window: a reconnection would have started within the first delay (100 ms)
        Assert.False(socket.Connected);
        Assert.Equal(1, Server.Count("connect"));
    }

    [Fact]
    public async Task A_client_disconnect_reaches_the_server_and_ends_the_socket()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        socket.Disconnect();
        Assert.Equal("io client disconnect", (await disconnected).Item1);
        Assert.False(socket.Active);
        Assert.Equal("/:client namespace disconnect", await Server.NextAsync("disconnect"));

        // It can connect again.
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.True(socket.Connected);
    }

    [Fact]
    public async Task Emits_made_while_disconnected_are_sent_in_order_once_connected()
    {
        SocketIoClient socket = Client(configure: o => o.AutoConnect = false);
        Assert.False(socket.Active);
        Assert.True(socket.Emit("record", 1));
        Assert.True(socket.Emit("record", 2));
        Assert.True(socket.Emit("record", 3));
        await Task.Delay(200); // a bounded negative window: with no connection yet, nothing may leave
        Assert.Equal(0, Server.Count("record"));

        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("[1]", await Server.NextAsync("record"));
        Assert.Equal("[2]", await Server.NextAsync("record"));
        Assert.Equal("[3]", await Server.NextAsync("record"));
    }

    [Fact]
    public async Task Volatile_emits_are_dropped_while_not_connected()
    {
        SocketIoClient socket = Client(configure: o => o.AutoConnect = false);
        Assert.False(socket.Volatile.Emit("record", "volatile"));
        socket.Emit("record", "marker");
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("[\"marker\"]", await Server.NextAsync("record"));

        // Once connected and idle, a volatile emit goes out.
        await Wait.UntilAsync(() => socket.Volatile.Emit("record", "sent"), Limit);
        Assert.Equal("[\"sent\"]", await Server.NextAsync("record"));
        Assert.Equal(2, Server.Count("record"));
    }

    [Fact]
    public async Task Reconnects_after_a_server_restart_and_flushes_what_was_buffered()
    {
        SocketIoClient socket = Client();
        var attempts = new List<int>();
        int reconnects = 0;
        socket.Io.OnReconnectAttempt(a =>
        {
            lock (attempts)
            {
                attempts.Add(a);
            }
        });
        socket.Io.OnReconnect(_ => Interlocked.Increment(ref reconnects));
        await socket.ConnectAsync().WaitAsync(Limit);
        string firstId = socket.Id!;

        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        await Server.StopAsync();
        string reason = (await disconnected).Item1;
        Assert.Contains(reason, new[] { "transport close", "transport error" });
        Assert.True(socket.Active);
        Assert.True(socket.Emit("record", "while the server was down"));
        Task<SocketIoArgs> unsentAck = socket.EmitWithAck("ack", ["buffered with its ack"]);   // not discarded on disconnection

        Task<int> reconnected = Next<int>(h => socket.OnConnect(() => h(0)));
        await Wait.UntilAsync(() => { lock (attempts) { return attempts.Count >= 1; } }, Limit); // an attempt is made while the server is down
        await Server.StartAsync();
        await reconnected;
        Assert.Equal("[\"while the server was down\"]", await Server.NextAsync("record"));
        Assert.Equal("buffered with its ack", (await unsentAck.WaitAsync(Limit)).GetString(0));
        Assert.NotEqual(firstId, socket.Id);
        await Wait.UntilAsync(() => Volatile.Read(ref reconnects) == 1, Limit);
        lock (attempts)
        {
            Assert.NotEmpty(attempts);
            Assert.Equal(Enumerable.Range(1, attempts.Count), attempts);
        }
    }

    [Fact]
    public async Task Gives_up_after_the_reconnection_attempts()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.ReconnectionAttempts = 2;
            o.ReconnectionDelay = TimeSpan.FromMilliseconds(50);
            o.ReconnectionDelayMax = TimeSpan.FromMilliseconds(100);
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        int attempts = 0, errors = 0;
        socket.Io.OnReconnectAttempt(_ => Interlocked.Increment(ref attempts));
        socket.Io.OnReconnectError(_ => Interlocked.Increment(ref errors));
        Task<int> failed = Next<int>(h => socket.Io.OnReconnectFailed(() => h(0)));
        await Server.StopAsync();
        await failed;
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Equal(2, Volatile.Read(ref errors));
        Assert.False(socket.Connected);
    }

    [Fact]
    public async Task Closing_the_manager_stops_reconnecting()
    {
        SocketIoClient socket = Client(configure: o => o.ReconnectionDelay = o.ReconnectionDelayMax = TimeSpan.FromMilliseconds(50));
        await socket.ConnectAsync().WaitAsync(Limit);
        int attempts = 0;
        socket.Io.OnReconnectAttempt(_ => Interlocked.Increment(ref attempts));
        await Server.StopAsync();
        await Wait.UntilAsync(() => Volatile.Read(ref attempts) >= 2, Limit);

        socket.Io.Close();
        int stoppedAt = Volatile.Read(ref attempts);
        await Task.Delay(500);                 // a bounded negative window: ten reconnection delays
        Assert.InRange(Volatile.Read(ref attempts), stoppedAt, stoppedAt + 1);   // at most the one under way
        Assert.False(socket.Io.Reconnecting);
    }

    [Fact]
    public async Task A_socket_that_disconnects_stops_reconnecting_while_another_one_goes_on()
    {
        var options = WithParser(new SocketIoClientOptions { ReconnectionDelay = TimeSpan.FromMilliseconds(50), ReconnectionDelayMax = TimeSpan.FromMilliseconds(100) });
        var manager = Track(new Manager(Server.Uri, options));
        SocketIoClient first = manager.Socket("/");
        SocketIoClient second = manager.Socket("/other");
        await Task.WhenAll(first.ConnectAsync(), second.ConnectAsync()).WaitAsync(Limit);

        await Server.StopAsync();
        await Wait.UntilAsync(() => manager.Reconnecting, Limit);
        first.Disconnect();
        Assert.False(first.Active);
        Assert.True(second.Active);

        Task<int> reconnected = Next<int>(h => second.OnConnect(() => h(0)));
        await Server.StartAsync();
        await reconnected;
        Assert.True(second.Connected);
        Assert.False(first.Connected);
    }

    [Fact]
    public async Task Keeps_trying_until_the_server_comes_up()
    {
        await Server.StopAsync();
        SocketIoClient socket = Client();
        SocketIoConnectException error = await Assert.ThrowsAsync<SocketIoConnectException>(() => socket.ConnectAsync().WaitAsync(Limit));
        Assert.False(error.RefusedByServer);
        Assert.True(socket.Active);

        Task<int> connected = Next<int>(h => socket.OnConnect(() => h(0)));
        await Server.StartAsync();
        await connected;
        Assert.True(socket.Connected);
    }

    // ------------------------------------------------------------------ events and acks

    [Fact]
    public async Task Events_and_binary_travel_both_ways()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        byte[] blob = [0, 1, 2, 250, 255];
        Task<ClientEvent> echoed = Next<ClientEvent>(h => socket.On("echo", h));
        socket.Emit("echo", "héllo wörld ✓ 🌍 日本", 42, blob, new Dictionary<string, object?> { ["nested"] = new byte[] { 9, 8 } });
        ClientEvent e = await echoed;
        Assert.Equal("echo", e.Name);
        Assert.Equal("héllo wörld ✓ 🌍 日本", e.Args.GetString(0));
        Assert.Equal(42, e.Args.Get<int>(1));
        Assert.Equal(blob, e.Args.Get<byte[]>(2));
        object?[] values = e.Args.ToValues();
        Assert.Equal(new byte[] { 9, 8 }, Assert.IsType<byte[]>(Assert.IsAssignableFrom<IDictionary<string, object?>>(values[3])["nested"]));
    }

    [Fact]
    public async Task Acknowledgements_carry_values_and_binary()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        byte[] blob = [7, 7, 7];
        SocketIoArgs ack = await socket.Timeout(Limit).EmitWithAck("ack", [1, "two", blob]);
        Assert.Equal(3, ack.Count);
        Assert.Equal(1, ack.Get<int>(0));
        Assert.Equal("two", ack.GetString(1));
        Assert.Equal(blob, ack.Get<byte[]>(2));
    }

    [Fact]
    public async Task The_client_acknowledges_the_server_events()
    {
        SocketIoClient socket = Client();
        socket.On("question", e => e.Ack(new Dictionary<string, object?> { ["got"] = e.Args.GetString(0), ["data"] = new byte[] { 1, 2, 3 } }));
        await socket.ConnectAsync().WaitAsync(Limit);
        SocketIoArgs answer = await socket.Timeout(Limit).EmitWithAck("ask", ["who?"]);
        var values = Assert.IsAssignableFrom<IDictionary<string, object?>>(answer.ToValues()[0]);
        Assert.Equal("who?", values["got"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, values["data"]);
    }

    [Fact]
    public async Task An_acknowledgement_that_does_not_come_times_out()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        SocketIoTimeoutException timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(
            () => socket.Timeout(TimeSpan.FromMilliseconds(300)).EmitWithAck("never", [1]));
        Assert.Equal("never", timeout.EventName);
        Assert.Equal("[1]", await Server.NextAsync("never"));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => socket.EmitWithAck("never", [2], cts.Token));
    }

    [Fact]
    public async Task A_token_given_to_EmitWithAck_cancels_it_and_never_travels_as_an_argument()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);

        using (var cts = new CancellationTokenSource())
        {
            Task<SocketIoArgs> pending = socket.EmitWithAck("never", [1500], cts.Token);
            Assert.Equal("[1500]", await Server.NextAsync("never"));
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Limit));
        }

        using (var cts = new CancellationTokenSource())
        {
            Task<SocketIoArgs> pending = socket.Timeout(Limit).EmitWithAck("never", cts.Token);
            Assert.Equal("[]", await Server.NextAsync("never"));
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Limit));
        }

        using (var cts = new CancellationTokenSource(Limit))
        {
            SocketIoArgs ack = await socket.Timeout(Limit).EmitWithAck("ack", [1500, "x"], cts.Token);
            Assert.Equal(2, ack.Count);
            Assert.Equal(1500, ack.Get<int>(0));
            Assert.Equal(0, (await socket.EmitWithAck("ack", cts.Token)).Count);
        }
    }

    [Fact]
    public async Task The_ackTimeout_option_bounds_every_acknowledgement()
    {
        SocketIoClient socket = Client(configure: o => o.AckTimeout = TimeSpan.FromMilliseconds(300));
        await socket.ConnectAsync().WaitAsync(Limit);
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => socket.EmitWithAck("never"));
        Assert.Equal(5, (await socket.EmitWithAck("ack", [5])).Get<int>(0));
    }

    [Fact]
    public async Task Retries_resend_until_acknowledged()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.Retries = 3;
            o.AckTimeout = TimeSpan.FromMilliseconds(300);
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        SocketIoArgs ack = await socket.EmitWithAck("flaky", ["a"]).WaitAsync(Limit);
        Assert.Equal(3, ack.Get<int>(0));
        Assert.Equal("a:1", await Server.NextAsync("flaky"));
        Assert.Equal("a:2", await Server.NextAsync("flaky"));
        Assert.Equal("a:3", await Server.NextAsync("flaky"));
    }

    [Fact]
    public async Task Retries_give_up_after_the_last_one()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.Retries = 1;
            o.AckTimeout = TimeSpan.FromMilliseconds(300);
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => socket.EmitWithAck("flaky", ["b"]).WaitAsync(Limit));
        Assert.Equal("b:1", await Server.NextAsync("flaky"));
        Assert.Equal("b:2", await Server.NextAsync("flaky"));

        // The queue moves on: the next packet goes out.
        Assert.Equal(9, (await socket.EmitWithAck("ack", [9]).WaitAsync(Limit)).Get<int>(0));
    }

    [Fact]
    public async Task Retried_packets_go_one_at_a_time_in_order()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.Retries = 2;
            o.AckTimeout = TimeSpan.FromSeconds(5);
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        Task<SocketIoArgs>[] acks = Enumerable.Range(0, 5).Select(i => socket.EmitWithAck("ack", [i])).ToArray();
        SocketIoArgs[] results = await Task.WhenAll(acks).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 5), results.Select(r => r.Get<int>(0)));
    }

    [Fact]
    public async Task Catch_all_listeners_hear_incoming_and_outgoing_events()
    {
        SocketIoClient socket = Client();
        Task<ClientEvent> incoming = Next<ClientEvent>(h => socket.OnAny(h));
        Task<(string, SocketIoArgs)> outgoing = Next<(string, SocketIoArgs)>(h => socket.OnAnyOutgoing((n, a) => h((n, a))));
        await socket.ConnectAsync().WaitAsync(Limit);
        socket.Emit("echo", "hello");
        (string name, SocketIoArgs args) = await outgoing;
        Assert.Equal("echo", name);
        Assert.Equal("hello", args.GetString(0));
        ClientEvent e = await incoming;
        Assert.Equal("echo", e.Name);
        Assert.Equal("hello", e.Args.GetString(0));

        Action<ClientEvent> listener = _ => { };
        socket.OnAny(listener);
        Assert.Contains(listener, socket.ListenersAny());
        socket.OffAny(listener);
        Assert.DoesNotContain(listener, socket.ListenersAny());
        socket.OffAnyOutgoing();
        Assert.Empty(socket.ListenersAnyOutgoing());
    }

    [Fact]
    public async Task Handlers_are_removed_by_disposing_their_registration()
    {
        SocketIoClient socket = Client();
        int first = 0, second = 0;
        IDisposable one = socket.On("echo", _ => Interlocked.Increment(ref first));
        socket.On("echo", _ => Interlocked.Increment(ref second));
        Assert.Equal(2, socket.ListenerCount("echo"));
        await socket.ConnectAsync().WaitAsync(Limit);
        socket.Emit("echo", 1);
        await Wait.UntilAsync(() => Volatile.Read(ref second) == 1, Limit);
        one.Dispose();
        Assert.Equal(1, socket.ListenerCount("echo"));
        socket.Emit("echo", 2);
        await Wait.UntilAsync(() => Volatile.Read(ref second) == 2, Limit);
        Assert.Equal(1, Volatile.Read(ref first));
        socket.Off("echo");
        Assert.Equal(0, socket.ListenerCount("echo"));
    }

    [Fact]
    public async Task Reserved_event_names_cannot_be_emitted()
    {
        SocketIoClient socket = Client(configure: o => o.AutoConnect = false);
        foreach (string name in new[] { "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener" })
        {
            Assert.Throws<ArgumentException>(() => socket.Emit(name));
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task An_acknowledgement_times_out_while_the_socket_is_not_connected_and_its_packet_is_dropped()
    {
        SocketIoClient socket = Client(configure: o => o.AutoConnect = false);
        await Assert.ThrowsAsync<SocketIoTimeoutException>(() => socket.Timeout(TimeSpan.FromMilliseconds(200)).EmitWithAck("record", ["late"]));
        socket.Emit("record", "marker");
        await socket.ConnectAsync().WaitAsync(Limit);
        // The marker was emitted after the timed-out packet: had that one been sent, it would have come first.
        Assert.Equal("[\"marker\"]", await Server.NextAsync("record"));
        Assert.Equal(1, Server.Count("record"));
    }

    [Fact]
    public async Task An_acknowledgement_still_expected_fails_when_the_socket_disconnects()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        Task<SocketIoArgs> pending = socket.EmitWithAck("never", ["waiting"]);
        Assert.Equal("[\"waiting\"]", await Server.NextAsync("never"));
        socket.Emit("disconnect-me");
        SocketIoException error = await Assert.ThrowsAsync<SocketIoException>(() => pending.WaitAsync(Limit));
        Assert.Equal("socket has been disconnected", error.Message);
    }

    [Fact]
    public async Task With_retries_a_packet_emitted_in_the_connect_handler_goes_out_once()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.AutoConnect = false;
            o.Retries = 1;
            o.AckTimeout = TimeSpan.FromSeconds(10);
        });
        // "never" records what it gets (under retries every packet carries an ack id) and never answers.
        socket.OnConnect(() => socket.Emit("never", "from the connect handler"));
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal("[\"from the connect handler\"]", await Server.NextAsync("never"));
        // A bounded negative window: a second copy would follow the first at once (a retry would wait
        // the 10 s ack timeout), and the retry queue holds anything emitted behind it, so no marker can tell.
        await Task.Delay(500);
        Assert.Equal(1, Server.Count("never"));
    }

    [Fact]
    public async Task With_retries_the_queue_waits_while_the_socket_is_disconnected()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.AutoConnect = false;
            o.Retries = 2;
            o.AckTimeout = TimeSpan.FromMilliseconds(300);
        });
        Task<SocketIoArgs> first = socket.EmitWithAck("ack", [1]);
        Task<SocketIoArgs> second = socket.EmitWithAck("ack", [2]);
        await Task.Delay(1000);                 // a bounded negative window, three ack timeouts' worth: nothing was tried, nothing failed
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Equal(1, (await first.WaitAsync(Limit)).Get<int>(0));
        Assert.Equal(2, (await second.WaitAsync(Limit)).Get<int>(0));
    }

    [Fact]
    public async Task A_socket_that_is_already_active_is_not_opened_again()
    {
        var manager = Track(new Manager(Server.Uri, WithParser(new ManagerOptions { AutoConnect = false })));
        SocketIoClient socket = manager.Socket("/");
        await socket.ConnectAsync().WaitAsync(Limit);
        string id = socket.Id!;
        socket.Connect();
        await socket.ConnectAsync().WaitAsync(Limit);
        Assert.Same(socket, manager.Socket("/"));
        Assert.Equal(id, socket.Id);
        // A marker the server records after whatever came before it: a second CONNECT would be recorded first.
        socket.Emit("record", "after");
        Assert.Equal("[\"after\"]", await Server.NextAsync("record"));
        Assert.Equal(1, Server.Count("connect"));

        // Disconnected, the same (cached) socket connects again.
        socket.Disconnect();
        await manager.Socket("/").ConnectAsync().WaitAsync(Limit);
        Assert.NotEqual(id, socket.Id);
    }

    // ------------------------------------------------------------------ multiplexing

    [Fact]
    public async Task Namespaces_share_one_connection_unless_told_otherwise()
    {
        var shared = WithParser(new SocketIoClientOptions { ReconnectionDelay = TimeSpan.FromMilliseconds(100) });
        SocketIoClient main = Track(SocketIoClient.Create(Server.Url("/"), shared));
        SocketIoClient other = Track(SocketIoClient.Create(Server.Url("/other"), shared));
        Assert.Same(main.Io, other.Io);
        await Task.WhenAll(main.ConnectAsync(), other.ConnectAsync()).WaitAsync(Limit);
        Assert.Equal("/", (await WhoAmI(main)).GetProperty("nsp").GetString());
        Assert.Equal("/other", (await WhoAmI(other)).GetProperty("nsp").GetString());
        Assert.Equal(main.Io.EngineId, other.Io.EngineId);

        // The same namespace again, ForceNew, or Multiplex off: a connection of its own.
        SocketIoClient again = Track(SocketIoClient.Create(Server.Url("/"), shared));
        SocketIoClient forced = Track(SocketIoClient.Create(Server.Url("/other"), WithParser(new SocketIoClientOptions { ForceNew = true })));
        SocketIoClient single = Track(SocketIoClient.Create(Server.Url("/admin"), WithParser(new SocketIoClientOptions { Multiplex = false })));
        Assert.NotSame(main.Io, again.Io);
        Assert.NotSame(main.Io, forced.Io);
        Assert.NotSame(main.Io, single.Io);
        await Task.WhenAll(again.ConnectAsync(), forced.ConnectAsync(), single.ConnectAsync()).WaitAsync(Limit);
        Assert.NotEqual(main.Io.EngineId, forced.Io.EngineId);

        // Disconnecting one namespace keeps the connection for the other; the last one closes it.
        Task<string> closed = Next<string>(h => main.Io.OnClose((r, _) => h(r)));
        other.Disconnect();
        Assert.Equal("/", (await WhoAmI(main)).GetProperty("nsp").GetString()); // a round trip after the other's goodbye
        Assert.True(main.Connected);
        Assert.False(closed.IsCompleted);
        main.Disconnect();
        Assert.Equal("forced close", await closed);
    }

    [Fact]
    public async Task The_manager_reports_its_own_events()
    {
        var manager = new Manager(Server.Uri, WithParser(new ManagerOptions { AutoConnect = false }));
        Track(manager);
        Task<int> opened = Next<int>(h => manager.OnOpen(() => h(0)));
        Task<SocketIoPacket> packet = Next<SocketIoPacket>(h => manager.OnPacket(h));
        SocketIoClient socket = manager.Socket("/");
        Assert.False(socket.Active);
        await socket.ConnectAsync().WaitAsync(Limit);
        await opened;
        Assert.Equal(SocketIoPacketType.Connect, (await packet).Type);
        Assert.Same(socket, manager.Socket("/"));
    }

    // ------------------------------------------------------------------ threads

    [Fact]
    public async Task A_handler_that_blocks_on_an_acknowledgement_does_not_deadlock()
    {
        SocketIoClient socket = Client();
        socket.On("question", e =>
        {
            // Sync over async inside a handler: acknowledgements are read off the handler path.
            string inner = socket.Timeout(Limit).EmitWithAck("ack", ["inner"]).Result.GetString(0)!;
            e.Ack(inner + " answer");
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        SocketIoArgs answer = await socket.Timeout(Limit).EmitWithAck("ask", ["q"]);
        Assert.Equal("inner answer", answer.GetString(0));
    }

    [Fact]
    public async Task Emits_and_handler_changes_from_many_threads()
    {
        SocketIoClient socket = Client();
        await socket.ConnectAsync().WaitAsync(Limit);
        int echoes = 0;
        socket.On("echo", _ => Interlocked.Increment(ref echoes));
        const int Threads = 8, PerThread = 50;
        Task[] workers = Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                using IDisposable churn = socket.On("noise", _ => { });
                int value = t * 1000 + i;
                Task<SocketIoArgs> ack = socket.Timeout(Limit).EmitWithAck("ack", [value]);
                socket.Emit("echo", value);
                Assert.Equal(value, (await ack).Get<int>(0));
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(() => Volatile.Read(ref echoes) == Threads * PerThread, Limit);
        Assert.Equal(0, socket.ListenerCount("noise"));
    }
}

/// <summary>The scenarios against Node's socket.io 4.8.</summary>
public sealed partial class NodeServerTests : ClientScenarios
{
    protected override ScenarioServer CreateServer(ScenarioOptions options) => new NodeScenarioServer(options);

    [Fact]
    public async Task Detects_a_dead_server_after_pingInterval_plus_pingTimeout()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(400),
            PingTimeout = TimeSpan.FromMilliseconds(400),
        });
        SocketIoClient socket = Client(configure: o => o.Reconnection = false, server: server);
        int pings = 0;
        socket.Io.OnPing(() => Interlocked.Increment(ref pings));
        await socket.ConnectAsync().WaitAsync(Limit);
        await Wait.UntilAsync(() => Volatile.Read(ref pings) >= 2, Limit);

        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await server.FreezeAsync();
        try
        {
            Assert.Equal("ping timeout", (await disconnected).Item1);
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(400), $"detected after {watch.Elapsed}");
        }
        finally
        {
            await server.ThawAsync();
        }
    }
}

/// <summary>The scenarios against TypedSocketIo's own server.</summary>
public sealed class OwnServerTests : ClientScenarios
{
    protected override ScenarioServer CreateServer(ScenarioOptions options) => new OwnScenarioServer(options);
}

/// <summary>
/// The scenarios with the msgpack parser (<see cref="MsgPackSocketIoParser"/>) against Node's
/// socket.io 4.8 with socket.io-msgpack-parser 3.0.
/// </summary>
public sealed class MsgPackNodeServerTests : ClientScenarios
{
    protected override bool MsgPack => true;

    protected override ScenarioServer CreateServer(ScenarioOptions options) => new NodeScenarioServer(options);

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task Dates_and_binary_arrive_in_node_as_Date_and_Buffer_and_dates_come_back_as_instants(string transport)
    {
        var when = new DateTime(2023, 11, 14, 22, 13, 20, 123, DateTimeKind.Utc);
        SocketIoClient socket = Client(configure: o => o.Transports = [transport]);
        await socket.ConnectAsync().WaitAsync(Limit);

        SocketIoArgs kinds = await socket.Timeout(Limit).EmitWithAck("types", [when, new DateTimeOffset(when).ToOffset(TimeSpan.FromHours(-5)), "2023-11-14T22:13:20.123Z", new byte[] { 1 }, 1.5]);
        Assert.Equal("[[\"date 1700000000123\",\"date 1700000000123\",\"string\",\"buffer\",\"number\"]]", kinds.ToString());

        SocketIoArgs date = await socket.Timeout(Limit).EmitWithAck("date");
        Assert.Equal(when, date.Get(0, ScenarioJson.Default.DateTime));
        Assert.Equal(new DateTimeOffset(when), date.Get(0, ScenarioJson.Default.DateTimeOffset));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(DateTime))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class ScenarioJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The scenarios with the msgpack parser on both sides, against TypedSocketIo's own server.</summary>
public sealed class MsgPackOwnServerTests : ClientScenarios
{
    protected override bool MsgPack => true;

    protected override ScenarioServer CreateServer(ScenarioOptions options) => new OwnScenarioServer(options);
}
