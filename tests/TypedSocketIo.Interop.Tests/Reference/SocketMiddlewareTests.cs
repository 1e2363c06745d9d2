using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/socket-middleware.ts (packet middleware).</summary>
public sealed class SocketMiddlewareTests
{
    [Fact]
    public async Task Packet_middleware_runs_in_order_before_the_handler()
    {
        int run = 0;
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Use(async (e, next) =>
            {
                h.Record("middleware", $"1 {e.Name}{e.Args}");
                Interlocked.Increment(ref run);
                await next();
            });
            socket.Use(async (e, next) =>
            {
                h.Record("middleware", $"2 {e.Name}{e.Args}");
                Interlocked.Increment(ref run);
                await next();
            });
            socket.On("join", e => h.Record("handler", $"{e.Args.GetString(0)} {Volatile.Read(ref run)}"));
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());
        await client.EmitAsync("c", "join", ["woot"]);

        Assert.Equal("1 join[\"woot\"]", await host.NextAsync("middleware"));
        Assert.Equal("2 join[\"woot\"]", await host.NextAsync("middleware"));
        Assert.Equal("woot 2", await host.NextAsync("handler"));
    }

    [Fact]
    public async Task Packet_middleware_error_stops_the_chain_and_raises_the_error_event()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(socket =>
        {
            socket.Use((_, _) => throw new InvalidOperationException("Authentication error"));
            socket.Use(async (_, next) =>
            {
                h.Record("second middleware");
                await next();
            });
            socket.On("join", _ => h.Record("handler"));
            socket.Error += (_, error) => h.Record("error", $"{error.GetType().Name} {error.Message}");
        }));
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url());
        await client.EmitAsync("c", "join", ["woot"]);

        Assert.Equal("InvalidOperationException Authentication error", await host.NextAsync("error"));
        Assert.Equal(0, host.Count("second middleware"));
        Assert.Equal(0, host.Count("handler"));
    }
}
