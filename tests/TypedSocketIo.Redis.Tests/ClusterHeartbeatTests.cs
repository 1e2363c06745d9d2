using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Server.Cluster;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// The cluster adapter's heartbeats (INITIAL_HEARTBEAT, HEARTBEAT, ADAPTER_CLOSE), over a transport
/// that asks for them: an in-process bus carrying the cluster protocol's wire form between real
/// servers. No Redis flavour uses them (the reference's count subscribers instead).
/// </summary>
public sealed class ClusterHeartbeatTests
{
    private static readonly ClusterHeartbeatOptions Fast = new() { Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromMilliseconds(600) };

    private sealed class Node : IAsyncDisposable
    {
        private Node(SocketIoTestHost host, InProcessTransport transport)
        {
            Host = host;
            Transport = transport;
        }

        public SocketIoTestHost Host { get; }

        public InProcessTransport Transport { get; }

        public ClusterAdapter Adapter => (ClusterAdapter)Host.Io.Sockets.Adapter;

        public static async Task<Node> StartAsync(InProcessClusterBus bus, ClusterHeartbeatOptions heartbeat)
        {
            InProcessTransport transport = bus.Attach(heartbeat);
            SocketIoTestHost host = await SocketIoTestHost.StartAsync(options: o => o.AdapterFactory = nsp => new ClusterAdapter(nsp, transport));
            var node = new Node(host, transport);
            await node.Adapter.Started.WaitAsync(TimeSpan.FromSeconds(10));
            return node;
        }

        public int Count() => Adapter.ServerCount().AsTask().Result;

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    [Fact]
    public async Task Nodes_count_each_other_from_the_initial_heartbeat_and_its_answers_and_broadcasts_cross()
    {
        var bus = new InProcessClusterBus();
        await using Node a = await Node.StartAsync(bus, Fast);
        await using Node b = await Node.StartAsync(bus, Fast);
        await using Node c = await Node.StartAsync(bus, Fast);

        await Wait.UntilAsync(() => a.Count() == 3 && b.Count() == 3 && c.Count() == 3);
        Assert.Equal(1, bus.Count(c.Adapter.Uid, ClusterMessageType.InitialHeartbeat));

        await using SioDriver clients = await SioDriver.StartAsync();
        await clients.ConnectAsync("on-c", c.Host.Url());
        a.Host.Io.Sockets.Emit("hello", 1);
        await clients.MessageAsync("on-c", "hello");
    }

    [Fact]
    public async Task A_node_publishes_a_heartbeat_only_after_an_interval_without_publishing()
    {
        var bus = new InProcessClusterBus();
        var slow = new ClusterHeartbeatOptions { Interval = TimeSpan.FromMilliseconds(400), Timeout = TimeSpan.FromSeconds(30) };
        await using Node a = await Node.StartAsync(bus, slow);
        await using Node b = await Node.StartAsync(bus, slow);
        await Wait.UntilAsync(() => a.Count() == 2 && b.Count() == 2);
        int before = bus.Count(a.Adapter.Uid, ClusterMessageType.Heartbeat);

        // Busy: a broadcast every 50 ms for over three intervals, so no heartbeat is due.
        var busy = System.Diagnostics.Stopwatch.StartNew();
        while (busy.Elapsed < TimeSpan.FromMilliseconds(1300))
        {
            a.Host.Io.Sockets.Emit("tick");
            await Task.Delay(50);
        }

        int whileBusy = bus.Count(a.Adapter.Uid, ClusterMessageType.Heartbeat) - before;
        Assert.True(whileBusy <= 1, $"{whileBusy} heartbeats while publishing every 50 ms (interval 400 ms)."); // at most the one due at the start

        // Silent: heartbeats come, about one per interval.
        int atSilence = bus.Count(a.Adapter.Uid, ClusterMessageType.Heartbeat);
        await Wait.UntilAsync(() => bus.Count(a.Adapter.Uid, ClusterMessageType.Heartbeat) >= atSilence + 2, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_silent_node_stops_being_counted_after_the_timeout_and_counts_again_when_heard()
    {
        var bus = new InProcessClusterBus();
        await using Node a = await Node.StartAsync(bus, Fast);
        await using Node b = await Node.StartAsync(bus, Fast);
        await Wait.UntilAsync(() => a.Count() == 2 && b.Count() == 2);

        b.Transport.CutOff = true;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Wait.UntilAsync(() => a.Count() == 1, TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(400), $"Dropped after {watch.Elapsed}, before the 600 ms timeout could pass.");

        b.Transport.CutOff = false;
        await Wait.UntilAsync(() => a.Count() == 2, TimeSpan.FromSeconds(5)); // b's next heartbeat
    }

    [Fact]
    public async Task A_closing_node_says_goodbye_and_is_no_longer_counted_at_once()
    {
        var bus = new InProcessClusterBus();
        var patient = new ClusterHeartbeatOptions { Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(60) };
        await using Node a = await Node.StartAsync(bus, patient);
        Node b = await Node.StartAsync(bus, patient);
        await Wait.UntilAsync(() => a.Count() == 2);
        string bUid = b.Adapter.Uid;

        await b.DisposeAsync();

        await Wait.UntilAsync(() => a.Count() == 1, TimeSpan.FromSeconds(5)); // far sooner than the 60 s timeout
        Assert.Equal(1, bus.Count(bUid, ClusterMessageType.AdapterClose));
    }
}
