using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>AddSocketIo binds the "SocketIo" configuration section and validates the options.</summary>
public sealed class OptionsConfigurationTests
{
    private static Action<WebApplicationBuilder> Configure(Dictionary<string, string?> values) =>
        b => b.Configuration.AddInMemoryCollection(values);

    [Fact]
    public async Task The_SocketIo_section_is_bound_before_the_AddSocketIo_delegate_and_reaches_the_wire()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            options: o => o.PingTimeout = TimeSpan.FromSeconds(4),
            configureBuilder: Configure(new()
            {
                ["SocketIo:PingInterval"] = "00:00:07",
                ["SocketIo:PingTimeout"] = "00:00:03",
                ["SocketIo:MaxHttpBufferSize"] = "5000",
                ["SocketIo:Transports:0"] = "websocket",
                ["SocketIo:ServeClient"] = "false",
                ["SocketIo:ConnectTimeout"] = "00:01:00",
                ["SocketIo:Cookie:Name"] = "sticky",
                ["SocketIo:HttpCompression:Enabled"] = "false",
                ["SocketIo:WebSocketFraming"] = "AspNetCore",
            }));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri(host.Url().Replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"));
        string open = await ws.ReceiveTextAsync();
        using HttpResponseMessage polling = await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=polling");
        using HttpResponseMessage client = await http.GetAsync(host.Url() + "/socket.io/socket.io.js");

        SocketIoServerOptions options = host.Io.Options;
        Assert.Equal(TimeSpan.FromSeconds(7), options.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), options.PingTimeout); // the delegate runs after the configuration
        Assert.Equal(5000, options.MaxHttpBufferSize);
        Assert.Equal(["websocket"], options.Transports); // replaced, not appended to
        Assert.False(options.ServeClient);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ConnectTimeout);
        Assert.Equal("sticky", options.Cookie?.Name);
        Assert.Null(options.HttpCompression);
        Assert.Equal(WebSocketFraming.AspNetCore, options.WebSocketFraming);
        Assert.True(options.AllowEIO3); // untouched by the configuration
        using JsonDocument handshake = JsonDocument.Parse(open[1..]);
        Assert.Equal(7000, handshake.RootElement.GetProperty("pingInterval").GetInt32());
        Assert.Equal(4000, handshake.RootElement.GetProperty("pingTimeout").GetInt32());
        Assert.Equal(5000, handshake.RootElement.GetProperty("maxPayload").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, polling.StatusCode); // polling is not an allowed transport
        Assert.Equal(HttpStatusCode.NotFound, client.StatusCode);
    }

    [Fact]
    public async Task Without_a_SocketIo_section_the_defaults_stay()
    {
        await using var host = await SocketIoTestHost.StartAsync(configureBuilder: Configure(new() { ["Other:PingInterval"] = "00:00:01" }));

        var defaults = new SocketIoServerOptions();
        Assert.Equal(defaults.PingInterval, host.Io.Options.PingInterval);
        Assert.Equal([EngineIOOptions.Polling, EngineIOOptions.WebSocket], host.Io.Options.Transports);
        Assert.True(host.Io.Options.ServeClient);
    }

    private static WebApplication Build(Dictionary<string, string?> values, Action<SocketIoServerOptions>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddSocketIo(configure);
        return builder.Build();
    }

    [Fact]
    public async Task Invalid_configured_values_fail_the_host_start_with_every_problem_named()
    {
        await using WebApplication app = Build(new()
        {
            ["SocketIo:PingInterval"] = "-00:00:01",
            ["SocketIo:MaxHttpBufferSize"] = "0",
            ["SocketIo:Transports:0"] = "flash",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("SocketIoServerOptions.PingInterval must be positive (it is -00:00:01).", error.Failures);
        Assert.Contains("SocketIoServerOptions.MaxHttpBufferSize must be positive (it is 0).", error.Failures);
        Assert.Contains(error.Failures, f => f.Contains("'flash'", StringComparison.Ordinal));
        Assert.Equal(3, error.Failures.Count());
    }

    [Fact]
    public async Task Invalid_values_from_the_delegate_fail_MapSocketIo()
    {
        await using WebApplication app = Build(new(), o =>
        {
            o.ConnectTimeout = TimeSpan.Zero;
            o.PerMessageDeflate = new PerMessageDeflateOptions { ServerMaxWindowBits = 20 };
        });

        var error = Assert.Throws<OptionsValidationException>(() => app.MapSocketIo());

        Assert.Contains("SocketIoServerOptions.ConnectTimeout must be positive (it is 00:00:00).", error.Failures);
        Assert.Contains("SocketIoServerOptions.PerMessageDeflate.ServerMaxWindowBits must be between 9 and 15 (it is 20).", error.Failures);
    }

    [Fact]
    public async Task A_value_that_does_not_parse_fails_the_start_naming_the_key()
    {
        await using WebApplication app = Build(new() { ["SocketIo:PingInterval"] = "soon" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("SocketIo:PingInterval", error.Message);
    }

    [Fact]
    public async Task The_msgpack_parser_is_chosen_by_name_and_speaks_on_the_wire()
    {
        await using var host = await SocketIoTestHost.StartAsync(configureBuilder: Configure(new() { ["SocketIo:Parser"] = "MsgPack" }));
        Assert.Same(TypedSocketIo.Protocol.MsgPackSocketIoParser.Instance, host.Io.Options.Parser);

        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri(host.Url().Replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
        await ws.SendBinaryAsync([0x82, 0xa4, .. "type"u8, 0x00, 0xa3, .. "nsp"u8, 0xa1, (byte)'/']); // {type: 0, nsp: "/"}
        (System.Net.WebSockets.WebSocketMessageType type, byte[] reply) = await ws.ReceiveAsync();
        Assert.Equal(System.Net.WebSockets.WebSocketMessageType.Binary, type);
        TypedSocketIo.Protocol.SocketIoPacket connected = TypedSocketIo.Protocol.MsgPackSocketIoParser.DecodePacket(reply);
        Assert.Equal(TypedSocketIo.Protocol.SocketIoPacketType.Connect, connected.Type);
        Assert.StartsWith("{\"sid\":", System.Text.Encoding.UTF8.GetString(connected.Data.Span));
    }

    [Fact]
    public async Task An_unknown_parser_name_fails_the_start()
    {
        await using WebApplication app = Build(new() { ["SocketIo:Parser"] = "protobuf" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("SocketIo:Parser must be \"json\" or \"msgpack\"", error.Message);
    }

    [Fact]
    public void Validation_through_the_server_constructor_names_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => new SocketIoServer(
            new SocketIoServerOptions { PingTimeout = TimeSpan.Zero }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

        Assert.Contains("PingTimeout must be positive", error.Message);
    }
}
