using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

public sealed class SocketIoHostingTests
{
    [Fact]
    public async Task RequireAuthorization_on_the_endpoint_refuses_anonymous_clients_and_exposes_the_user()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            (io, h) => io.OnConnection(socket => h.Record("user", socket.User.Identity?.Name ?? "(none)")),
            configureBuilder: b =>
            {
                b.Services.AddAuthentication("header").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("header", null);
                b.Services.AddAuthorization();
            },
            configurePipeline: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            configureEndpoint: endpoint => endpoint.RequireAuthorization());
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("alice", host.Url(), new { extraHeaders = new Dictionary<string, string> { ["X-User"] = "alice" }, transports = new[] { "polling" } });
        await client.SendConnectAsync("anonymous", host.Url(), new { forceNew = true, transports = new[] { "polling" } });

        Assert.Equal("alice", await host.NextAsync("user"));
        JsonElement error = await client.EventAsync("connect_error", "anonymous");
        Assert.Contains("xhr poll error", error.GetRawText());
        Assert.Single(host.Io.Sockets.Sockets);
    }

    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? user = Request.Headers["X-User"];
            if (string.IsNullOrEmpty(user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "header");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "header")));
        }
    }

    [Fact]
    public async Task Join_and_leave_complete_synchronously_with_exact_room_names_and_raise_adapter_events()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            InMemoryAdapter adapter = io.Sockets.Adapter;
            adapter.RoomCreated += room => h.Record("adapter", "create " + room);
            adapter.RoomJoined += (room, id) => h.Record("adapter", "join " + room);
            adapter.RoomLeft += (room, id) => h.Record("adapter", "leave " + room);
            adapter.RoomDeleted += room => h.Record("adapter", "delete " + room);
            io.OnConnection(socket =>
            {
                ValueTask join = socket.Join(["Room", "room", "1"]);
                ValueTask leave = socket.Leave("room");
                h.Record("sync", $"{join.IsCompletedSuccessfully} {leave.IsCompletedSuccessfully}");
                h.Record("rooms", string.Join(",", socket.Rooms.Order(StringComparer.Ordinal)));
                socket.On("bye", _ => socket.Disconnect());
            });
        });
        await using var client = await SioDriver.StartAsync();

        string sid = await client.ConnectAsync("c", host.Url());
        await client.EmitAsync("c", "bye", []);

        Assert.Equal("True True", await host.NextAsync("sync"));
        Assert.Equal(string.Join(",", new[] { "1", "Room", sid }.Order(StringComparer.Ordinal)), await host.NextAsync("rooms"));
        var expected = new[]
        {
            "create " + sid, "join " + sid, "create Room", "create room", "create 1", "join Room", "join room", "join 1",
            "delete room", "leave room",
        };
        foreach (string line in expected)
        {
            Assert.Equal(line, await host.NextAsync("adapter"));
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.StartsWith("delete ", await host.NextAsync("adapter"));
            Assert.StartsWith("leave ", await host.NextAsync("adapter"));
        }
    }

    [Fact]
    public void MapSocketIo_without_AddSocketIo_says_what_to_do()
    {
        WebApplication app = WebApplication.CreateSlimBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapSocketIo());

        Assert.Contains("AddSocketIo", error.Message);
    }

    [Fact]
    public async Task A_custom_adapter_is_used_for_rooms_and_broadcasts_and_may_be_asynchronous()
    {
        await using var host = await SocketIoTestHost.StartAsync(
            (io, h) => io.OnConnection(async socket =>
            {
                ValueTask join = socket.Join("slow room");
                h.Record("join completed synchronously", join.IsCompleted.ToString());
                await join;
                h.Record("joined", string.Join(",", socket.Rooms.Where(r => r != socket.Id)));
            }),
            options: o => o.AdapterFactory = nsp => new SlowAdapter(nsp));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url());

        Assert.Equal("False", await host.NextAsync("join completed synchronously"));
        Assert.Equal("slow room", await host.NextAsync("joined"));
        host.Io.To("slow room").Emit("hello", "room");

        Assert.Equal("[\"room\"]", (await client.MessageAsync("c", "hello")).GetProperty("args").GetRawText());
        var adapter = Assert.IsType<SlowAdapter>(host.Io.Sockets.Adapter);
        Assert.Equal(1, adapter.Broadcasts);
    }

    /// <summary>An adapter whose joins complete later, as a remote store's would; it counts broadcasts.</summary>
    private sealed class SlowAdapter(Namespace nsp) : InMemoryAdapter(nsp)
    {
        public int Broadcasts;

        public override async ValueTask AddAll(string id, IReadOnlyCollection<string> rooms)
        {
            if (!rooms.Contains(id))
            {
                await Task.Delay(20);
            }

            await base.AddAll(id, rooms);
        }

        public override void Broadcast(TypedSocketIo.Protocol.SocketIoPacket packet, BroadcastOptions options)
        {
            Interlocked.Increment(ref Broadcasts);
            base.Broadcast(packet, options);
        }
    }
}
