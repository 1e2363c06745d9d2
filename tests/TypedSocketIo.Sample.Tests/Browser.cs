using System.Text.Json;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Sample.Tests;

/// <summary>
/// Headless Chromium through tests/node/browser-driver.js (playwright-core): one browser, pages in
/// separate contexts. Every command waits (bounded) for its own answer; a failed command throws
/// with the driver's log (page console, page errors, failed requests).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly NodeDriver _driver;
    private int _seq;

    private Browser(NodeDriver driver) => _driver = driver;

    /// <summary>Starts the driver and launches Chromium (Debian's /usr/bin/chromium unless CHROMIUM_PATH says otherwise).</summary>
    public static async Task<Browser> LaunchAsync()
    {
        NodeDriver driver = await NodeDriver.StartAsync("browser-driver.js");
        var browser = new Browser(driver);
        try
        {
            await browser.RequestAsync(new() { ["cmd"] = "launch" }, TimeSpan.FromSeconds(40));
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }

        return browser;
    }

    /// <summary>Opens <paramref name="url"/> in a new browser context (a separate user).</summary>
    public async Task<Page> OpenAsync(string id, Uri url)
    {
        await RequestAsync(new() { ["cmd"] = "open", ["id"] = id, ["url"] = url.ToString(), ["timeout"] = 15_000 }, TimeSpan.FromSeconds(15));
        return new Page(this, id);
    }

    /// <summary>Sends one command and waits for its answer ("done"), which it returns.</summary>
    public async Task<JsonElement> RequestAsync(Dictionary<string, object?> command, TimeSpan timeout)
    {
        int seq = Interlocked.Increment(ref _seq);
        command["seq"] = seq;
        await _driver.SendAsync(command);
        JsonElement answer = await _driver.NextAsync(
            e => e.GetProperty("event").GetString() is "done" or "error" && e.TryGetProperty("seq", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == seq,
            timeout + TimeSpan.FromSeconds(5));
        if (answer.GetProperty("event").GetString() == "error")
        {
            string target = command.GetValueOrDefault("selector") is string selector ? $" {command["id"]} {selector}" : "";
            throw new InvalidOperationException($"browser {command["cmd"]}{target}: {answer.GetProperty("message").GetString()}\n{_driver.Describe()}");
        }

        return answer;
    }

    /// <summary>The driver's recent events and stderr.</summary>
    public string Describe() => _driver.Describe();

    public ValueTask DisposeAsync() => _driver.DisposeAsync();
}

/// <summary>One page of the <see cref="Browser"/>.</summary>
public sealed class Page(Browser browser, string id)
{
    public string Id => id;

    public Task FillAsync(string selector, string value) =>
        browser.RequestAsync(new() { ["cmd"] = "fill", ["id"] = id, ["selector"] = selector, ["value"] = value }, Limits.Step);

    /// <summary>Types key by key (input events fire), into what <paramref name="selector"/> finds.</summary>
    public Task TypeAsync(string selector, string value) =>
        browser.RequestAsync(new() { ["cmd"] = "type", ["id"] = id, ["selector"] = selector, ["value"] = value }, Limits.Step);

    public Task ClickAsync(string selector) =>
        browser.RequestAsync(new() { ["cmd"] = "click", ["id"] = id, ["selector"] = selector }, Limits.Step);

    /// <summary>Waits until an element matches <paramref name="selector"/> (and contains <paramref name="text"/>); returns its text and data-* attributes.</summary>
    public async Task<(string Text, JsonElement Data)> WaitAsync(string selector, string? text = null, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? Limits.Step;
        var command = new Dictionary<string, object?> { ["cmd"] = "wait", ["id"] = id, ["selector"] = selector, ["timeout"] = (int)limit.TotalMilliseconds };
        if (text is not null)
        {
            command["text"] = text;
        }

        JsonElement answer = await browser.RequestAsync(command, limit);
        return (answer.GetProperty("text").GetString() ?? "", answer.GetProperty("data"));
    }

    /// <summary>Whether an element matches now (a short wait).</summary>
    public async Task<bool> HasAsync(string selector, string? text = null)
    {
        try
        {
            await WaitAsync(selector, text, TimeSpan.FromMilliseconds(300));
            return true;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
    }

    public async Task<string[]> TextsAsync(string selector)
    {
        JsonElement answer = await browser.RequestAsync(new() { ["cmd"] = "texts", ["id"] = id, ["selector"] = selector }, Limits.Step);
        return answer.GetProperty("texts").EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
    }

    public async Task<string> ScreenshotAsync(string path)
    {
        JsonElement answer = await browser.RequestAsync(new() { ["cmd"] = "screenshot", ["id"] = id, ["path"] = path }, Limits.Step);
        return answer.GetProperty("path").GetString()!;
    }

    public Task CloseAsync() => browser.RequestAsync(new() { ["cmd"] = "close", ["id"] = id }, Limits.Step);
}

/// <summary>The bounds of every wait.</summary>
public static class Limits
{
    /// <summary>One step (a page action, an event to arrive).</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    /// <summary>Starting a process.</summary>
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(30);
}
