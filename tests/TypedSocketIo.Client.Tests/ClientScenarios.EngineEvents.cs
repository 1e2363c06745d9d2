using System.Net;
using System.Net.Sockets;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>The Engine.IO events a manager reports (the reference's <c>manager.engine.on(…)</c>).</summary>
public abstract partial class ClientScenarios
{
    [Fact]
    public async Task The_manager_reports_the_engine_events_across_reconnections()
    {
        ScenarioServer server = await StartServerAsync(new ScenarioOptions { PingInterval = TimeSpan.FromMilliseconds(300) });
        var manager = Track(new Manager(server.Uri, WithParser(new ManagerOptions
        {
            AutoConnect = false,
            ReconnectionDelay = TimeSpan.FromMilliseconds(50),
            ReconnectionDelayMax = TimeSpan.FromMilliseconds(100),
        })));
        var events = new List<string>();
        void Add(string e)
        {
            lock (events)
            {
                events.Add(e);
            }
        }

        string[] Seen()
        {
            lock (events)
            {
                return [.. events];
            }
        }

        string? transportAtUpgrade = null;
        manager.Engine.OnOpen(() => Add("open"));
        manager.Engine.OnUpgrade(t =>
        {
            transportAtUpgrade = manager.Transport;
            Add("upgrade " + t);
        });
        manager.Engine.OnUpgradeError(e => Add("upgradeError " + e.Message));
        manager.Engine.OnPacket(p => Add("packet " + p.Type));
        manager.Engine.OnPacketCreate(p => Add("packetCreate " + p.Type));
        manager.Engine.OnPing(() => Add("ping"));
        manager.Engine.OnClose((r, _) => Add("close " + r));
        manager.OnOpen(() => Add("manager open"));
        manager.OnClose((r, _) => Add("manager close " + r));

        SocketIoClient socket = manager.Socket("/");
        await socket.ConnectAsync().WaitAsync(Limit);
        await Wait.UntilAsync(() => Seen().Contains("upgrade websocket"), Limit);
        Assert.Equal("websocket", Volatile.Read(ref transportAtUpgrade));   // the upgrade is done when it is reported
        string[] seen = Seen();
        Assert.True(Array.IndexOf(seen, "packet Open") < Array.IndexOf(seen, "open"), string.Join(", ", seen));
        Assert.True(Array.IndexOf(seen, "open") < Array.IndexOf(seen, "manager open"), string.Join(", ", seen));
        Assert.Contains("packetCreate Message", seen);              // the CONNECT
        Assert.Contains("packet Message", seen);                    // its answer

        // Pings come and are answered.
        await Wait.UntilAsync(() => Seen().Contains("ping") && Seen().Contains("packet Ping") && Seen().Contains("packetCreate Pong"), Limit);

        // The server closes the connection: the engine's close, the manager's, then a new session
        // raises the same handlers.
        Task<int> reconnected = Next<int>(h => manager.OnReconnect(h));
        socket.Emit("close-engine");
        await reconnected;
        seen = Seen();
        Assert.Equal(2, seen.Count(e => e == "open"));
        Assert.True(Array.IndexOf(seen, "close transport close") < Array.IndexOf(seen, "manager close transport close"), string.Join(", ", seen));

        manager.Close();
        Assert.Equal("close forced close", Seen().Where(e => e.StartsWith("close ", StringComparison.Ordinal)).Last());
        Assert.Equal("manager close forced close", Seen().Where(e => e.StartsWith("manager close ", StringComparison.Ordinal)).Last());
        Assert.DoesNotContain(Seen(), e => e.StartsWith("upgradeError", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_upgrade_is_reported_and_the_connection_stays_on_polling()
    {
        // The WebSocket probe goes through a proxy nobody listens on: it fails at once.
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var manager = Track(new Manager(Server.Uri, WithParser(new ManagerOptions
        {
            ConfigureWebSocket = o => o.Proxy = new WebProxy($"http://127.0.0.1:{closedPort}") { BypassProxyOnLocal = false },
        })));
        Task<Exception> failed = Next<Exception>(h => manager.Engine.OnUpgradeError(h));
        int upgrades = 0;
        manager.Engine.OnUpgrade(_ => Interlocked.Increment(ref upgrades));
        SocketIoClient socket = manager.Socket("/");
        await socket.ConnectAsync().WaitAsync(Limit);

        Exception error = await failed;
        Assert.StartsWith("probe error", error.Message, StringComparison.Ordinal);
        Assert.Equal("polling", manager.Transport);
        Assert.Equal("polling", (await WhoAmI(socket)).GetProperty("transport").GetString());
        Assert.Equal(0, Volatile.Read(ref upgrades));
    }

    [Fact]
    public async Task Engine_packet_handlers_see_binary_messages_and_are_removed_by_disposing_them()
    {
        SocketIoClient socket = Client(configure: o => o.Transports = ["websocket"]);
        await socket.ConnectAsync().WaitAsync(Limit);
        var received = new List<EnginePacket>();
        IDisposable registration = socket.Io.Engine.OnPacket(p =>
        {
            lock (received)
            {
                received.Add(p);
            }
        });
        Task<ClientEvent> echoed = Next<ClientEvent>(h => socket.On("echo", h));
        socket.Emit("echo", new byte[] { 1, 2, 3 });
        await echoed;
        lock (received)
        {
            // JSON: the bytes are an attachment message of their own; msgpack: inline in the packet's one message.
            Assert.Contains(received, p => p.Type == EnginePacketType.Message && p.IsBinary
                && (MsgPack ? p.Data.Span.IndexOf(new byte[] { 0xc4, 3, 1, 2, 3 }) >= 0 : p.Data.ToArray().SequenceEqual(new byte[] { 1, 2, 3 })));
        }

        registration.Dispose();
        int count;
        lock (received)
        {
            count = received.Count;
        }

        Task<ClientEvent> again = Next<ClientEvent>(h => socket.On("echo", h));
        socket.Emit("echo", "after");
        await again;
        lock (received)
        {
            Assert.Equal(count, received.Count);
        }
    }
}
