using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Server.Hosting;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>serveClient: the official socket.io-client bundles served beside the endpoint.</summary>
public sealed class ServeClientTests
{
    private static readonly string ClientPackage = Path.Combine(NodeDriver.NodeDirectory, "node_modules", "socket.io-client");

    private static HttpClient CreateHttp() =>
        new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(15) };

    private static string PinnedVersion()
    {
        using JsonDocument package = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ClientPackage, "package.json")));
        return package.RootElement.GetProperty("version").GetString()!;
    }

    [Theory]
    [InlineData("socket.io.js", "application/javascript; charset=utf-8")]
    [InlineData("socket.io.js.map", "application/json; charset=utf-8")]
    [InlineData("socket.io.min.js", "application/javascript; charset=utf-8")]
    [InlineData("socket.io.min.js.map", "application/json; charset=utf-8")]
    [InlineData("socket.io.msgpack.min.js", "application/javascript; charset=utf-8")]
    [InlineData("socket.io.msgpack.min.js.map", "application/json; charset=utf-8")]
    [InlineData("socket.io.esm.min.js", "application/javascript; charset=utf-8")]
    [InlineData("socket.io.esm.min.js.map", "application/json; charset=utf-8")]
    public async Task Serves_each_official_bundle_byte_for_byte_with_the_reference_headers(string file, string contentType)
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using HttpClient http = CreateHttp();

        using HttpResponseMessage response = await http.GetAsync(host.Url() + "/socket.io/" + file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal("public, max-age=0", response.Headers.CacheControl?.ToString());
        Assert.Equal("\"" + PinnedVersion() + "\"", response.Headers.ETag?.ToString());
        Assert.Empty(response.Content.Headers.ContentEncoding);
        byte[] expected = File.ReadAllBytes(Path.Combine(ClientPackage, "dist", file));
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void The_embedded_client_is_the_pinned_socket_io_client_4_8()
    {
        ClientBundle bundle = Assert.IsType<ClientBundle>(ClientBundle.Instance);

        Assert.Equal(PinnedVersion(), bundle.Version);
        Assert.StartsWith("4.8.", bundle.Version);
    }

    [Fact]
    public async Task If_None_Match_with_the_client_version_answers_304_and_any_other_tag_the_file()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using HttpClient http = CreateHttp();
        string url = host.Url() + "/socket.io/socket.io.min.js";
        string etag = "\"" + PinnedVersion() + "\"";

        async Task<HttpResponseMessage> GetAsync(string ifNoneMatch)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            return await http.SendAsync(request);
        }

        using HttpResponseMessage strong = await GetAsync(etag);
        using HttpResponseMessage weak = await GetAsync("W/" + etag);
        using HttpResponseMessage listed = await GetAsync("\"other\", " + etag);
        using HttpResponseMessage other = await GetAsync("\"4.0.0\"");

        Assert.Equal(HttpStatusCode.NotModified, strong.StatusCode);
        Assert.Empty(await strong.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, strong.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, listed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClientPackage, "dist", "socket.io.min.js")), await other.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip;q=1, br;q=0.5", "gzip")]
    [InlineData("br;q=0, *", "gzip")]
    [InlineData("identity", null)]
    public async Task Compresses_as_the_browser_accepts(string acceptEncoding, string? expected)
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using HttpClient http = CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url() + "/socket.io/socket.io.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        using HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected is null ? [] : [expected], response.Content.Headers.ContentEncoding);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        await using Stream decoded = expected switch
        {
            "gzip" => new GZipStream(body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress),
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            _ => body,
        };
        using var content = new MemoryStream();
        await decoded.CopyToAsync(content);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClientPackage, "dist", "socket.io.js")), content.ToArray());
    }

    [Fact]
    public async Task HEAD_answers_the_headers_without_the_body()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using HttpClient http = CreateHttp();

        using HttpResponseMessage response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, host.Url() + "/socket.io/socket.io.js"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new FileInfo(Path.Combine(ClientPackage, "dist", "socket.io.js")).Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ServeClient_false_serves_no_file_and_the_endpoint_still_works()
    {
        await using var host = await SocketIoTestHost.StartAsync(options: o => o.ServeClient = false);
        using HttpClient http = CreateHttp();

        using HttpResponseMessage file = await http.GetAsync(host.Url() + "/socket.io/socket.io.js");
        using HttpResponseMessage handshake = await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
        Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
        Assert.StartsWith("0{", await handshake.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_files_follow_the_Socket_IO_path_and_unknown_names_are_not_served()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSocketIo();
        await using WebApplication app = builder.Build();
        app.MapSocketIo("/realtime/");
        await app.StartAsync();
        string baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using HttpClient http = CreateHttp();

        using HttpResponseMessage moved = await http.GetAsync(baseUrl + "/realtime/socket.io.esm.min.js");
        using HttpResponseMessage old = await http.GetAsync(baseUrl + "/socket.io/socket.io.js");
        using HttpResponseMessage unknown = await http.GetAsync(baseUrl + "/realtime/socket.io.msgpack.js");
        using HttpResponseMessage post = await http.PostAsync(baseUrl + "/realtime/socket.io.js", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(ClientPackage, "dist", "socket.io.esm.min.js")), await moved.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        await app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
    }

    [Fact]
    public async Task Endpoint_conventions_such_as_RequireCors_apply_to_the_client_files()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            configureBuilder: b => b.Services.AddCors(o => o.AddPolicy("page", p => p.WithOrigins("http://page.example").AllowAnyHeader())),
            configurePipeline: app => app.UseCors(),
            configureEndpoint: endpoint => endpoint.RequireCors("page"));
        using HttpClient http = CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url() + "/socket.io/socket.io.min.js");
        request.Headers.Add("Origin", "http://page.example");

        using HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://page.example", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public void Without_the_bundles_serveClient_fails_with_what_to_do()
    {
        // This test assembly embeds no bundle: it stands for a build made without npm.
        Assert.Null(ClientBundle.Load(typeof(ServeClientTests).Assembly));

        var error = Assert.Throws<InvalidOperationException>(() => ClientBundle.Require(null));

        Assert.Contains("npm ci", error.Message);
        Assert.Contains("ServeClient = false", error.Message);
        Assert.Same(ClientBundle.Instance, ClientBundle.Require(ClientBundle.Instance));
    }

    [Fact]
    public void Accept_Encoding_negotiation_prefers_br_then_gzip_then_deflate_by_quality()
    {
        Assert.Equal("br", ClientBundle.ChooseEncoding("deflate, gzip, br"));
        Assert.Equal("deflate", ClientBundle.ChooseEncoding("deflate;q=0.9, gzip;q=0.1"));
        Assert.Null(ClientBundle.ChooseEncoding("gzip;q=0, br;q=0"));
        Assert.Null(ClientBundle.ChooseEncoding(default(Microsoft.Extensions.Primitives.StringValues)));
        Assert.Equal("br", ClientBundle.ChooseEncoding("*"));
    }
}
