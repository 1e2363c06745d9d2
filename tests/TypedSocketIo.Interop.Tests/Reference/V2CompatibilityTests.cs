using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests.Reference;

/// <summary>Ports of socket.io's test/v2-compatibility.ts, with socket.io-client 2.5.</summary>
public sealed class V2CompatibilityTests
{
    [Fact]
    public async Task V2_client_connects_when_allow_EIO3_is_on_with_the_same_id_on_both_sides()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(s => h.Record("connection", s.Id)));
        await using var client = await SioDriver.StartAsync();

        string clientId = await client.ConnectAsync("c", host.Url(), new { multiplex = false }, version: 2);

        Assert.Equal(clientId, await host.NextAsync("connection"));
    }

    [Fact]
    public async Task V2_client_is_refused_when_allow_EIO3_is_off()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) => io.OnConnection(_ => h.Record("connection")), options: o => o.AllowEIO3 = false);
        await using var client = await SioDriver.StartAsync();

        await client.SendConnectAsync("c", host.Url(), new { multiplex = false }, version: 2);

        await client.EventAsync("connect_error", "c");
        Assert.Equal(0, client.Node.Count("connect", "c"));
        Assert.Equal(0, host.Count("connection"));
    }
}
