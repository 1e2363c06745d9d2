using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace TypedSocketIo.Client.Tests;

/// <summary>What needs no Socket.IO peer: backoff, options, a server that never answers.</summary>
public sealed class ClientTests
{
    [Fact]
    public void Backoff_doubles_up_to_the_maximum_without_jitter()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000), jitter: 0);
        double[] delays = Enumerable.Range(0, 6).Select(_ => backoff.Duration().TotalMilliseconds).ToArray();
        Assert.Equal(new double[] { 100, 200, 400, 800, 1000, 1000 }, delays);
        Assert.Equal(6, backoff.Attempts);
        backoff.Reset();
        Assert.Equal(100, backoff.Duration().TotalMilliseconds);
    }

    [Fact]
    public void Backoff_jitter_stays_within_the_randomization_factor()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(100_000), jitter: 0.5);
        var seen = new HashSet<double>();
        for (int i = 0; i < 200; i++)
        {
            backoff.Reset();
            double first = backoff.Duration().TotalMilliseconds;
            Assert.InRange(first, 500, 1500);
            seen.Add(first);
        }

        Assert.True(seen.Count > 10, "the delays do not vary");
    }

    [Fact]
    public void Invalid_options_are_refused_with_a_clear_error()
    {
        var uri = new Uri("http://127.0.0.1:1");
        Assert.Contains("Transports", Assert.Throws<ArgumentException>(() => new Manager(uri, new ManagerOptions { Transports = ["flash"] })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Manager(uri, new ManagerOptions { RandomizationFactor = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Manager(uri, new ManagerOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new Manager(new Uri("ftp://127.0.0.1/"), new ManagerOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => SocketIoClient.Create(uri, new SocketIoClientOptions { Retries = -1, AutoConnect = false }));
    }

    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    public async Task A_server_that_never_answers_fails_the_connection_with_a_timeout(string transport)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient accepted;
                try
                {
                    accepted = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }

                lock (held)
                {
                    held.Add(accepted); // accepted, never answered
                }
            }
        });

        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using SocketIoClient socket = SocketIoClient.Create(new Uri($"http://127.0.0.1:{port}/"), new SocketIoClientOptions
        {
            ForceNew = true,
            Reconnection = false,
            Timeout = TimeSpan.FromMilliseconds(300),
            Transports = [transport],
        });
        var errors = new List<Exception>();
        socket.Io.OnError(e =>
        {
            lock (errors)
            {
                errors.Add(e);
            }
        });
        SocketIoConnectException error = await Assert.ThrowsAsync<SocketIoConnectException>(() => socket.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("timeout", error.Message);
        lock (errors)
        {
            Assert.Single(errors);
        }

        listener.Stop();
        lock (held)
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task An_unreachable_server_reports_a_connect_error_and_reconnection_attempts()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using SocketIoClient socket = SocketIoClient.Create(new Uri($"http://127.0.0.1:{port}/"), new SocketIoClientOptions
        {
            ForceNew = true,
            ReconnectionAttempts = 3,
            ReconnectionDelay = TimeSpan.FromMilliseconds(20),
            ReconnectionDelayMax = TimeSpan.FromMilliseconds(40),
        });
        int attempts = 0, connectErrors = 0;
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Io.OnReconnectAttempt(_ => Interlocked.Increment(ref attempts));
        socket.Io.OnReconnectFailed(() => failed.TrySetResult());
        socket.OnConnectError(_ => Interlocked.Increment(ref connectErrors));
        SocketIoConnectException error = await Assert.ThrowsAsync<SocketIoConnectException>(() => socket.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<HttpRequestException>(error.InnerException);
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(4, Volatile.Read(ref connectErrors)); // the first attempt and three reconnections
        Assert.True(socket.Active);
        Assert.False(socket.Connected);
    }

    [Fact]
    public async Task Disposing_the_last_socket_disposes_its_manager()
    {
        SocketIoClient socket = SocketIoClient.Create(new Uri("http://127.0.0.1:1/"), new SocketIoClientOptions { AutoConnect = false, ForceNew = true });
        Manager io = socket.Io;
        SocketIoClient other = io.Socket("/other");
        await socket.DisposeAsync();
        Assert.Same(other, io.Socket("/other")); // the manager lives on for its other socket
        await other.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => io.Socket("/"));
        Assert.Throws<ObjectDisposedException>(() => socket.Connect());
    }

    [Fact]
    public async Task A_packet_that_cannot_be_decoded_closes_the_connection_with_parse_error()
    {
        // An Engine.IO server (no Socket.IO) that answers the CONNECT with a message no Socket.IO
        // parser accepts.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        await using WebApplication app = builder.Build();
        app.MapEngineIo("/socket.io/", socket => socket.MessageReceived += (s, _) => s.Send("9 is no packet type"));
        await app.StartAsync();

        await using SocketIoClient client = SocketIoClient.Create(new Uri(app.Urls.First()), new SocketIoClientOptions
        {
            ForceNew = true,
            Reconnection = false,
            AutoConnect = false,
            Transports = ["websocket"],
        });
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Io.OnClose((reason, _) => closed.TrySetResult(reason));
        client.Connect();
        Assert.Equal("parse error", await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
