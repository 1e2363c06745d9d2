using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>redis-server stopping and restarting under traffic, and the health check meanwhile.</summary>
public sealed class FaultTests
{
    [Theory]
    [InlineData(RedisAdapterFlavour.Classic)]
    [InlineData(RedisAdapterFlavour.Sharded)]
    public async Task A_Redis_restart_under_traffic_hangs_nothing_keeps_local_clients_served_and_cross_node_delivery_resumes(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, flavour);
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("local", a.Url);
        await clients.ConnectAsync("remote", b.Url);
        a.Io.Sockets.Emit("tick", 0);
        await clients.MessageAsync("remote", "tick");

        await redis.StopAsync();
        await Wait.UntilAsync(() => !a.Adapter.Transport.IsConnected);
        long failuresBefore = a.Adapter.Metrics.PublishFailures;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 1; i <= 20; i++)
        {
            a.Io.Sockets.Emit("down", i); // never blocks, never throws
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"20 broadcasts took {stopwatch.Elapsed} while Redis was down.");
        await Wait.UntilAsync(() => clients.CountMessages("local", "down") == 20);
        await Wait.UntilAsync(() => a.Adapter.Metrics.PublishFailures >= failuresBefore + 20);
        await Assert.ThrowsAnyAsync<Exception>(() => a.Io.Sockets.ServerSideEmitWithAck("x").WaitAsync(TimeSpan.FromSeconds(10)));

        await redis.RestartAsync();
        long reconnectionsBefore = 0;
        await Wait.UntilAsync(() => a.Adapter.Transport.IsConnected && b.Adapter.Transport.IsConnected, TimeSpan.FromSeconds(30));
        await DotNetClusterTests.WaitForServersAsync(2, a, b);
        Assert.True(((RedisTransport)a.Adapter.Transport).Connection.Reconnections > reconnectionsBefore);
        a.Io.Sockets.Emit("after", 1);
        b.Io.Sockets.Emit("after", 2);
        await clients.MessageAsync("remote", "after");
        await Wait.UntilAsync(() => clients.CountMessages("remote", "after") == 2 && clients.CountMessages("local", "after") == 2, TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(RedisAdapterFlavour.Classic)]
    [InlineData(RedisAdapterFlavour.Sharded)]
    public async Task The_health_check_is_Degraded_while_Redis_is_down_and_Healthy_once_it_is_back(RedisAdapterFlavour flavour)
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using DotNetNode a = await DotNetNode.StartAsync(redis, flavour);
        HealthCheckService health = a.Host.Services.GetRequiredService<HealthCheckService>();
        HealthReport report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal("connected", report.Entries["socketio"].Data["cluster"]);

        await redis.StopAsync();
        await WaitForStatusAsync(health, HealthStatus.Degraded);
        report = await health.CheckHealthAsync();
        Assert.Equal("disconnected", report.Entries["socketio"].Data["cluster"]);
        Assert.Contains("cannot reach the other servers", report.Entries["socketio"].Description, StringComparison.Ordinal);

        await redis.RestartAsync();
        await WaitForStatusAsync(health, HealthStatus.Healthy, TimeSpan.FromSeconds(30));
        Assert.Equal("connected", (await health.CheckHealthAsync()).Entries["socketio"].Data["cluster"]);
    }

    private static async Task WaitForStatusAsync(HealthCheckService health, HealthStatus expected, TimeSpan? limit = null)
    {
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(15));
        while ((await health.CheckHealthAsync(cts.Token)).Status != expected)
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
