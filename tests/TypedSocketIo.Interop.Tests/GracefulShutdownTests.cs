using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>Stopping the host closes the official clients' connections cleanly.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Stopping_the_host_disconnects_official_clients_with_transport_close()
    {
        var host = await SocketIoTestHost.StartAsync(
            (io, h) => io.OnConnection(socket => socket.Disconnected += (s, reason, _) => h.Record("disconnect", reason)),
            configureBuilder: b => b.Services.AddHealthChecks().AddSocketIo());
        await using var client = await SioDriver.StartAsync();
        try
        {
            await client.ConnectAsync("ws", host.Url(), new { forceNew = true, transports = new[] { "websocket" } });
            await client.ConnectAsync("polling", host.Url(), new { forceNew = true, transports = new[] { "polling" } });
            // An idle long-polling client always has a GET waiting: it carries the close packet.
            await Wait.UntilAsync(() => host.Io.Engine.SessionCount == 2 && host.Io.Engine.Sessions.All(c => c.Transport == "websocket" || c.IsWritable));
            HealthCheckService health = host.Io.Services!.GetRequiredService<HealthCheckService>();
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

            await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

            JsonElement ws = await client.EventAsync("disconnect", "ws");
            JsonElement polling = await client.EventAsync("disconnect", "polling");
            Assert.Equal("transport close", ws.GetProperty("reason").GetString());
            Assert.Equal("transport close", polling.GetProperty("reason").GetString());
            Assert.Equal("server shutting down", await host.NextAsync("disconnect"));
            Assert.Equal("server shutting down", await host.NextAsync("disconnect"));
            Assert.True(host.Io.IsClosed);
            Assert.Equal(0, host.Io.Engine.SessionCount);
            Assert.Empty(host.Io.Sockets.Sockets);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
