using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>Compression, cookies, response headers and CORS.</summary>
public sealed class HttpFeaturesTests
{
    private static string Q(string sid) => $"EIO=4&transport=polling&sid={sid}";

    private static async Task<(RawResponse Response, string Expected)> BigPollAsync(EngineTestHost host, string acceptEncoding, int size = 2000, bool compress = true)
    {
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        string text = new('x', size);
        host.Socket(sid).Send(text, compress);
        RawResponse response = await http.GetAsync(Q(sid), r => r.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding));
        return (response, "4" + text);
    }

    [Fact]
    public async Task Large_polling_responses_are_gzipped_by_default()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawResponse response, string expected) = await BigPollAsync(host, "gzip, deflate");

        Assert.Equal("gzip", response.Header("Content-Encoding"));
        using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        Assert.Equal(expected, new StreamReader(gzip).ReadToEnd());
    }

    [Fact]
    public async Task Deflate_is_used_when_it_is_the_only_accepted_encoding()
    {
        await using var host = await EngineTestHost.StartAsync();
        (RawResponse response, string expected) = await BigPollAsync(host, "deflate");

        Assert.Equal("deflate", response.Header("Content-Encoding"));
        using var zlib = new ZLibStream(new MemoryStream(response.Body), CompressionMode.Decompress);
        Assert.Equal(expected, new StreamReader(zlib).ReadToEnd());
    }

    [Fact]
    public async Task Responses_below_the_threshold_are_not_compressed()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.HttpCompression = new HttpCompressionOptions { Threshold = 5000 });
        (RawResponse response, string expected) = await BigPollAsync(host, "gzip");

        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal(expected, response.Text);
    }

    [Fact]
    public async Task Compression_can_be_disabled_globally_and_per_message()
    {
        await using var off = await EngineTestHost.StartAsync(o => o.HttpCompression = null);
        Assert.Null((await BigPollAsync(off, "gzip")).Response.Header("Content-Encoding"));

        await using var on = await EngineTestHost.StartAsync();
        (RawResponse response, string expected) = await BigPollAsync(on, "gzip", compress: false);
        Assert.Null(response.Header("Content-Encoding"));
        Assert.Equal(expected, response.Text);
    }

    [Fact]
    public async Task No_cookie_is_sent_by_default()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        (_, RawResponse response) = await http.HandshakeAsync();

        Assert.Null(response.Header("Set-Cookie"));
    }

    [Theory]
    [InlineData("default", "io={sid}; path=/; samesite=lax; httponly")]
    [InlineData("name-no-path", "x={sid}; samesite=lax")]
    [InlineData("strict-maxage", "io={sid}; max-age=1000; path=/; samesite=strict")]
    [InlineData("secure-domain", "io={sid}; domain=example.com; path=/; secure; samesite=none; httponly")]
    public async Task Cookie_option_sets_the_session_cookie_on_the_polling_handshake_only(string variant, string expected)
    {
        EngineCookieOptions cookie = variant switch
        {
            "default" => new EngineCookieOptions(),
            "name-no-path" => new EngineCookieOptions { Name = "x", Path = null },
            "strict-maxage" => new EngineCookieOptions { HttpOnly = false, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromSeconds(1000) },
            _ => new EngineCookieOptions { Secure = true, Domain = "example.com", SameSite = SameSiteMode.None },
        };
        await using var host = await EngineTestHost.StartAsync(o => o.Cookie = cookie);
        using var http = new RawPolling(q => host.Url(q));

        (string sid, RawResponse response) = await http.HandshakeAsync();

        Assert.Equal(expected.Replace("{sid}", sid), response.Header("Set-Cookie"));
        host.Socket(sid).Send("x");
        Assert.Null((await http.GetAsync(Q(sid))).Header("Set-Cookie"));
        Assert.Null((await http.PostAsync(Q(sid), "4x")).Header("Set-Cookie"));
    }

    [Fact]
    public async Task Cookie_is_not_sent_on_a_websocket_handshake()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.Cookie = new EngineCookieOptions());
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"), o => o.CollectHttpResponseDetails = true);

        Assert.False(ws.Socket.HttpResponseHeaders!.ContainsKey("Set-Cookie"));
    }

    [Fact]
    public async Task Header_hooks_add_headers_to_the_handshake_and_to_every_response()
    {
        int initial = 0;
        await using var host = await EngineTestHost.StartAsync(o =>
        {
            o.OnInitialHeaders = (headers, _) => { headers["X-Initial"] = "yes"; Interlocked.Increment(ref initial); };
            o.OnHeaders = (headers, context) => headers["X-Every"] = context.Request.Method;
        });
        using var http = new RawPolling(q => host.Url(q));

        (string sid, RawResponse handshake) = await http.HandshakeAsync();
        RawResponse post = await http.PostAsync(Q(sid), "4x");
        RawResponse get = await http.GetAsync(Q(sid));
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl("EIO=4&transport=websocket"), o => o.CollectHttpResponseDetails = true);

        Assert.Equal(("yes", "GET"), (handshake.Header("X-Initial"), handshake.Header("X-Every")));
        Assert.Equal((null, "POST"), (post.Header("X-Initial"), post.Header("X-Every")));
        Assert.Equal((null, "GET"), (get.Header("X-Initial"), get.Header("X-Every")));
        Assert.Equal("yes", string.Join(",", ws.Socket.HttpResponseHeaders!["X-Initial"]));
        Assert.Equal("GET", string.Join(",", ws.Socket.HttpResponseHeaders!["X-Every"]));
        Assert.Equal(2, initial);
    }

    [Theory]
    [InlineData("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)", true)]
    [InlineData("Mozilla/4.0 (compatible;MSIE 8.0;Windows NT 5.1)", true)]
    [InlineData("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1)", false)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", false)]
    public async Task Old_internet_explorer_gets_X_XSS_Protection_0(string userAgent, bool expected)
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        RawResponse response = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.TryAddWithoutValidation("User-Agent", userAgent));

        Assert.Equal(expected ? "0" : null, response.Header("X-XSS-Protection"));
    }

    [Fact]
    public async Task Cors_is_off_by_default()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));

        RawResponse response = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://example.com"));
        RawResponse preflight = await http.SendAsync(HttpMethod.Options, "EIO=4&transport=polling", configure: r =>
        {
            r.Headers.Add("Origin", "http://example.com");
            r.Headers.Add("Access-Control-Request-Method", "POST");
        });

        Assert.DoesNotContain(response.Headers.Keys, k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(preflight.Headers.Keys, k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("{\"code\":2,\"message\":\"Bad handshake method\"}", preflight.Text);
    }

    private static Task<EngineTestHost> StartWithCorsAsync(Action<CorsPolicyBuilder> policy) =>
        EngineTestHost.StartAsync(
            configureBuilder: b => b.Services.AddCors(),
            configurePipeline: app => app.UseCors(),
            configureEndpoint: endpoint => endpoint.RequireCors(policy));

    [Fact]
    public async Task Cors_policy_answers_preflight_and_marks_actual_requests()
    {
        await using var host = await StartWithCorsAsync(p => p.WithOrigins("http://good.example").AllowAnyHeader().WithMethods("GET", "POST").AllowCredentials());
        using var http = new RawPolling(q => host.Url(q));

        RawResponse preflight = await http.SendAsync(HttpMethod.Options, "EIO=4&transport=polling", configure: r =>
        {
            r.Headers.Add("Origin", "http://good.example");
            r.Headers.Add("Access-Control-Request-Method", "POST");
            r.Headers.Add("Access-Control-Request-Headers", "content-type");
        });
        RawResponse actual = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://good.example"));

        Assert.Equal(HttpStatusCode.NoContent, preflight.Status);
        Assert.Equal("http://good.example", preflight.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", preflight.Header("Access-Control-Allow-Credentials"));
        Assert.Contains("POST", preflight.Header("Access-Control-Allow-Methods"));
        Assert.Equal(HttpStatusCode.OK, actual.Status);
        Assert.Equal("http://good.example", actual.Header("Access-Control-Allow-Origin"));
        Assert.StartsWith("0{", actual.Text);
    }

    [Fact]
    public async Task Cors_policy_with_an_origin_predicate_refuses_bad_origins()
    {
        await using var host = await StartWithCorsAsync(p => p.SetIsOriginAllowed(origin => origin.EndsWith(".good.example", StringComparison.Ordinal)));
        using var http = new RawPolling(q => host.Url(q));

        RawResponse good = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://a.good.example"));
        RawResponse bad = await http.GetAsync("EIO=4&transport=polling", r => r.Headers.Add("Origin", "http://evil.example"));

        Assert.Equal("http://a.good.example", good.Header("Access-Control-Allow-Origin"));
        Assert.Null(bad.Header("Access-Control-Allow-Origin"));
    }
}
