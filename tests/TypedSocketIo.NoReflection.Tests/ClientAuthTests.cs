using System.Text.Json;
using TypedSocketIo.Client;
using TypedSocketIo.Testing;

namespace TypedSocketIo.NoReflection.Tests;

/// <summary>The .NET client's auth without reflection (as in a native AOT app): serialized with the options' context, or refused with the reason.</summary>
public sealed class ClientAuthTests
{
    [Fact]
    public async Task Auth_is_sent_with_the_context_named_in_the_options()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.OnConnection(socket => h.Record("auth", socket.Handshake.Auth.GetRawText())));
        await using var client = SocketIoClient.Create(host.BaseUri, new SocketIoClientOptions
        {
            Auth = new Dictionary<string, string> { ["name"] = "ada" },
            AutoConnect = false,
            JsonOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = AuthJsonContext.Default },
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(cts.Token);
        Assert.Equal("{\"name\":\"ada\"}", await host.NextAsync("auth"));
    }

    [Fact]
    public async Task Auth_the_options_cannot_serialize_fails_the_attempt_with_the_reason()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(_ => h.Record("connected")));
        await using var client = SocketIoClient.Create(host.BaseUri, new SocketIoClientOptions
        {
            Auth = new Dictionary<string, string> { ["name"] = "ada" },
            AutoConnect = false,
        });
        var error = new TaskCompletionSource<SocketIoConnectException>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable subscription = client.OnConnectError(e => error.TrySetResult(e));
        client.Connect();
        SocketIoConnectException raised = await error.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("The auth could not be serialized", raised.Message);
        Assert.Equal(0, host.Count("connected"));
    }
}
