using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using TypedSocketIo.Testing;
using Xunit.Abstractions;

namespace TypedSocketIo.Sample.Tests;

/// <summary>
/// The chat sample end to end: Chat.Server as a child process on a free 127.0.0.1 port, its page
/// (the official JavaScript client from /socket.io/socket.io.js) in two headless Chromium
/// contexts, and the .NET console client (Chat.Client's session on the typed contracts, in this
/// process) in the same room.
/// Node.js, the npm packages of tests/node and Chromium are required: without them the tests fail.
/// Screenshots go to artifacts/screenshots/ under the repository (or TYPEDSOCKETIO_SCREENSHOT_DIR).
/// </summary>
public sealed partial class ChatSampleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ChildProcess _server = null!;
    private Uri _url = null!;
    private readonly List<Func<string>> _logs = new();

    public async Task InitializeAsync()
    {
        // From an empty directory: the server must find its page next to its binaries.
        string workingDirectory = Directory.CreateTempSubdirectory("chat-sample-").FullName;
        _server = ChildProcess.StartDotnet("Chat.Server", Path.Combine(AppContext.BaseDirectory, "Chat.Server.dll"), workingDirectory, goodbye: null,
            "--urls", "http://127.0.0.1:0");
        _logs.Add(_server.Describe);
        string listening = await _server.Output.NextLineAsync(l => ListeningOn().IsMatch(l), Limits.Start, "\"Now listening on\" line");
        _url = new Uri(ListeningOn().Match(listening).Groups[1].Value + "/");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_browsers_and_the_console_client_chat_in_one_room()
    {
        string room = "e2e-" + Guid.NewGuid().ToString("N")[..6];
        await using Browser browser = await Browser.LaunchAsync();
        _logs.Add(browser.Describe);
        ConsoleClient? console = null;
        try
        {
            // The page loads the official client from the server itself.
            using (var http = new HttpClient { Timeout = Limits.Step })
            {
                HttpResponseMessage script = await http.GetAsync(new Uri(_url, "socket.io/socket.io.js"));
                Assert.True(script.IsSuccessStatusCode, $"GET /socket.io/socket.io.js: {(int)script.StatusCode} (the server must serve the official client bundle)");
                Assert.Contains("io", await script.Content.ReadAsStringAsync());
            }

            Page ada = await browser.OpenAsync("ada", _url);
            Page bob = await browser.OpenAsync("bob", _url);

            // The auth middleware: a blank name is refused, with the reason on the page.
            await ada.FillAsync("#name", "   ");
            await ada.FillAsync("#room", room);
            await ada.ClickAsync("#join");
            await ada.WaitAsync("#status[data-state=\"refused\"]");
            Assert.Contains("name required", (await ada.WaitAsync("#error:not([hidden])")).Text);

            await JoinAsync(ada, "ada", room);
            await JoinAsync(bob, "bob", room);
            await ada.WaitAsync("#users li[data-user=\"bob\"]");
            await ada.WaitAsync(".notice[data-kind=\"joined\"]", "bob joined");

            // The .NET console client joins the same room; its join ack lists everyone.
            console = ConsoleClient.Start(_url, "grace", room);
            _logs.Add(console.Output.Describe);
            JsonElement joined = await console.Output.NextEventAsync("joined", null, Limits.Start);
            Assert.Equal(room, joined.GetProperty("room").GetString());
            Assert.Equal(new[] { "ada", "bob", "grace" }, joined.GetProperty("users").EnumerateArray().Select(u => u.GetString() ?? "").ToArray());
            await ada.WaitAsync("#users li[data-user=\"grace\"]");
            await bob.WaitAsync("#users li[data-user=\"grace\"]");
            Assert.Equal("3", (await bob.WaitAsync("#online")).Text);

            // Browser A -> browser B and .NET, with the ack shown on A.
            await SendAsync(ada, "Hello from ada");
            (string adaText, JsonElement adaData) = await ada.WaitAsync(".message[data-mine=\"true\"][data-status=\"delivered\"]", "Hello from ada");
            Assert.Contains("delivered", adaText);
            (_, JsonElement atBob) = await bob.WaitAsync(".message[data-from=\"ada\"]", "Hello from ada");
            JsonElement atGrace = await console.Output.NextEventAsync("message", e => e.GetProperty("from").GetString() == "ada", Limits.Step);
            Assert.Equal("Hello from ada", atGrace.GetProperty("text").GetString());
            Assert.Equal(room, atGrace.GetProperty("room").GetString());
            string id = adaData.GetProperty("id").GetString()!;
            Assert.Equal(id, atBob.GetProperty("id").GetString());
            Assert.Equal(id, atGrace.GetProperty("id").GetString());

            // .NET -> both browsers, with the typed ack (message id and server time).
            console.WriteLine("Hello from grace \u00e9\u2713");
            JsonElement delivered = await console.Output.NextEventAsync("delivered", null, Limits.Step);
            Assert.Equal("Hello from grace \u00e9\u2713", delivered.GetProperty("text").GetString());
            Assert.True(delivered.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            foreach (Page page in new[] { ada, bob })
            {
                (_, JsonElement data) = await page.WaitAsync(".message[data-from=\"grace\"]", "Hello from grace \u00e9\u2713");
                Assert.Equal(delivered.GetProperty("id").GetString(), data.GetProperty("id").GetString());
            }

            // Browser B -> browser A and .NET.
            await SendAsync(bob, "Hi from bob");
            await bob.WaitAsync(".message[data-mine=\"true\"][data-status=\"delivered\"]", "Hi from bob");
            await ada.WaitAsync(".message[data-from=\"bob\"]", "Hi from bob");
            await console.Output.NextEventAsync("message", e => e.GetProperty("from").GetString() == "bob" && e.GetProperty("text").GetString() == "Hi from bob", Limits.Step);

            // Typing indicators (volatile: one may be dropped, so keep typing until it shows).
            int key = 0;
            bool bobSaw = false, graceSaw = false;
            await UntilSeenAsync("ada's typing indicator",
                () => ada.TypeAsync("#message", key++ == 0 ? "I am typing" : "."),
                async () => (bobSaw |= await bob.HasAsync("#typing", "ada is typing"))
                    & (graceSaw |= await console.Output.TakeEventAsync("typing", e => e.GetProperty("name").GetString() == "ada" && e.GetProperty("isTyping").GetBoolean())));
            await UntilSeenAsync("grace's typing indicator",
                () =>
                {
                    console.WriteLine("/typing");
                    return Task.CompletedTask;
                },
                async () => await ada.HasAsync("#typing[data-users*=\"grace\"]") && await bob.HasAsync("#typing[data-users*=\"grace\"]"));
            Assert.Contains("grace", (await bob.WaitAsync("#typing")).Text);

            string directory = ScreenshotDirectory();
            string adaShot = await ada.ScreenshotAsync(Path.Combine(directory, "chat-sample-ada.png"));
            string bobShot = await bob.ScreenshotAsync(Path.Combine(directory, "chat-sample-bob.png"));
            output.WriteLine($"screenshots: {adaShot}, {bobShot}");
            Assert.True(new FileInfo(adaShot).Length > 1000);

            // Bob closes his page: the others see him leave.
            await bob.CloseAsync();
            await ada.WaitAsync(".notice[data-kind=\"left\"]", "bob left");
            JsonElement left = await console.Output.NextEventAsync("user-left", e => e.GetProperty("name").GetString() == "bob", Limits.Step);
            Assert.Equal(2, left.GetProperty("online").GetInt32());
            Assert.False(await ada.HasAsync("#users li[data-user=\"bob\"]"));

            // The console client leaves with /quit.
            console.WriteLine("/quit");
            Assert.Equal(0, await console.WaitForExitAsync(Limits.Step));
            await ada.WaitAsync(".notice[data-kind=\"left\"]", "grace left");
        }
        catch
        {
            DumpLogs();
            throw;
        }
        finally
        {
            if (console is not null)
            {
                await console.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_console_client_without_a_name_is_refused_with_the_reason()
    {
        await using ConsoleClient console = ConsoleClient.Start(_url, " ", "lobby");
        _logs.Add(console.Output.Describe);
        try
        {
            JsonElement refused = await console.Output.NextEventAsync("refused", null, Limits.Start);
            Assert.Equal("name required", refused.GetProperty("message").GetString());
            Assert.Equal("NAME_REQUIRED", refused.GetProperty("data").GetProperty("code").GetString());
            Assert.Equal(2, await console.WaitForExitAsync(Limits.Step));
        }
        catch
        {
            DumpLogs();
            throw;
        }
    }

    [Fact]
    public async Task The_sample_takes_its_websockets_at_the_listener_and_serves_its_page_through_aspnetcore()
    {
        // The 101 written at the listener carries only the WebSocket's headers; one from ASP.NET
        // Core's HTTP layer would carry its Date header, as the page's answer does.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(_url.Host, _url.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            $"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {_url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = new System.Text.StringBuilder();
        byte[] buffer = new byte[1024];
        using var cts = new CancellationTokenSource(Limits.Step);
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.True(read > 0, "the server closed the connection: " + head);
            head.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }

        string answer = head.ToString();
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nDate:", answer, StringComparison.OrdinalIgnoreCase);
        using var http = new HttpClient { Timeout = Limits.Step };
        HttpResponseMessage page = await http.GetAsync(_url);
        Assert.True(page.IsSuccessStatusCode);
        Assert.NotNull(page.Headers.Date);
    }

    private static async Task JoinAsync(Page page, string name, string room)
    {
        await page.FillAsync("#name", name);
        await page.FillAsync("#room", room);
        await page.ClickAsync("#join");
        await page.WaitAsync($"body[data-joined=\"{room}\"]");
        await page.WaitAsync("#status[data-state=\"connected\"]");
        await page.WaitAsync($"#users li[data-user=\"{name}\"]");
    }

    private static async Task SendAsync(Page page, string text)
    {
        await page.FillAsync("#message", text);
        await page.ClickAsync("#send");
    }

    /// <summary>Pokes (types, says it types) until every peer shows it: bounded at 30 s.</summary>
    private static async Task UntilSeenAsync(string what, Func<Task> poke, Func<Task<bool>> seen)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await poke();
            // The page repeats its typing indicator at most every 2 s.
            var round = System.Diagnostics.Stopwatch.StartNew();
            while (round.Elapsed < TimeSpan.FromSeconds(2.5))
            {
                if (await seen())
                {
                    return;
                }

                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"{what} was not seen by every peer within 30 s.");
    }

    private static string ScreenshotDirectory() =>
        Environment.GetEnvironmentVariable("TYPEDSOCKETIO_SCREENSHOT_DIR") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(NodeDriver.NodeDirectory, "..", "..", "artifacts", "screenshots"));

    private void DumpLogs()
    {
        foreach (Func<string> log in _logs)
        {
            try
            {
                output.WriteLine(log());
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+?)/?$")]
    private static partial Regex ListeningOn();
}
