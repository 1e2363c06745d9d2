using System.Net;
using System.Net.Sockets;
using TcpSocket = System.Net.Sockets.Socket;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// WebSockets taken from the listener (<c>UseSocketIoWebSockets</c>): which requests it takes,
/// what it answers, and what it leaves to ASP.NET Core. The frame rules are in
/// <see cref="DirectWebSocketFramingTests"/>.
/// </summary>
public class DirectWebSocketTests
{
    /// <summary>Whether the host's transport serves the sessions on their bare sockets (<c>UseSocketIoTransport</c>).</summary>
    protected virtual bool BareSockets => false;

    private const string Query = "EIO=4&transport=websocket";
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>A host whose listener takes the WebSockets, and whose pipeline counts the requests it sees.</summary>
    private Task<EngineTestHost> StartAsync(
        Action<EngineIOOptions>? configure = null,
        Action<EngineIOEndpointConventionBuilder>? configureEndpoint = null,
        Action<KestrelServerLimits>? limits = null,
        List<string>? seen = null,
        Action<ListenOptions>? beforeListener = null) =>
        EngineTestHost.StartAsync(
            configure: configure,
            configureEndpoint: configureEndpoint,
            configureBuilder: b =>
            {
                b.WebHost.ConfigureKestrel(k => limits?.Invoke(k.Limits));
                if (BareSockets)
                {
                    b.WebHost.UseSocketIoTransport();
                }
            },
            configurePipeline: app =>
            {
                app.Use((context, next) =>
                {
                    if (seen is not null)
                    {
                        lock (seen)
                        {
                            seen.Add(context.Request.Path + context.Request.QueryString);
                        }
                    }

                    return next(context);
                });
                app.MapGet("/hello", () => "hi");
            },
            configureListener: listen =>
            {
                beforeListener?.Invoke(listen);
                listen.UseSocketIoWebSockets();
            });

    private static string Upgrade(string target, string? extra = null) =>
        $"GET {target} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    /// <summary>Sends <paramref name="request"/> on a new connection and reads until the server closes it (bounded).</summary>
    private static async Task<string> ExchangeAsync(EngineTestHost host, string request, TimeSpan? timeout = null)
    {
        using var socket = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseUri.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return await ReadToEndAsync(socket, timeout ?? TimeSpan.FromSeconds(10));
    }

    private static async Task<string> ReadToEndAsync(TcpSocket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return Encoding.ASCII.GetString(received.ToArray()) + "<still open>";
        }
        catch (SocketException)
        {
            // reset by the server: what came before it is the answer
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    [Fact]
    public async Task A_websocket_session_is_served_without_the_aspnetcore_pipeline_while_polling_goes_through_it()
    {
        var seen = new List<string>();
        await using EngineTestHost host = await StartAsync(seen: seen);

        await using (RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query)))
        {
            Assert.StartsWith("0{\"sid\"", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
            await ws.SendTextAsync("4over the listener");
            Assert.Equal("4over the listener", await ws.ReceiveTextAsync());
        }

        lock (seen)
        {
            Assert.Empty(seen);
        }

        using var polling = new RawPolling(q => new Uri(host.BaseUri, "/engine.io/?" + q));
        (string sid, _) = await polling.HandshakeAsync();
        Assert.NotEmpty(sid);
        lock (seen)
        {
            Assert.Equal(["/engine.io/?EIO=4&transport=polling"], seen);
        }
    }

    /// <summary>
    /// The 101 is held to leave with the open packet: one send, so the client's first read has
    /// both (a client woken by the 101 alone would read it alone).
    /// </summary>
    [Fact]
    public async Task The_101_and_the_open_packet_reach_the_client_in_one_send()
    {
        await using EngineTestHost host = await StartAsync();
        for (int i = 0; i < 20; i++)
        {
            using var socket = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, host.BaseUri.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(Upgrade("/engine.io/?" + Query)));
            byte[] buffer = new byte[8192];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read = await socket.ReceiveAsync(buffer, cts.Token);
            string first = Encoding.ASCII.GetString(buffer, 0, read);
            Assert.StartsWith("HTTP/1.1 101 ", first, StringComparison.Ordinal);
            int end = first.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
            Assert.True(read > end + 2, $"the first read held only the 101: {first}");
            Assert.Equal(0x81, buffer[end]);
            Assert.StartsWith("0{\"sid\"", first[(end + 2)..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_server_on_aspnetcores_websocket_has_its_sessions_left_to_aspnetcore()
    {
        var seen = new List<string>();
        await using EngineTestHost host = await StartAsync(o => o.WebSocketFraming = WebSocketFraming.AspNetCore, seen: seen);

        await using (RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query)))
        {
            Assert.StartsWith("0{\"sid\"", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
            await ws.SendTextAsync("4through the pipeline");
            Assert.Equal("4through the pipeline", await ws.ReceiveTextAsync());
        }

        lock (seen)
        {
            Assert.Equal(["/engine.io/?" + Query], seen);
        }
    }

    [Fact]
    public async Task A_polling_session_upgrades_over_a_connection_taken_from_the_listener()
    {
        var seen = new List<string>();
        await using EngineTestHost host = await StartAsync(seen: seen);
        using var polling = new RawPolling(q => new Uri(host.BaseUri, "/engine.io/?" + q));
        (string sid, _) = await polling.HandshakeAsync();

        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl($"{Query}&sid={sid}"));
        await ws.SendTextAsync("2probe");
        Assert.Equal("3probe", await ws.ReceiveTextAsync());
        await ws.SendTextAsync("5");
        await ws.SendTextAsync("4upgraded");

        Assert.Equal("upgraded", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal("4upgraded", await ws.ReceiveTextAsync());
        lock (seen)
        {
            Assert.DoesNotContain(seen, s => s.Contains("transport=websocket", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Every_other_request_on_the_listener_is_answered_by_aspnetcore_as_before()
    {
        var seen = new List<string>();
        await using EngineTestHost host = await StartAsync(seen: seen);
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        Assert.Equal("hi", await http.GetStringAsync("/hello"));
        Assert.Equal("hi", await http.GetStringAsync("/hello?again"));
        // The endpoint's path without an upgrade, with a body, or with the upgrade for another path.
        string plain = await ExchangeAsync(host, $"GET /engine.io/?{Query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", plain, StringComparison.Ordinal);
        Assert.Contains("{\"code\":3,\"message\":\"Bad request\"}", plain, StringComparison.Ordinal);
        string other = await ExchangeAsync(host, Upgrade("/elsewhere"), TimeSpan.FromSeconds(2));
        Assert.StartsWith("HTTP/1.1 404", other, StringComparison.Ordinal);
        string withLength = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}", "Content-Length: 0\r\n"), TimeSpan.FromSeconds(2));
        Assert.StartsWith("HTTP/1.1 101", withLength, StringComparison.Ordinal);

        lock (seen)
        {
            Assert.Equal(["/hello", "/hello?again", $"/engine.io/?{Query}", "/elsewhere", $"/engine.io/?{Query}"], seen);
        }
    }

    [Fact]
    public async Task A_refused_upgrade_gets_the_reference_answer_and_its_connection_closes()
    {
        await using EngineTestHost host = await StartAsync(o => o.AllowRequest = context =>
            ValueTask.FromResult(context.Request.Headers["X-Token"] == "let me in"
                ? EngineRequestVerdict.Allow()
                : EngineRequestVerdict.Deny("no token")));

        string version = await ExchangeAsync(host, Upgrade("/engine.io/?EIO=5&transport=websocket", "X-Token: let me in\r\n"));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", version, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", version, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nUnsupported protocol version", version, StringComparison.Ordinal);

        string denied = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}"));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", denied, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 8\r\n", denied, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nno token", denied, StringComparison.Ordinal);

        string unknown = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}&sid=nope", "X-Token: let me in\r\n"));
        Assert.StartsWith("HTTP/1.1 400", unknown, StringComparison.Ordinal);
        Assert.EndsWith("Session ID unknown", unknown, StringComparison.Ordinal);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task The_handshake_sees_the_request_and_the_header_callbacks_reach_the_101()
    {
        string? seen = null;
        await using EngineTestHost host = await StartAsync(o =>
        {
            o.AllowRequest = context =>
            {
                seen = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers.Host} " +
                       $"{context.Request.Headers["X-Custom"]} {context.Connection.RemoteIpAddress} {context.Request.Scheme} " +
                       $"{context.RequestServices.GetService<IServiceProvider>() is not null}";
                return ValueTask.FromResult(EngineRequestVerdict.Allow());
            };
            o.OnHeaders = (headers, _) => headers["X-Seen"] = "yes";
        });

        string answer = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}&q=1", "X-Custom: a\r\nx-custom: b\r\n"), TimeSpan.FromSeconds(2));

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("X-Seen: yes\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", answer, StringComparison.Ordinal);
        Assert.Equal($"GET /engine.io/?{Query}&q=1 localhost a,b 127.0.0.1 http True", seen);
        EngineSocket socket = Assert.Single(host.Sockets.Values);
        Assert.Equal("1", socket.Request.Query["q"]);
        Assert.Equal("localhost", socket.Request.Host.Value);
    }

    [Fact]
    public async Task Response_callbacks_run_as_aspnetcore_runs_them_OnStarting_before_the_101_OnCompleted_when_the_session_ends()
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EngineTestHost host = await StartAsync(o => o.AllowRequest = context =>
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["X-Started"] = "first";
                return Task.CompletedTask;
            });
            context.Response.OnCompleted(() =>
            {
                completed.TrySetResult();
                return Task.CompletedTask;
            });
            return ValueTask.FromResult(EngineRequestVerdict.Allow());
        });
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query), Key);
        Assert.Contains("X-Started: first\r\n", client.HandshakeResponse, StringComparison.Ordinal);
        ServerFrame open = (await client.ReadFrameAsync())!;
        Assert.False(completed.Task.IsCompleted);

        host.Socket(RawPolling.SidPattern.Match(open.Text).Groups[1].Value).Close();

        await completed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_header_callback_that_sets_a_header_http_cannot_carry_fails_the_request_with_a_bare_500()
    {
        await using EngineTestHost host = await StartAsync(o => o.OnHeaders = (headers, _) => headers["X-Bad"] = "line\r\nInjected: yes");

        string answer = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}"));

        Assert.Equal("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", answer);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task A_head_that_does_not_come_whole_in_time_is_cut_at_the_listeners_timeout()
    {
        await using EngineTestHost host = await StartAsync(limits: l => l.RequestHeadersTimeout = TimeSpan.FromSeconds(1));

        string answer = await ExchangeAsync(host, $"GET /engine.io/?{Query} HTTP/1.1\r\nHost: localhost\r\n", TimeSpan.FromSeconds(15));

        Assert.Equal("", answer);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_cut_at_the_listeners_timeout()
    {
        await using EngineTestHost host = await StartAsync(limits: l => l.RequestHeadersTimeout = TimeSpan.FromSeconds(1));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        string answer = await ExchangeAsync(host, "", TimeSpan.FromSeconds(15));

        Assert.Equal("", answer);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"cut after {waited.Elapsed}");
        Assert.Equal(0, host.Server.SessionCount);

        // The listener serves the next connection as before.
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
    }

    [Fact]
    public async Task A_head_past_the_listeners_limits_is_answered_by_aspnetcore()
    {
        await using EngineTestHost host = await StartAsync(limits: l => l.MaxRequestHeadersTotalSize = 2048);

        string large = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}", $"X-Large: {new string('a', 4096)}\r\n"));
        Assert.StartsWith("HTTP/1.1 431", large, StringComparison.Ordinal);

        string folded = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}", "X-Folded: a\r\n b\r\n"));
        Assert.StartsWith("HTTP/1.1 400", folded, StringComparison.Ordinal);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task A_large_head_within_the_listeners_limits_is_taken_and_its_session_served()
    {
        var seen = new List<string>();
        string cookie = new('c', 9000); // more than the first look at a bare socket's bytes takes
        await using EngineTestHost host = await StartAsync(seen: seen);

        await using RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query), Key, extraHeaders: $"Cookie: {cookie}\r\n");
        ServerFrame open = (await client.ReadFrameAsync())!;
        string sid = RawPolling.SidPattern.Match(open.Text).Groups[1].Value;

        Assert.Equal(cookie, host.Socket(sid).Request.Headers.Cookie.ToString());
        Assert.Empty(seen);
    }

    [Fact]
    public async Task An_endpoint_that_asks_for_a_host_is_left_to_aspnetcore()
    {
        var seen = new List<string>();
        await using EngineTestHost host = await StartAsync(configureEndpoint: e => e.RequireHost("example.com"), seen: seen);

        string answer = await ExchangeAsync(host, Upgrade($"/engine.io/?{Query}"), TimeSpan.FromSeconds(2));

        Assert.StartsWith("HTTP/1.1 404", answer, StringComparison.Ordinal);
        lock (seen)
        {
            Assert.Equal([$"/engine.io/?{Query}"], seen);
        }
    }

    [Fact]
    public async Task Seeded_fuzz_of_garbled_heads_in_pieces_always_ends_in_bounded_time_and_leaves_the_server_healthy()
    {
        await using EngineTestHost host = await StartAsync();
        byte[] valid = Encoding.ASCII.GetBytes(Upgrade($"/engine.io/?{Query}"));
        byte[] specials = "\r\n: \t%?/\0\u007f\u00ff"u8.ToArray();
        for (int seed = 1; seed <= 60; seed++)
        {
            var random = new Random(seed);
            var bytes = new List<byte>(valid);
            for (int i = random.Next(0, 4); i > 0; i--)
            {
                int at = random.Next(bytes.Count);
                if (random.Next(2) == 0)
                {
                    bytes[at] = specials[random.Next(specials.Length)];
                }
                else
                {
                    bytes.RemoveAt(at);
                }
            }

            using var socket = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, host.BaseUri.Port);
            byte[] input = [.. bytes];
            try
            {
                for (int offset = 0; offset < input.Length;)
                {
                    int size = Math.Min(input.Length - offset, random.Next(1, 40));
                    await socket.SendAsync(input.AsMemory(offset, size));
                    offset += size;
                }

                // The client says no more: whoever took the request (the listener, ASP.NET Core) ends the connection.
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The server answered and closed already (ASP.NET Core refusing a garbled head): the rest cannot be sent.
            }
            string answer = await ReadToEndAsync(socket, TimeSpan.FromSeconds(15));
            Assert.False(answer.EndsWith("<still open>", StringComparison.Ordinal), $"seed {seed}: the connection stayed open after {answer}");
        }

        await Wait.UntilAsync(() => host.Server.SessionCount == 0, TimeSpan.FromSeconds(15));
        await using RawWebSocket healthy = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query));
        Assert.StartsWith("0{\"sid\"", await healthy.ReceiveTextAsync(), StringComparison.Ordinal);
        await healthy.SendTextAsync("4still fine");
        Assert.Equal("4still fine", await healthy.ReceiveTextAsync());
    }

    [Fact]
    public async Task Only_the_servers_transport_keeps_a_whole_head_from_kestrels_connections_and_a_head_in_pieces_is_served_all_the_same()
    {
        int kestrelConnections = 0;
        await using EngineTestHost host = await StartAsync(beforeListener: listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref kestrelConnections);
            return next(connection);
        }));

        await using (RawWebSocket ws = await RawWebSocket.ConnectAsync(host.WebSocketUrl(Query)))
        {
            Assert.StartsWith("0{\"sid\"", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
            await ws.SendTextAsync("4whole");
            Assert.Equal("4whole", await ws.ReceiveTextAsync());
        }

        Assert.Equal(BareSockets ? 0 : 1, Volatile.Read(ref kestrelConnections));

        // A head whose first bytes are not all of it goes on to Kestrel, whose listener middleware takes it.
        byte[] head = Encoding.ASCII.GetBytes(Upgrade("/engine.io/?" + Query));
        using var socket = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host.BaseUri.Host, host.BaseUri.Port);
        await socket.SendAsync(head.AsMemory(0, 20));
        await Task.Delay(200);
        await socket.SendAsync(head.AsMemory(20));
        var answer = new StringBuilder();
        byte[] buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!answer.ToString().Contains("0{\"sid\"", StringComparison.Ordinal))
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 101", answer.ToString(), StringComparison.Ordinal);
        Assert.Equal(BareSockets ? 1 : 2, Volatile.Read(ref kestrelConnections));
    }

    [Fact]
    public async Task Stopping_the_host_closes_the_sessions_and_their_connections_in_bounded_time()
    {
        EngineTestHost host = await StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query), Key);
        ServerFrame open = (await client.ReadFrameAsync())!;
        Assert.StartsWith("0{\"sid\"", open.Text, StringComparison.Ordinal);

        Task stopped = host.DisposeAsync().AsTask();

        Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(10)));
        await stopped.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task Closing_the_session_closes_the_connection()
    {
        await using EngineTestHost host = await StartAsync();
        await using RawFrameClient client = await RawFrameClient.ConnectAsync(host.WebSocketUrl(Query), Key);
        ServerFrame open = (await client.ReadFrameAsync())!;
        string sid = RawPolling.SidPattern.Match(open.Text).Groups[1].Value;

        host.Socket(sid).Close();

        Assert.True(await client.ServerClosesAsync(TimeSpan.FromSeconds(10)));
        await Wait.UntilAsync(() => host.Server.SessionCount == 0, TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// The same, with the host's transport serving the WebSocket sessions on their bare sockets
/// (<c>UseSocketIoTransport</c>), and what only it does.
/// </summary>
public sealed class BareSocketDirectWebSocketTests : DirectWebSocketTests
{
    protected override bool BareSockets => true;
}
