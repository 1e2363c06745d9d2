using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TypedSocketIo.Interop.Tests;
using Xunit.Abstractions;

namespace TypedSocketIo.Aot.Tests;

/// <summary>
/// The chat sample published with native AOT: the native server on a free loopback port, driven by
/// the official socket.io-client 4.8 (tests/node) and by the native .NET console client.
/// </summary>
public sealed partial class AotChatTests(ITestOutputHelper log)
{
    // A cold publish of each sample takes minutes on a 2-core machine; a cached one is instant.
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_native_chat_server_serves_the_official_client_and_the_native_console_client()
    {
        string server = await AotPublish.PublishAsync("samples/Chat/Chat.Server/Chat.Server.csproj", PublishLimit);
        string client = await AotPublish.PublishAsync("samples/Chat/Chat.Client/Chat.Client.csproj", PublishLimit);

        await using NativeProcess process = NativeProcess.Start(server, "--urls", "http://127.0.0.1:0");
        string listening = await process.LineAsync(l => ListeningOn().IsMatch(l), Step);
        var url = new Uri(ListeningOn().Match(listening).Groups[1].Value + "/");

        // Startup: from process start to the first successful Engine.IO handshake.
        using var http = new HttpClient { Timeout = Step };
        string? open = null;
        await TypedSocketIo.Testing.Wait.UntilAsync(() => (open = TryHandshake(http, url)) is not null, Step);
        TimeSpan startup = Stopwatch.GetElapsedTime(process.StartedAt);
        Assert.StartsWith("0{\"sid\":", open);
        log.WriteLine($"startup to first handshake: {startup.TotalMilliseconds:F0} ms; RSS after it: {process.ResidentBytes() / 1024.0 / 1024.0:F1} MiB");

        await using SioDriver node = await SioDriver.StartAsync();
        var chat = new Uri(url, "chat").ToString();

        // The auth middleware refuses a nameless client with the reason (serialized with the contracts' context).
        await node.SendConnectAsync("nobody", chat);
        JsonElement refused = await node.EventAsync("connect_error", "nobody");
        Assert.Equal("name required", refused.GetProperty("message").GetString());
        Assert.Equal("NAME_REQUIRED", refused.GetProperty("data").GetProperty("code").GetString());

        await node.ConnectAsync("ada", chat, new { auth = new { name = "ada" } });
        JsonElement joined = (await node.AckAsync("ada", await node.EmitAsync("ada", "join", ["lobby"], ack: true))).GetProperty("args")[0];
        Assert.True(joined.GetProperty("ok").GetBoolean(), joined.GetRawText());
        Assert.Equal(["ada"], joined.GetProperty("users").EnumerateArray().Select(static u => u.GetString()));

        // The native console client joins the same room: ada hears it, then its message.
        await using NativeProcess console = NativeProcess.Start(client, "--json", url.ToString(), "grace", "lobby");
        await console.LineAsync(l => l.Contains("\"event\":\"joined\"", StringComparison.Ordinal), Step);
        JsonElement userJoined = await node.MessageAsync("ada", "userJoined", Step);
        Assert.Equal("grace", userJoined.GetProperty("args")[0].GetString());
        Assert.Equal(2, userJoined.GetProperty("args")[2].GetInt32());

        await console.WriteLineAsync("hello from native code");
        JsonElement message = (await node.MessageAsync("ada", "message", Step)).GetProperty("args")[0];
        Assert.Equal("grace", message.GetProperty("from").GetString());
        Assert.Equal("hello from native code", message.GetProperty("text").GetString());

        // ada's message reaches the console client; the ack carries its id.
        JsonElement sent = (await node.AckAsync("ada", await node.EmitAsync("ada", "sendMessage", ["hi grace"], ack: true))).GetProperty("args")[0];
        Assert.True(sent.GetProperty("ok").GetBoolean(), sent.GetRawText());
        string line = await console.LineAsync(l => l.Contains("hi grace", StringComparison.Ordinal), Step);
        Assert.Contains(sent.GetProperty("id").GetString()!, line);

        await console.WriteLineAsync("/quit");
        Assert.Equal(0, await console.WaitForExitAsync(Step));
        JsonElement left = await node.MessageAsync("ada", "userLeft", Step);
        Assert.Equal("grace", left.GetProperty("args")[0].GetString());
    }

    private static string? TryHandshake(HttpClient http, Uri url)
    {
        try
        {
            using HttpResponseMessage response = http.GetAsync(new Uri(url, "socket.io/?EIO=4&transport=polling")).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
