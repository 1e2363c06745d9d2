using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary><c>services.AddHealthChecks().AddSocketIo()</c>.</summary>
public sealed class HealthCheckTests
{
    private static Task<SocketIoTestHost> StartAsync(Action<IHealthChecksBuilder>? register = null) =>
        SocketIoTestHost.StartAsync(
            configureBuilder: b =>
            {
                IHealthChecksBuilder checks = b.Services.AddHealthChecks();
                if (register is null)
                {
                    checks.AddSocketIo();
                }
                else
                {
                    register(checks);
                }
            },
            configurePipeline: app => app.MapHealthChecks("/healthz"));

    [Fact]
    public async Task Healthy_while_serving_with_clients_as_data_and_Unhealthy_once_closed()
    {
        await using var host = await StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri(host.Url().Replace("http://", "ws://", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket"));
        await ws.ReceiveTextAsync();
        await ws.SendTextAsync("40");
        await ws.ReceiveTextAsync();

        using HttpResponseMessage healthy = await http.GetAsync(host.Url() + "/healthz");
        HealthReportEntry entry = (await health.CheckHealthAsync()).Entries["socketio"];

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync());
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["clients"]);
        Assert.Equal(1, entry.Data["sockets"]);
        Assert.Equal(1, entry.Data["namespaces"]);

        host.Io.Close();

        using HttpResponseMessage closed = await http.GetAsync(host.Url() + "/healthz");
        entry = (await health.CheckHealthAsync()).Entries["socketio"];
        Assert.Equal(HttpStatusCode.ServiceUnavailable, closed.StatusCode);
        Assert.Equal("Unhealthy", await closed.Content.ReadAsStringAsync());
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("closed", entry.Description);
        Assert.Equal(0, entry.Data["clients"]);
    }

    [Fact]
    public async Task The_check_fails_as_soon_as_the_application_starts_stopping()
    {
        await using var host = await StartAsync(checks => checks.AddSocketIo("realtime", HealthStatus.Degraded, ["live"]));
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Tags.Contains("live"))).Status);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        HealthReport report = await health.CheckHealthAsync(r => r.Tags.Contains("live"));
        Assert.Equal(HealthStatus.Degraded, report.Entries["realtime"].Status);
        Assert.True(host.Io.IsClosed);
    }

    [Fact]
    public async Task A_server_that_was_never_mapped_is_reported_with_what_to_do()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSocketIo();
        builder.Services.AddHealthChecks().AddSocketIo();
        await using WebApplication app = builder.Build();

        HealthReport report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["socketio"].Status);
        Assert.Contains("MapSocketIo", report.Entries["socketio"].Description);
    }
}
