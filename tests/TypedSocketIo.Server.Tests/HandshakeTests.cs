using Microsoft.AspNetCore.Http;
using System.Net;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class HandshakeTests
{
    private static readonly Regex OpenPacket = new(
        "^0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"\\],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000\\}$");

    [Fact]
    public async Task Polling_handshake_sends_the_open_packet_with_exactly_five_keys()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        RawResponse response = await http.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("text/plain; charset=UTF-8", response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Matches(OpenPacket, response.Text);
        Assert.Equal(response.Body.Length.ToString(), response.Header("Content-Length"));
    }

    [Fact]
    public async Task The_session_keeps_its_handshake_request_after_later_requests_reuse_the_connection()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q)); // keep-alive: later requests reuse the connection and its HttpContext

        RawResponse first = await http.GetAsync("EIO=4&transport=polling&token=first&Mixed=Case", r => r.Headers.Add("X-Token", "a"));
        string sid = RawPolling.SidPattern.Match(first.Text).Groups[1].Value;
        await http.SendAsync(HttpMethod.Post, $"EIO=4&transport=polling&sid={sid}&token=post", "4hello"u8.ToArray(), configure: r => r.Headers.Add("X-Token", "b"));
        (string other, _) = await http.HandshakeAsync("EIO=4&transport=polling&token=second");

        EngineRequest request = host.Socket(sid).Request;
        Assert.Equal("first", request.Query["token"].ToString());
        Assert.Equal("Case", request.Query["mixed"].ToString()); // names are case-insensitive, as in ASP.NET Core
        Assert.Equal("a", request.Headers["x-token"].ToString());
        Assert.Equal("a", request.Headers["X-Token"].ToString());
        Assert.Equal("?EIO=4&transport=polling&token=first&Mixed=Case", request.QueryString.Value);
        Assert.Equal("post", host.Socket(sid).DataRequest!.Query["token"].ToString());
        Assert.Equal("b", host.Socket(sid).DataRequest!.Headers["X-Token"].ToString());
        Assert.Equal("second", host.Socket(other).Request.Query["token"].ToString());
        Assert.False(host.Socket(other).Request.Headers.ContainsKey("X-Token"));
    }

    [Fact]
    public async Task The_session_reads_its_query_as_ASP_NET_Core_parsed_it_for_the_handshake()
    {
        Dictionary<string, string>? parsed = null;
        await using var host = await EngineTestHost.StartAsync(o => o.AllowRequest = context =>
        {
            parsed ??= context.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString());
            return ValueTask.FromResult(EngineRequestVerdict.Allow());
        });
        using var http = new RawPolling(q => host.Url(q));

        (string sid, _) = await http.HandshakeAsync("EIO=4&transport=polling&name=a%20b+c&dup=1&dup=2&empty=&flag&%C3%A9=%E2%82%AC&bad=%zz");

        IQueryCollection query = host.Socket(sid).Request.Query;
        Assert.Same(query, host.Socket(sid).Request.Query); // parsed once
        Assert.NotNull(parsed);
        Assert.Equal(parsed.OrderBy(p => p.Key), query.ToDictionary(p => p.Key, p => p.Value.ToString()).OrderBy(p => p.Key));
        Assert.Equal("a b c", query["name"].ToString());
        Assert.Equal("1,2", query["dup"].ToString());
        Assert.Equal("€", query["é"].ToString());
    }

    [Fact]
    public async Task Handshake_reflects_custom_ping_timeouts_and_buffer_size()
    {
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(1234);
            o.PingTimeout = TimeSpan.FromMilliseconds(567);
            o.MaxHttpBufferSize = 4321;
        });
        using var http = new RawPolling(q => host.Url(q));

        (_, RawResponse response) = await http.HandshakeAsync();

        Assert.EndsWith("\"pingInterval\":1234,\"pingTimeout\":567,\"maxPayload\":4321}", response.Text);
    }

    [Fact]
    public async Task Handshake_suggests_no_upgrade_when_websocket_is_not_allowed()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.Transports = ["polling"]);
        using var http = new RawPolling(q => host.Url(q));

        (_, RawResponse response) = await http.HandshakeAsync();

        Assert.Contains("\"upgrades\":[]", response.Text);
    }

    [Fact]
    public async Task Handshake_suggests_no_upgrade_when_upgrades_are_disabled()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowUpgrades = false);
        using var http = new RawPolling(q => host.Url(q));

        (string sid, RawResponse response) = await http.HandshakeAsync();

        Assert.Contains("\"upgrades\":[]", response.Text);
        var error = await Assert.ThrowsAsync<WebSocketException>(() => RawWebSocket.ConnectAsync(host.WebSocketUrl($"EIO=4&transport=websocket&sid={sid}")));
        Assert.Contains("400", error.Message);
    }

    [Fact]
    public async Task WebSocket_handshake_opens_directly_without_upgrades()
    {
        await using var host = await EngineTestHost.StartAsync();
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"));

        string open = await ws.ReceiveTextAsync();

        Assert.Matches("^0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\\],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000\\}$", open);
        ServerEvent connection = await host.NextAsync("connection");
        Assert.Equal("websocket", host.Socket(connection.Sid).Transport);
        Assert.Equal(EngineIOProtocol.V4, host.Socket(connection.Sid).Protocol);
    }

    [Fact]
    public async Task Requests_without_trailing_slash_are_served()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q, "/engine.io"));

        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal(20, sid.Length);
    }

    [Fact]
    public async Task Connection_handler_runs_before_the_handshake_response_and_its_messages_ride_along()
    {
        await using var host = await EngineTestHost.StartAsync(onConnection: socket => socket.Send("welcome"));
        using var http = new RawPolling(q => host.Url(q));

        (_, RawResponse response) = await http.HandshakeAsync();

        Assert.Matches("^0\\{[^\\x1e]*\\}\\x1e4welcome$", response.Text);
    }

    [Fact]
    public async Task Query_string_data_reaches_the_session_request()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        (string sid, _) = await http.HandshakeAsync("EIO=4&transport=polling&a=b&token=%C3%A9");

        EngineRequest request = host.Socket(sid).Request;
        Assert.Equal("b", request.Query["a"]);
        Assert.Equal("é", request.Query["token"]);
        Assert.Equal(IPAddress.Loopback, request.RemoteIpAddress);
    }

    [Fact]
    public async Task Custom_id_generator_is_used()
    {
        int n = 0;
        await using var host = await EngineTestHost.StartAsync(o => o.GenerateId = _ => ValueTask.FromResult("custom-" + Interlocked.Increment(ref n)));
        using var http = new RawPolling(q => host.Url(q));

        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal("custom-1", sid);
        Assert.Equal(1, host.Server.SessionCount);
    }

    [Fact]
    public async Task Custom_async_id_generator_is_awaited()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.GenerateId = async _ =>
        {
            await Task.Delay(10);
            return "async-id";
        });
        using var http = new RawPolling(q => host.Url(q));

        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal("async-id", sid);
    }

    [Fact]
    public async Task Failing_id_generator_refuses_the_handshake_with_bad_request()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.GenerateId = _ => throw new InvalidOperationException("no ids today"));
        using var http = new RawPolling(q => host.Url(q));

        RawResponse response = await http.GetAsync("EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("{\"code\":3,\"message\":\"Bad request\"}", response.Text);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task Failing_id_generator_refuses_a_websocket_handshake()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.GenerateId = _ => throw new InvalidOperationException("no ids today"));

        await Assert.ThrowsAsync<WebSocketException>(() => RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket")));
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public void Default_session_ids_are_random_url_safe_and_unique()
    {
        var ids = new HashSet<string>();
        for (int i = 0; i < 10_000; i++)
        {
            string id = EngineIOServer.GenerateId();
            Assert.Matches("^[A-Za-z0-9_-]{20}$", id);
            Assert.True(ids.Add(id));
        }
    }

    [Fact]
    public async Task Protocol_revision_is_exposed_per_session()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowEIO3 = true);
        using var http = new RawPolling(q => host.Url(q));

        (string v4, _) = await http.HandshakeAsync();
        RawResponse v3Response = await http.GetAsync("EIO=3&transport=polling");
        string v3 = RawPolling.SidPattern.Match(v3Response.Text).Groups[1].Value;

        Assert.Equal(EngineIOProtocol.V4, host.Socket(v4).Protocol);
        Assert.Equal(EngineIOProtocol.V3, host.Socket(v3).Protocol);
    }
}
