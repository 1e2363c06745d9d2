using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/close.ts.</summary>
public sealed class CloseTests
{
    [Theory]
    [InlineData("http")]
    [InlineData("ws")] // the reference's second variant connects with a ws:// URL
    public async Task Close_disconnects_every_client_and_refuses_new_ones(string scheme)
    {
        await using var host = await SocketIoTestHost.StartAsync();
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", $"{scheme}://{host.BaseUri.Authority}");
        Assert.Single(host.Io.Sockets.Sockets);

        host.Io.Close();

        await client.EventAsync("disconnect", "c");
        Assert.Empty(host.Io.Sockets.Sockets);
        using var http = new RawPolling(q => new Uri(host.BaseUri, "/socket.io/?" + q));
        Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync("EIO=4&transport=polling")).Status);
    }

    [Fact]
    public void Close_does_not_throw_when_the_server_was_never_served()
    {
        var io = new SocketIoServer(new SocketIoServerOptions(), NullLoggerFactory.Instance);
        io.Of("/chat");

        Exception? error = Record.Exception(() =>
        {
            io.Close();
            io.Close();
        });

        Assert.Null(error);
        Assert.Equal(0, io.Engine.SessionCount);
    }

    [Fact]
    public async Task Close_ends_every_connection_so_the_host_stops_promptly()
    {
        SocketIoTestHost host = await SocketIoTestHost.StartAsync();
        bool disposed = false;
        try
        {
            await using var client = await SioDriver.StartAsync();
            await client.ConnectAsync("polling", host.Url(), new { transports = new[] { "polling" } });
            await client.ConnectAsync("websocket", host.Url(), new { transports = new[] { "websocket" } });

            host.Io.Close();

            await client.EventAsync("disconnect", "polling");
            await client.EventAsync("disconnect", "websocket");
            Assert.Equal(0, host.Io.Engine.SessionCount);
            var watch = Stopwatch.StartNew();
            disposed = true;
            await host.DisposeAsync();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the host took {watch.Elapsed} to stop after io.Close()");
        }
        finally
        {
            if (!disposed)
            {
                await host.DisposeAsync();
            }
        }
    }

    // ------------------------------------------------------------------ protocol violations

    [Fact]
    public async Task Second_connect_for_the_same_namespace_closes_the_connection()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);

        await raw.PostAsync("40");
        await raw.PostAsync("40");

        List<string> packets = await raw.PollUntilCloseAsync(TimeSpan.FromSeconds(3));
        Assert.StartsWith("40{\"sid\"", packets[0]);
        Assert.Equal(new[] { "6", "1" }, packets.Skip(1));
    }

    [Fact]
    public async Task Event_before_connect_closes_the_connection()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);

        await raw.PostAsync("42[\"some event\"]");

        Assert.Equal(new[] { "6", "1" }, await raw.PollUntilCloseAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Invalid_packet_closes_the_connection_after_delivering_what_was_sent()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using RawSioPolling raw = await RawSioPolling.OpenAsync(host);

        await raw.PostAsync("40");
        await raw.PostAsync("4abc");

        List<string> packets = await raw.PollUntilCloseAsync(TimeSpan.FromSeconds(3));
        Assert.StartsWith("40{\"sid\"", packets[0]);
        Assert.Equal(new[] { "6", "1" }, packets.Skip(1));
    }
}
