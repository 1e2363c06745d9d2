using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/middleware.ts (namespace middleware).</summary>
public sealed class MiddlewareTests
{
    [Fact]
    public async Task Calls_every_middleware_before_the_client_is_connected()
    {
        int run = 0;
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use(async (socket, next) =>
            {
                h.Record("middleware", $"1 {Interlocked.Increment(ref run)} {socket.Namespace.Name}");
                await next();
            });
            io.Use(async (socket, next) =>
            {
                h.Record("middleware", $"2 {Interlocked.Increment(ref run)} {socket.Namespace.Name}");
                await next();
            });
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal(2, Volatile.Read(ref run));
        Assert.Equal("1 1 /", await host.NextAsync("middleware"));
        Assert.Equal("2 2 /", await host.NextAsync("middleware"));
    }

    [Fact]
    public async Task An_error_stops_the_chain_and_reaches_the_client()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use((_, _) => throw new ConnectionRejectedException("Authentication error"));
            io.Use(async (_, next) =>
            {
                h.Record("second middleware");
                await next();
            });
            io.OnConnection(_ => h.Record("connection"));
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());

        Assert.Equal("Authentication error", (await client.EventAsync("connect_error", "c")).GetProperty("message").GetString());
        Assert.Equal(0, host.Count("second middleware"));
        Assert.Equal(0, host.Count("connection"));
        Assert.Equal(0, client.Node.Count("connect", "c"));
    }

    [Fact]
    public async Task Connection_handlers_run_after_the_middleware()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use(async (socket, next) =>
            {
                socket.Data = "guillermo";
                await next();
            });
            io.OnConnection(socket => h.Record("connection", (string)socket.Data!));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("guillermo", await host.NextAsync("connection"));
    }

    [Fact]
    public async Task Client_is_connected_only_after_a_lengthy_middleware()
    {
        int authenticated = 0;
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Use(async (_, next) =>
        {
            await Task.Delay(300);
            Volatile.Write(ref authenticated, 1);
            await next();
        }));
        await using var client = await SioDriver.StartAsync();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await client.ConnectAsync("c", host.Url());

        Assert.Equal(1, Volatile.Read(ref authenticated));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Middleware_completing_after_the_connection_closed_is_ignored()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use(async (socket, next) =>
            {
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                socket.Conn.Closed += (_, _, _) => closed.TrySetResult();
                h.Record("middleware");
                await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await next();
                h.Record("next returned");
            });
            io.OnConnection(_ => h.Record("connection"));
        });
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());
        await host.NextAsync("middleware");
        await client.DisconnectAsync("c"); // closes the client's only Manager, hence the Engine.IO connection

        await host.NextAsync("next returned");
        await Task.Delay(200); // a bounded negative window: no connection handler may run once next() has returned
        Assert.Equal(0, host.Count("connection"));
        Assert.Empty(host.Io.Sockets.Sockets);
    }

    [Fact]
    public async Task Namespace_middleware_runs_in_order_and_the_main_one_is_not_called()
    {
        var order = new List<int>();
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use((_, _) =>
            {
                h.Record("main middleware");
                throw new InvalidOperationException("should not fire");
            });
            for (int i = 1; i <= 3; i++)
            {
                int index = i;
                io.Of("/chat").Use(async (_, next) =>
                {
                    lock (order)
                    {
                        order.Add(index);
                    }

                    await Task.Delay(50);
                    await next();
                });
            }
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("chat", host.Url("/chat"));

        lock (order)
        {
            Assert.Equal(new[] { 1, 2, 3 }, order);
        }

        Assert.Equal(0, host.Count("main middleware"));
    }

    [Fact]
    public async Task Client_connects_through_a_middleware_that_calls_next()
    {
        // The reference's "should disable the merge of handshake packets": with middleware, the
        // CONNECT answer is sent on its own once the chain completes, and the client connects.
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Use((_, next) => next()));
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url(), new { transports = new[] { "polling" } });

        Assert.True(host.Io.Sockets.Sockets.ContainsKey(sid));
    }

    [Fact]
    public async Task Middleware_of_a_custom_namespace_lets_both_namespaces_connect()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, _) => io.Of("/chat").Use((_, next) => next()));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("main", host.Url());
        await client.SendConnectAsync("chat", host.Url("/chat"));

        await client.EventAsync("connect", "main");
        await client.EventAsync("connect", "chat");
    }

    [Fact]
    public async Task Socket_is_connected_only_after_the_middleware()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Use(async (socket, next) =>
            {
                h.Record("connected", "middleware " + socket.Connected);
                await next();
            });
            io.OnConnection(socket => h.Record("connected", "connection " + socket.Connected));
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url());

        Assert.Equal("middleware False", await host.NextAsync("connected"));
        Assert.Equal("connection True", await host.NextAsync("connected"));
    }
}
