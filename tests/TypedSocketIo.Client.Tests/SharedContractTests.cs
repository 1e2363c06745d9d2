using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;

namespace TypedSocketIo.Client.Tests;

/// <summary>
/// One contract assembly (TypedSocketIo.TestContracts) on both sides: the typed server namespace
/// <c>Of&lt;IClientEvents, IServerEvents&gt;</c> and the typed .NET client
/// <c>Create&lt;IServerEvents, IClientEvents&gt;</c>.
/// </summary>
public sealed class SharedContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);
    private static readonly Guid MessageId = Guid.Parse("6b0f7a2e-4a52-4d8e-9a57-3c2b8a3f0d11");
    private WebApplication _app = null!;
    private Uri _uri = null!;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSocketIo();
        _app = builder.Build();
        SocketIoServer io = _app.MapSocketIo();
        io.Of<IClientEvents, IServerEvents>("/typed").OnConnection(socket =>
        {
            socket.On.Join(async room =>
            {
                await socket.Join(room);
                socket.Emit.UserJoined("server", 1);
                return new JoinResult(true, 1);
            });
            socket.On.Message(m => socket.Emit.NewMessage(m with { Text = m.Text + "!" }));
            socket.On.Upload((name, content, checksum) => name.Length + content.Length + checksum.Length);
            socket.On.Echo(data => data);
            socket.On.History((room, page, _) => new Page<ChatMessage>([new ChatMessage(room, "server", $"page {page}", DateTimeOffset.UnixEpoch)], 1));
            socket.On.Typing(async isTyping =>
            {
                bool read = await socket.Timeout(Limit).Emit.ConfirmRead(MessageId);
                string name = await socket.Timeout(Limit).Emit.AskName(CancellationToken.None);
                socket.Emit.FileReady(new FileBlob(name, [1, 2]), [3, 4, 5]);
                await socket.Timeout(Limit).Emit.Notice($"{isTyping}:{read}:{name}");
            });
        });
        await _app.StartAsync();
        _uri = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_typed_client_and_server_share_one_contract_assembly()
    {
        await using var client = SocketIoClient.Create<IServerEvents, IClientEvents>(new Uri(_uri, "/typed"), new SocketIoClientOptions { ForceNew = true, AutoConnect = false });
        var joined = new TaskCompletionSource<(string, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var message = new TaskCompletionSource<ChatMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var file = new TaskCompletionSource<(FileBlob, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        var notice = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.On.UserJoined((name, online) => joined.TrySetResult((name, online)));
        client.On.NewMessage(m => message.TrySetResult(m));
        client.On.ConfirmRead(id => id == MessageId);
        client.On.AskName(_ => "dotnet");
        client.On.FileReady((blob, raw) => file.TrySetResult((blob, raw)));
        client.On.Notice(text => notice.TrySetResult(text));
        await client.ConnectAsync().WaitAsync(Limit);

        JoinResult result = await client.Timeout(Limit).Emit.Join("lobby");
        Assert.Equal(new JoinResult(true, 1), result);
        Assert.Equal(("server", 1), await joined.Task.WaitAsync(Limit));

        var sent = new ChatMessage("lobby", "me", "hi", new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        client.Emit.Message(sent);
        Assert.Equal(sent with { Text = "hi!" }, await message.Task.WaitAsync(Limit));

        Assert.Equal(4 + 3 + 2, await client.Timeout(Limit).Emit.Upload("name", [1, 2, 3], new byte[] { 9, 9 }));
        Assert.Equal(new byte[] { 5, 6 }, await client.Timeout(Limit).Emit.Echo([5, 6]));
        Page<ChatMessage> page = await client.Timeout(Limit).Emit.History("lobby", 2, CancellationToken.None);
        Assert.Equal("page 2", Assert.Single(page.Items).Text);

        // Server-to-client acknowledgements: the server asks, the client's handlers answer.
        client.Emit.Typing(true);
        Assert.Equal("True:True:dotnet", await notice.Task.WaitAsync(Limit));
        (FileBlob blob, byte[] raw) = await file.Task.WaitAsync(Limit);
        Assert.Equal("dotnet", blob.Name);
        Assert.Equal(new byte[] { 1, 2 }, blob.Content);
        Assert.Equal(new byte[] { 3, 4, 5 }, raw);
    }
}
