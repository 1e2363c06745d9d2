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
        configure?.Invoke(options);
        return Track(SocketIoClient.Create<IScenarioServerEvents, IScenarioClientEvents>(Server.Url("/"), options));
    }

    [Fact]
    public async Task Typed_emits_and_acknowledgements()
    {
        var client = TypedClient(o => o.Auth = new { token = "typed" });
        await client.ConnectAsync().WaitAsync(Limit);
        WhoAmI who = await client.Timeout(Limit).Whoami();
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
        Answer answer = await client.Timeout(Limit).Ask("typed?");
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
            () => plain.Timeout(TimeSpan.FromMilliseconds(300)).Never("x"));
        Assert.Equal("never", timeout.EventName);
    }
}
