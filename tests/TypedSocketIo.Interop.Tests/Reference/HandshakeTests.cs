using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>
/// Ports of socket.io's test/handshake.ts. The reference's <c>cors</c> option is, here, an ASP.NET
/// Core CORS policy on the Socket.IO endpoint (<c>app.MapSocketIo().RequireCors(…)</c>, on the builder that carries the server).
/// </summary>
public sealed class HandshakeTests
{
    private static Task<SocketIoTestHost> StartWithCorsAsync(string origin) => SocketIoTestHost.StartAsync(
        configureBuilder: b => b.Services.AddCors(o => o.AddPolicy("reference", p => p
            .WithOrigins(origin).WithMethods("GET", "POST").WithHeaders("content-type").AllowCredentials())),
        configurePipeline: app => app.UseCors(),
        configureEndpoint: endpoint => endpoint.RequireCors("reference"));

    private static RawPolling Http(SocketIoTestHost host) => new(q => new Uri(host.BaseUri, "/socket.io/?" + q));

    [Fact]
    public async Task Preflight_request_gets_the_access_control_headers()
    {
        await using var host = await StartWithCorsAsync("http://localhost:54023");
        using RawPolling http = Http(host);

        RawResponse response = await http.SendAsync(HttpMethod.Options, "EIO=4&transport=polling", configure: r =>
        {
            r.Headers.Add("Origin", "http://localhost:54023");
            r.Headers.Add("Access-Control-Request-Method", "GET");
            r.Headers.Add("Access-Control-Request-Headers", "content-type");
        });

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        Assert.Equal("http://localhost:54023", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST", response.Header("Access-Control-Allow-Methods"));
        Assert.Equal("content-type", response.Header("Access-Control-Allow-Headers"));
        Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Handshake_request_gets_the_access_control_headers()
    {
        await using var host = await StartWithCorsAsync("http://localhost:54024");
        using RawPolling http = Http(host);

        RawResponse response = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://localhost:54024"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("0{", response.Text);
        Assert.Equal("http://localhost:54024", response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Allow_request_returning_true_accepts_the_handshake()
    {
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.AllowRequest = _ => ValueTask.FromResult(EngineRequestVerdict.Allow()));
        using RawPolling http = Http(host);

        RawResponse response = await http.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("0{", response.Text);
    }

    [Fact]
    public async Task Allow_request_returning_false_refuses_the_handshake()
    {
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.AllowRequest = _ => ValueTask.FromResult<EngineRequestVerdict>(false));
        using RawPolling http = Http(host);

        RawResponse response = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://foo.example"));

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal(0, host.Io.Engine.SessionCount);
    }
}
