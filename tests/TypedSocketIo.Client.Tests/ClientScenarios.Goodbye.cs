using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Client.Tests;

/// <summary>How the client leaves: what the server sees when a socket or a manager is disposed or closed.</summary>
public abstract partial class ClientScenarios
{
    [Fact]
    public async Task Disposing_a_socket_over_polling_delivers_its_goodbye()
    {
        for (int i = 0; i < 3; i++)
        {
            SocketIoClient socket = Client(configure: o => o.Transports = ["polling"]);
            await socket.ConnectAsync().WaitAsync(Limit);
            Assert.Equal("polling", socket.Io.Transport);

            await socket.DisposeAsync().AsTask().WaitAsync(Limit);
            Assert.Equal("/:client namespace disconnect", await Server.NextAsync("disconnect"));
            Assert.Equal("transport close", await Server.NextAsync("engine-close"));
        }
    }

    [Fact]
    public async Task Disposing_a_manager_before_its_upgrade_finishes_delivers_the_goodbye_over_polling()
    {
        // The WebSocket probe goes through a proxy that accepts and never answers: the upgrade
        // stays under way for as long as the test runs.
        await using var proxy = BlackHole.Start();
        var manager = Track(new Manager(Server.Uri, WithParser(new ManagerOptions
        {
            ConfigureWebSocket = o => o.Proxy = new WebProxy(proxy.Uri) { BypassProxyOnLocal = false },
        })));
        SocketIoClient main = manager.Socket("/");
        SocketIoClient other = manager.Socket("/other");
        await Task.WhenAll(main.ConnectAsync(), other.ConnectAsync()).WaitAsync(Limit);
        await Wait.UntilAsync(() => proxy.Accepted > 0, Limit);
        Assert.Equal("polling", manager.Transport);

        await manager.DisposeAsync().AsTask().WaitAsync(Limit);
        string[] disconnects = [await Server.NextAsync("disconnect"), await Server.NextAsync("disconnect")];
        Assert.Equal(["/:client namespace disconnect", "/other:client namespace disconnect"], disconnects.Order(StringComparer.Ordinal));
        Assert.Equal("transport close", await Server.NextAsync("engine-close"));
    }

    [Fact]
    public async Task Disposing_right_after_connecting_delivers_the_goodbye_at_any_point_of_the_upgrade()
    {
        // Disposed at once, then later and later: before the probe, while it runs, while polling
        // pauses, after the switch to WebSocket.
        for (int i = 0; i < 6; i++)
        {
            var manager = Track(new Manager(Server.Uri, WithParser(new ManagerOptions())));
            SocketIoClient socket = manager.Socket("/");
            await socket.ConnectAsync().WaitAsync(Limit);
            if (i > 0)
            {
                await Task.Delay(i * 15); // the scenario: disposed later each round, not a wait for a condition
            }

            string? transport = manager.Transport;
            await manager.DisposeAsync().AsTask().WaitAsync(Limit);
            Assert.True("/:client namespace disconnect" == await Server.NextAsync("disconnect"), $"round {i}, on {transport}: {Server.Describe()}");
            Assert.True("transport close" == await Server.NextAsync("engine-close"), $"round {i}, on {transport}: {Server.Describe()}");
        }
    }

    [Fact]
    public async Task Closing_the_manager_is_a_forced_close_and_the_server_sees_the_transport_close()
    {
        var manager = Track(new Manager(Server.Uri, WithParser(new ManagerOptions { Transports = ["polling"] })));
        SocketIoClient socket = manager.Socket("/");
        await socket.ConnectAsync().WaitAsync(Limit);
        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        Task<string> closed = Next<string>(h => manager.OnClose((r, _) => h(r)));

        manager.Close();
        Assert.Equal("forced close", (await disconnected).Item1);
        Assert.Equal("forced close", await closed);
        await manager.DisposeAsync().AsTask().WaitAsync(Limit);
        Assert.Equal("/:transport close", await Server.NextAsync("disconnect"));
        Assert.Equal("transport close", await Server.NextAsync("engine-close"));
    }

    /// <summary>A loopback TCP listener that accepts connections and never answers them.</summary>
    protected sealed class BlackHole : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<TcpClient> _held = new();
        private readonly Task _accepting;

        private BlackHole(TcpListener listener)
        {
            _listener = listener;
            _accepting = AcceptAsync();
        }

        public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

        public int Accepted
        {
            get
            {
                lock (_held)
                {
                    return _held.Count;
                }
            }
        }

        public static BlackHole Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new BlackHole(listener);
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient accepted;
                try
                {
                    accepted = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_held)
                {
                    _held.Add(accepted);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
            lock (_held)
            {
                _held.ForEach(c => c.Dispose());
            }
        }
    }
}

public sealed partial class NodeServerTests
{
    [Fact]
    public async Task Disposing_waits_for_the_goodbye_no_longer_than_its_timeout_when_the_server_does_not_answer()
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.Transports = ["polling"];
            o.Reconnection = false;
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        await Server.FreezeAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            await socket.DisposeAsync().AsTask().WaitAsync(Limit);

            // It waited (the DISCONNECT was never answered) and gave up after the 2 s goodbye
            // timeout; the upper end is loose for a loaded machine.
            Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        }
        finally
        {
            await Server.ThawAsync();
        }
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling,websocket")]
    public async Task A_server_that_dies_under_a_WebSocket_is_a_transport_close(string transports)
    {
        SocketIoClient socket = Client(configure: o =>
        {
            o.Transports = transports.Split(',');
            o.Reconnection = false;
        });
        await socket.ConnectAsync().WaitAsync(Limit);
        await Wait.UntilAsync(() => socket.Io.Transport == "websocket", Limit);
        Task<(string, string?)> disconnected = Next<(string, string?)>(h => socket.OnDisconnect((r, d) => h((r, d))));
        Task<string> closed = Next<string>(h => socket.Io.OnClose((r, _) => h(r)));
        Task<string> engineClosed = Next<string>(h => socket.Io.Engine.OnClose((r, _) => h(r)));

        await Server.StopAsync(); // SIGKILL: the connection ends without a close frame
        Assert.Equal("transport close", (await disconnected).Item1);
        Assert.Equal("transport close", await closed);
        Assert.Equal("transport close", await engineClosed);
    }
}
