using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>
/// Ports of socket.io's test/socket-timeout.ts. The reference's callback and promise forms are one
/// API here: <c>socket.Timeout(t).EmitWithAck(…)</c>.
/// </summary>
public sealed class SocketTimeoutTests
{
    private static async Task<(SocketIoTestHost Host, SioDriver Client, Socket Socket)> ConnectEchoingClientAsync()
    {
        var connected = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        SocketIoTestHost host = await SocketIoTestHost.StartAsync((io, _) => io.OnConnection(s => connected.TrySetResult(s)));
        SioDriver client = await SioDriver.StartAsync();
        // The reference client: client.on("echo", (arg, cb) => cb(arg)).
        await client.ConnectAsync("c", host.Url(), autoAck: new Dictionary<string, object> { ["echo"] = new Dictionary<string, bool> { ["$echo"] = true } });
        return (host, client, await connected.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Times_out_when_the_ack_comes_too_late()
    {
        var (host, client, socket) = await ConnectEchoingClientAsync();
        await using (host)
        await using (client)
        {
            Task<SocketIoArgs> answer = socket.Timeout(TimeSpan.Zero).EmitWithAck("echo", [42]);

            await Assert.ThrowsAsync<SocketIoTimeoutException>(() => answer.WaitAsync(TimeSpan.FromSeconds(10)));
            JsonElement echo = await client.MessageAsync("c", "echo"); // the client did answer, too late
            Assert.True(echo.GetProperty("autoAck").GetBoolean());
        }
    }

    [Fact]
    public async Task Does_not_time_out_when_the_client_acknowledges()
    {
        var (host, client, socket) = await ConnectEchoingClientAsync();
        await using (host)
        await using (client)
        {
            SocketIoArgs answer = await socket.Timeout(TimeSpan.FromMilliseconds(500)).EmitWithAck("echo", [42]).WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(42, answer.Get<int>(0));
        }
    }
}
