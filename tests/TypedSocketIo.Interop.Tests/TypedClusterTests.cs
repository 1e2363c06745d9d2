using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Interop.Tests;

/// <summary>
/// Typed inter-server events and typed socket data: two servers in one process, linked by an
/// adapter that hands server-side events to the other server (what a cluster adapter does).
/// </summary>
public sealed class TypedClusterTests
{
    [Fact]
    public async Task Typed_server_side_events_reach_the_other_servers_typed_handlers()
    {
        var bus = new Bus();
        await using var a = await StartAsync(bus, "a");
        await using var b = await StartAsync(bus, "b");
        var nspA = a.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");
        var nspB = b.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");
        nspB.ServerSide.On.CacheInvalidated((key, version) => b.Record("invalidated", $"{key}@{version}"));

        nspA.ServerSide.Emit.CacheInvalidated("users", 7);

        Assert.Equal("users@7", await b.NextAsync("invalidated"));
        Assert.Equal(0, a.Count("invalidated")); // not delivered to the emitting server itself
    }

    [Fact]
    public async Task Typed_server_side_acks_give_one_answer_per_other_server()
    {
        var bus = new Bus();
        await using var a = await StartAsync(bus, "a");
        await using var b = await StartAsync(bus, "b");
        await using var c = await StartAsync(bus, "c");
        var nspA = a.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");
        b.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/").ServerSide.On.CountClients(room => room.Length);
        c.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/").ServerSide.On.CountClients(async room =>
        {
            await Task.Yield();
            return room.Length * 10;
        });

        IReadOnlyList<int> answers = await nspA.ServerSide.EmitWithAck.CountClients("abc").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([3, 30], answers.Order().ToArray());
        Assert.Throws<InvalidOperationException>(() => { _ = nspA.ServerSide.Emit.CountClients("x"); }); // thrown at the call
    }

    [Fact]
    public async Task Typed_socket_data_is_kept_on_the_socket_and_seen_by_fetch_sockets()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            var nsp = io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");
            nsp.Use(async (socket, next) =>
            {
                socket.Data = new SessionData(socket.Handshake.Auth.GetProperty("user").GetString()!, 2);
                await next();
            });
            nsp.OnConnection(async socket =>
            {
                SessionData? data = socket.Data;
                IReadOnlyList<RemoteSocket> remote = await nsp.FetchSockets();
                h.Record("data", $"{data!.User}/{data.Level}/{((SessionData)remote.Single().Data!).User}");
            });
        });
        await using var client = await SioDriver.StartAsync();

        await client.ConnectAsync("c", host.Url(), new { auth = new { user = "ada" } });

        Assert.Equal("ada/2/ada", await host.NextAsync("data"));
    }

    [Fact]
    public async Task With_a_single_server_server_side_emits_reach_nobody()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        var nsp = host.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/");
        nsp.ServerSide.On.CacheInvalidated((key, _) => host.Record("invalidated", key));

        nsp.ServerSide.Emit.CacheInvalidated("k", 1);
        IReadOnlyList<int> answers = await nsp.ServerSide.EmitWithAck.CountClients("room");

        Assert.Empty(answers);
        Assert.Equal(0, host.Count("invalidated"));
    }

    [Fact]
    public async Task A_server_side_event_with_wrong_arguments_is_rejected_and_answered_with_an_error()
    {
        var bus = new Bus();
        await using var a = await StartAsync(bus, "a");
        await using var b = await StartAsync(bus, "b");
        b.Io.Of<IClientEvents, IServerEvents, IClusterEvents, SessionData>("/").ServerSide.On.CountClients(room => room.Length);

        IReadOnlyList<SocketIoArgs> answers = await a.Io.Sockets.ServerSideEmitWithAck("countClients", [42]).WaitAsync(TimeSpan.FromSeconds(10));

        JsonElement error = Assert.Single(answers)[0];
        Assert.Equal("invalid arguments", error.GetProperty("error").GetString());
        Assert.Contains("argument 1 (room)", error.GetProperty("message").GetString());
    }

    private static Task<SocketIoTestHost> StartAsync(Bus bus, string name) =>
        SocketIoTestHost.StartAsync(options: o => o.AdapterFactory = nsp => new LinkedAdapter(nsp, bus));

    /// <summary>The servers of the test "cluster".</summary>
    private sealed class Bus
    {
        private readonly List<LinkedAdapter> _adapters = new();

        public void Add(LinkedAdapter adapter)
        {
            lock (_adapters)
            {
                _adapters.Add(adapter);
            }
        }

        public LinkedAdapter[] Others(LinkedAdapter self)
        {
            lock (_adapters)
            {
                return _adapters.Where(a => a != self && a.Namespace.Name == self.Namespace.Name).ToArray();
            }
        }
    }

    /// <summary>Hands server-side events to the other servers' namespaces and gathers their answers.</summary>
    private sealed class LinkedAdapter : InMemoryAdapter
    {
        private readonly Bus _bus;

        public LinkedAdapter(Namespace nsp, Bus bus)
            : base(nsp)
        {
            _bus = bus;
            bus.Add(this);
        }

        public override void ServerSideEmit(EventData data)
        {
            foreach (LinkedAdapter other in _bus.Others(this))
            {
                other.Namespace.ReceiveServerSideEmit(data);
            }
        }

        public override Task<IReadOnlyList<SocketIoArgs>> ServerSideEmitWithAck(EventData data, CancellationToken cancellationToken)
        {
            LinkedAdapter[] others = _bus.Others(this);
            var answers = new List<SocketIoArgs>();
            var done = new TaskCompletionSource<IReadOnlyList<SocketIoArgs>>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (others.Length == 0)
            {
                done.SetResult(answers);
            }

            foreach (LinkedAdapter other in others)
            {
                other.Namespace.ReceiveServerSideEmit(data, answer =>
                {
                    lock (answers)
                    {
                        answers.Add(new SocketIoArgs(answer.Json, answer.Attachments));
                        if (answers.Count == others.Length)
                        {
                            done.TrySetResult(answers.ToArray());
                        }
                    }
                });
            }

            return done.Task;
        }
    }
}
