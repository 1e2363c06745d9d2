using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TypedSocketIo.Sample.Tests;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts.TypeScript;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.TypeScript;

/// <summary>
/// A TypeScript client written against the generated declarations (tests/node/typescript/e2e,
/// compiled with tsc --strict) talks to a TypedSocketIo server implementing the same C# contracts:
/// from Node with socket.io-client (long-polling and WebSocket) and from headless Chromium with the
/// official client the server serves. Every event, argument kind and acknowledgement of
/// ITsClientEvents and ITsServerEvents crosses, and both sides see the values the other sent.
/// </summary>
public sealed class TypeScriptClientTests
{
    private static readonly Lazy<Task<NodeTool.Result>> s_compiled = new(() => NodeTool.TscAsync(TimeSpan.FromMinutes(2), "-p", "typescript/e2e/tsconfig.json", "--pretty", "false"));

    private static string E2eDirectory => Path.Combine(NodeDriver.NodeDirectory, "typescript", "e2e");

    /// <summary>What the scenario must report, whichever runtime plays it.</summary>
    private const string ExpectedReport = """
        {
          "saved": {"title":"HELLO","body":null,"priority":"High","shade":1,"at":"2026-12-07T10:00:00+00:00","tags":["a","b"],"counts":{"x":1,"y":2},"attachment":[3,2,1],"note_id":"6f1c7a2e-0d5b-4c8e-9a61-3b2f4d5e6a7b"},
          "sum": 16,
          "sumWithoutBonus": 9,
          "reversed": [9,2,1],
          "circles": {"items":[{"radius":0.5,"kind":"circle"},{"radius":1,"kind":"circle"}],"total":2},
          "grown": {"$type":"square","side":4,"name":"sq"},
          "grownArea": 16,
          "greetings": [["hello ts",1],["you are typescript (urgent)",0]],
          "askedWith": ["High"],
          "noteSaved": "hello High 1,2,3",
          "touched": true
        }
        """;

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task A_node_client_compiled_from_the_declarations_plays_every_event(string transport)
    {
        await CompileAsync();
        await using SocketIoTestHost host = await StartServerAsync();

        NodeTool.Result result = await NodeTool.RunAsync(TimeSpan.FromSeconds(60), "typescript/e2e/out/node-runner.js", host.Url("/ts"), transport);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(Normalize(ExpectedReport), Normalize(result.Output.Trim()));
        await AssertServerSawAsync(host);
    }

    [Fact]
    public async Task A_browser_client_compiled_from_the_declarations_plays_every_event()
    {
        await CompileAsync();
        await using SocketIoTestHost host = await StartServerAsync();
        await using Browser browser = await Browser.LaunchAsync();

        Page page = await browser.OpenAsync("ts", new Uri(host.Url("/ts-client/page.html")));
        (string _, JsonElement data) = await page.WaitAsync("body[data-state]", timeout: TimeSpan.FromSeconds(30));

        Assert.True(data.GetProperty("state").GetString() == "done", $"The page's scenario failed: {(data.TryGetProperty("error", out JsonElement e) ? e.GetString() : data.GetRawText())}\n{browser.Describe()}");
        Assert.Equal(Normalize(ExpectedReport), Normalize(data.GetProperty("report").GetString()!));
        await AssertServerSawAsync(host);
    }

    private static async Task CompileAsync()
    {
        NodeTool.Result result = await s_compiled.Value;
        Assert.True(result.ExitCode == 0, "tsc --strict rejected the end-to-end client:\n" + result.Describe());
    }

    /// <summary>A server on the C# contracts, recording what it received as .NET values; it also serves the page and the compiled scripts.</summary>
    private static Task<SocketIoTestHost> StartServerAsync() => SocketIoTestHost.StartAsync(
        (io, host) => io.Of<ITsClientEvents, ITsServerEvents>("/ts").OnConnection(socket =>
        {
            socket.On.Save(note =>
            {
                host.Record("save", $"{note.Title}|{note.Body ?? "null"}|{note.Priority}|{note.Shade}|{note.At:O}|{string.Join(",", note.Tags)}|"
                    + $"{string.Join(",", note.Counts.OrderBy(c => c.Key).Select(c => c.Key + "=" + c.Value))}|{string.Join(",", note.Attachment)}|{note.Id}");
                socket.Emit.NoteSaved(note);
                return note with { Title = note.Title.ToUpperInvariant(), Attachment = note.Attachment.Reverse().ToArray() };
            });
            socket.On.Sum((values, bonus) => values.Sum() + (bonus ?? 0));
            socket.On.Reverse((data, suffix) => data.Concat(suffix.ToArray()).Reverse().ToArray());
            socket.On.Circles(count => new Batch<Circle>(Enumerable.Range(1, count).Select(i => new Circle { Kind = "circle", Radius = i / 2.0 }).ToList(), count));
            socket.On.Grow(figure => figure switch
            {
                Square square => square with { Side = square.Side * 2 },
                Disc disc => disc with { Radius = disc.Radius * 2 },
                _ => throw new InvalidOperationException("a figure of no known kind: " + figure),
            });
            socket.On.SayHello(async name =>
            {
                socket.Emit.Greeted("hello " + name, Shade.Dark);
                string answer = await socket.Timeout(TimeSpan.FromSeconds(10)).Emit.AskName(Priority.High);
                host.Record("answer", answer);
                socket.Emit.Greeted("you are " + answer, Shade.Light);
            });
            socket.On.Touch(() =>
            {
                host.Record("touch");
                return Task.CompletedTask;
            });
        }),
        configurePipeline: app => app.MapGet("/ts-client/{file}", (string file) => file switch
        {
            "page.html" => Results.File(Path.Combine(E2eDirectory, "page.html"), "text/html"),
            "scenario.js" or "browser-entry.js" => Results.File(Path.Combine(E2eDirectory, "out", file), "text/javascript"),
            _ => Results.NotFound(),
        }));

    private static async Task AssertServerSawAsync(SocketIoTestHost host)
    {
        Assert.Equal("hello|null|High|Dark|2026-12-07T10:00:00.0000000+00:00|a,b|x=1,y=2|1,2,3|6f1c7a2e-0d5b-4c8e-9a61-3b2f4d5e6a7b", await host.NextAsync("save"));
        Assert.Equal("typescript (urgent)", await host.NextAsync("answer"));
        await host.NextAsync("touch");
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
