using Microsoft.Extensions.Logging;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>The typed client: generated emitters and handlers over the same scenarios.</summary>
public abstract partial class ClientScenarios
{
    private SocketIoClient<IScenarioServerEvents, IScenarioClientEvents> TypedClient(Action<SocketIoClientOptions>? configure = null)
    {
        var options = new SocketIoClientOptions
        {
            ForceNew = true,
            ReconnectionDelay = TimeSpan.FromMilliseconds(100),
            AutoConnect = false,
        };
        WithParser(options);
        configure?.Invoke(options);
        return Track(SocketIoClient.Create<IScenarioServerEvents, IScenarioClientEvents>(Server.Url("/"), options));
    }

    [Fact]
    public async Task Typed_emits_and_acknowledgements()
    {
        var client = TypedClient(o => o.Auth = new { token = "typed" });
        await client.ConnectAsync().WaitAsync(Limit);
        WhoAmI who = await client.Timeout(Limit).Emit.Whoami();
        Assert.Equal("/", who.Nsp);
        Assert.Equal(client.Id, who.Id);
        Assert.Equal("typed", who.Auth.GetProperty("token").GetString());

        client.Emit.Record("typed record");
        Assert.Equal("[\"typed record\"]", await Server.NextAsync("record"));
    }

    [Fact]
    public async Task Typed_handlers_receive_arguments_and_binary()
    {
        var client = TypedClient();
        var echoed = new TaskCompletionSource<(string, int, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable registration = client.On.Echo((text, number, data) => echoed.TrySetResult((text, number, data)));
        await client.ConnectAsync().WaitAsync(Limit);
        client.Emit.Echo("typed", 7, [1, 2, 3]);
        (string text, int number, byte[] data) = await echoed.Task.WaitAsync(Limit);
        Assert.Equal("typed", text);
        Assert.Equal(7, number);
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
    }

    [Fact]
    public async Task A_typed_handler_result_is_the_acknowledgement()
    {
        var client = TypedClient();
        client.On.Question(q => Task.FromResult(new Answer(q + "!", [4, 5])));
        await client.ConnectAsync().WaitAsync(Limit);
        Answer answer = await client.Timeout(Limit).Emit.Ask("typed?");
        Assert.Equal("typed?!", answer.Got);
        Assert.Equal(new byte[] { 4, 5 }, answer.Data);
    }

    [Fact]
    public async Task Typed_acknowledgements_time_out_and_retry()
    {
        var client = TypedClient(o =>
        {
            o.Retries = 2;
            o.AckTimeout = TimeSpan.FromMilliseconds(300);
        });
        await client.ConnectAsync().WaitAsync(Limit);
        Assert.Equal(3, await client.Emit.Flaky("typed").WaitAsync(Limit));

        var plain = TypedClient();
        await plain.ConnectAsync().WaitAsync(Limit);
        SocketIoTimeoutException timeout = await Assert.ThrowsAsync<SocketIoTimeoutException>(
            () => plain.Timeout(TimeSpan.FromMilliseconds(300)).Emit.Never("x"));
        Assert.Equal("never", timeout.EventName);
    }

    [Fact]
    public async Task Server_events_that_do_not_fit_the_contract_are_rejected_and_logged()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        var client = TypedClient(o => o.LoggerFactory = factory);
        var echoed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.On.Echo((text, _, _) => echoed.TrySetResult(text));
        await client.ConnectAsync().WaitAsync(Limit);

        client.Untyped.Emit("echo", 1, "not a number");            // echoed back: wrong types for Echo(string, int, byte[])
        await Wait.UntilAsync(() => logs.Messages.Any(m => m.Contains("\"echo\" was rejected", StringComparison.Ordinal)), Limit);
        Assert.False(echoed.Task.IsCompleted);

        client.Emit.Echo("still connected", 1, [1]);
        Assert.Equal("still connected", await echoed.Task.WaitAsync(Limit));
    }
}

/// <summary>Keeps what is logged, for tests that check a warning.</summary>
internal sealed class CapturingLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly List<string> _messages = new();

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }
    }

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._messages)
            {
                owner._messages.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
