using System.Net;
using System.Net.Sockets;
using System.Text;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class ErrorResponseTests
{
    private static void AssertError(RawResponse response, HttpStatusCode status, int code, string message)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Equal($"{{\"code\":{code},\"message\":\"{message}\"}}", response.Text);
        Assert.Null(response.Header("Cache-Control"));
    }

    [Theory]
    [InlineData("EIO=4")]
    [InlineData("EIO=4&transport=foo")]
    [InlineData("EIO=4&transport=__proto__")]
    [InlineData("EIO=4&transport=constructor")]
    [InlineData("EIO=4&transport=Polling")]
    public async Task Missing_or_unknown_transport_is_code_0(string query)
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync(query), HttpStatusCode.BadRequest, 0, "Transport unknown");
    }

    [Fact]
    public async Task Disallowed_transport_is_code_0()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.Transports = ["websocket"]);
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync("EIO=4&transport=polling"), HttpStatusCode.BadRequest, 0, "Transport unknown");
    }

    [Fact]
    public async Task Unknown_sid_is_code_1()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync("EIO=4&transport=polling&sid=nope"), HttpStatusCode.BadRequest, 1, "Session ID unknown");
        AssertError(await http.PostAsync("EIO=4&transport=polling&sid=nope", "4hi"), HttpStatusCode.BadRequest, 1, "Session ID unknown");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("OPTIONS")]
    [InlineData("DELETE")]
    public async Task Handshake_with_another_method_than_GET_is_code_2(string method)
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        RawResponse response = await http.SendAsync(new HttpMethod(method), "EIO=4&transport=polling", method == "POST" ? "4x"u8.ToArray() : null);

        AssertError(response, HttpStatusCode.BadRequest, 2, "Bad handshake method");
    }

    [Fact]
    public async Task A_repeated_query_parameter_counts_once_as_the_reference_reads_it_and_two_different_transports_are_code_3()
    {
        // Node's engine.io 6.6: a repeated transport or sid is read as its first value; two
        // different transports answer code 3.
        await using var host = await EngineTestHost.StartAsync(o => o.PingInterval = TimeSpan.FromMilliseconds(300));
        using var http = new RawPolling(q => host.Url(q));

        (string sid, _) = await http.HandshakeAsync("EIO=4&transport=polling&transport=polling");
        Assert.Equal("2", (await http.GetAsync($"EIO=4&transport=polling&sid={sid}&sid={sid}")).Text);
        AssertError(await http.GetAsync("EIO=4&transport=polling&transport=websocket"), HttpStatusCode.BadRequest, 3, "Bad request");
        Assert.Equal(1, host.Server.SessionCount);
    }

    [Fact]
    public async Task Websocket_transport_over_plain_http_is_code_3()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync("EIO=4&transport=websocket"), HttpStatusCode.BadRequest, 3, "Bad request");
    }

    [Fact]
    public async Task Refused_by_allowRequest_is_403_code_4_with_the_custom_message()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowRequest = async context =>
        {
            await Task.Yield();
            return context.Request.Query.ContainsKey("ok") ? EngineRequestVerdict.Allow() : EngineRequestVerdict.Deny("custom msg");
        });
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync("EIO=4&transport=polling"), HttpStatusCode.Forbidden, 4, "custom msg");
        (string sid, _) = await http.HandshakeAsync("EIO=4&transport=polling&ok=1");
        Assert.NotEmpty(sid);
    }

    [Fact]
    public async Task Refused_by_allowRequest_without_message_says_Forbidden()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowRequest = _ => ValueTask.FromResult<EngineRequestVerdict>(false));
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync("EIO=4&transport=polling"), HttpStatusCode.Forbidden, 4, "Forbidden");
    }

    [Theory]
    [InlineData("transport=polling")]
    [InlineData("EIO=3&transport=polling")]
    [InlineData("EIO=5&transport=polling")]
    [InlineData("EIO=abc&transport=polling")]
    [InlineData("EIO=04&transport=polling")]
    public async Task Unsupported_protocol_version_is_code_5(string query)
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync(query), HttpStatusCode.BadRequest, 5, "Unsupported protocol version");
    }

    [Theory]
    [InlineData("transport=polling")]
    [InlineData("EIO=5&transport=polling")]
    public async Task With_allowEIO3_only_an_explicit_EIO_3_is_accepted_as_v3(string query)
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowEIO3 = true);
        using var http = new RawPolling(q => host.Url(q));

        AssertError(await http.GetAsync(query), HttpStatusCode.BadRequest, 5, "Unsupported protocol version");
        Assert.StartsWith("118:0{", (await http.GetAsync("EIO=3&transport=polling")).Text);
    }

    [Fact]
    public async Task Connection_error_event_reports_code_message_and_request()
    {
        var errors = new List<EngineConnectionError>();
        await using var host = await EngineTestHost.StartAsync(o => o.OnConnectionError = e =>
        {
            lock (errors)
            {
                errors.Add(e);
            }
        });
        using var http = new RawPolling(q => host.Url(q));

        await http.GetAsync("EIO=4&transport=foo");
        await http.GetAsync("EIO=4&transport=polling&sid=unknown");

        lock (errors)
        {
            Assert.Equal([EngineErrorCode.UnknownTransport, EngineErrorCode.UnknownSid], errors.Select(e => e.Code));
            Assert.Equal(["Transport unknown", "Session ID unknown"], errors.Select(e => e.Message));
            Assert.Equal("unknown", errors[1].Request.Query["sid"]);
        }
    }

    [Fact]
    public async Task Other_methods_on_a_session_get_500_and_the_session_stays_open()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        RawResponse response = await http.SendAsync(HttpMethod.Put, $"EIO=4&transport=polling&sid={sid}", "4x"u8.ToArray());

        Assert.Equal(HttpStatusCode.InternalServerError, response.Status);
        Assert.Empty(response.Body);
        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
    }

    [Theory]
    [InlineData("EIO=4&transport=websocket&sid=nope", "Session ID unknown")]
    [InlineData("EIO=4&transport=foo", "Transport unknown")]
    [InlineData("EIO=3&transport=websocket", "Unsupported protocol version")]
    [InlineData("transport=websocket", "Unsupported protocol version")]
    [InlineData("EIO=4&transport=polling", "Bad request")] // the reference accepts the upgrade, then closes it with no session
    [InlineData("EIO=4&transport=websocket&transport=polling", "Bad request")]
    public async Task Refused_websocket_upgrades_get_a_plain_400_with_the_message(string query, string message)
    {
        await using var host = await EngineTestHost.StartAsync();

        string response = await RawUpgradeAsync(host, query);

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.Contains("\r\nContent-Type: text/html\r\n", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        Assert.EndsWith("\r\n\r\n" + message, response);
    }

    [Fact]
    public async Task Websocket_refused_by_allowRequest_gets_400_with_the_message()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.AllowRequest = _ => ValueTask.FromResult(EngineRequestVerdict.Deny("custom msg")));

        string response = await RawUpgradeAsync(host, "EIO=4&transport=websocket");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.EndsWith("\r\n\r\ncustom msg", response);
    }

    /// <summary>Sends a WebSocket upgrade request by hand and returns the whole raw response.</summary>
    internal static async Task<string> RawUpgradeAsync(EngineTestHost host, string query)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, host.BaseUri.Port);
        NetworkStream stream = tcp.GetStream();
        string request = $"GET /engine.io/?{query} HTTP/1.1\r\nHost: 127.0.0.1:{host.BaseUri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            int read = await stream.ReadAsync(buffer, cts.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            string text = Encoding.UTF8.GetString(received.ToArray());
            int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var length = System.Text.RegularExpressions.Regex.Match(text, "Content-Length: (\\d+)");
                if (length.Success && text.Length - headerEnd - 4 >= int.Parse(length.Groups[1].Value))
                {
                    break;
                }
            }
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
