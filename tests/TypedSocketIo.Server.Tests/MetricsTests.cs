using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>The "TypedSocketIo.Server" meter, observed with a MeterListener as dotnet-counters would.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Connected_sockets_are_counted_per_namespace_and_namespaces_are_observed()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
        {
            io.Of("/admin");
            io.OnConnection(socket => socket.On("echo", e => socket.Emit("echo", e.Args.GetString(0))));
        });
        using var metrics = new MetricRecorder(host.Services.GetRequiredService<IMeterFactory>());
        Assert.Equal(2, metrics.Observe("socketio.server.namespaces"));

        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(WebSocketUrl(host));
        Assert.StartsWith("0{", await ws.ReceiveTextAsync());
        await ws.SendTextAsync("40");
        Assert.StartsWith("40{", await ws.ReceiveTextAsync());
        await ws.SendTextAsync("40/admin,");
        Assert.StartsWith("40/admin,{", await ws.ReceiveTextAsync());
        await Wait.UntilAsync(() => metrics.Sum("socketio.server.connected_sockets", ("socketio.namespace", "/admin")) == 1);
        Assert.Equal(1, metrics.Sum("socketio.server.connected_sockets", ("socketio.namespace", "/")));
        host.Io.Of("/late");
        Assert.Equal(3, metrics.Observe("socketio.server.namespaces"));

        await ws.SendTextAsync("41/admin,");
        await Wait.UntilAsync(() => metrics.Sum("socketio.server.connected_sockets", ("socketio.namespace", "/admin")) == 0);
        Assert.Equal(1, metrics.Sum("socketio.server.connected_sockets", ("socketio.namespace", "/")));
        await ws.DisposeAsync();
        await Wait.UntilAsync(() => metrics.Sum("socketio.server.connected_sockets", ("socketio.namespace", "/")) == 0);
    }

    [Fact]
    public async Task Packets_and_bytes_are_counted_per_transport_as_they_cross_the_wire()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.OnConnection(socket => socket.On("echo", e => socket.Emit("echo", e.Args.GetString(0)))));
        using var metrics = new MetricRecorder(host.Services.GetRequiredService<IMeterFactory>());
        var received = new List<string>();

        await using (RawWebSocket ws = await RawWebSocket.ConnectAsync(WebSocketUrl(host)))
        {
            received.Add(await ws.ReceiveTextAsync());
            string[] sent = ["40", "42[\"echo\",\"héllo\"]"];
            await ws.SendTextAsync(sent[0]);
            received.Add(await ws.ReceiveTextAsync());
            await ws.SendTextAsync(sent[1]);
            received.Add(await ws.ReceiveTextAsync());
            Assert.Equal("42[\"echo\",\"héllo\"]", received[2]);

            long sentBytes = sent.Sum(s => (long)Encoding.UTF8.GetByteCount(s));
            long receivedBytes = received.Sum(s => (long)Encoding.UTF8.GetByteCount(s));
            await Wait.UntilAsync(() => metrics.Sum("engineio.server.packets_sent", ("engineio.transport", "websocket")) == 3
                && metrics.Sum("engineio.server.bytes_sent", ("engineio.transport", "websocket")) == receivedBytes);
            Assert.Equal(2, metrics.Sum("engineio.server.packets_received", ("engineio.transport", "websocket")));
            Assert.Equal(sentBytes, metrics.Sum("engineio.server.bytes_received", ("engineio.transport", "websocket")));
        }

        using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(15) };
        string open = await http.GetStringAsync(host.Url() + "/socket.io/?EIO=4&transport=polling");
        string sid = RawPolling.SidPattern.Match(open).Groups[1].Value;
        string body = "40\u001e42[\"echo\",\"x\"]";
        using HttpResponseMessage post = await http.PostAsync($"{host.Url()}/socket.io/?EIO=4&transport=polling&sid={sid}", new StringContent(body));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        Assert.Equal(2, metrics.Sum("engineio.server.packets_received", ("engineio.transport", "polling")));
        Assert.Equal(Encoding.UTF8.GetByteCount(body), metrics.Sum("engineio.server.bytes_received", ("engineio.transport", "polling")));
        Assert.Equal(1, metrics.Sum("engineio.server.packets_sent", ("engineio.transport", "polling")));
        Assert.Equal(Encoding.UTF8.GetByteCount(open), metrics.Sum("engineio.server.bytes_sent", ("engineio.transport", "polling")));
    }

    [Fact]
    public async Task Refused_handshakes_are_counted_by_Engine_IO_error_code()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        using var metrics = new MetricRecorder(host.Services.GetRequiredService<IMeterFactory>());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=carrier-pigeon");
        await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=polling&sid=unknown");
        await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=polling&sid=unknown");
        await http.GetAsync(host.Url() + "/socket.io/?EIO=9&transport=polling");
        using HttpResponseMessage ok = await http.GetAsync(host.Url() + "/socket.io/?EIO=4&transport=polling");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, metrics.Sum("engineio.server.handshake_failures", ("engineio.error_code", 0), ("engineio.error", "UnknownTransport")));
        Assert.Equal(2, metrics.Sum("engineio.server.handshake_failures", ("engineio.error_code", 1)));
        Assert.Equal(1, metrics.Sum("engineio.server.handshake_failures", ("engineio.error_code", 5)));
        Assert.Equal(4, metrics.Sum("engineio.server.handshake_failures"));
    }

    [Fact]
    public async Task The_meter_comes_from_the_application_meter_factory_with_its_documented_name()
    {
        await using var host = await SocketIoTestHost.StartAsync();
        IMeterFactory factory = host.Services.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(factory);

        Assert.Equal("TypedSocketIo.Server", SocketIoServer.MeterName);
        Assert.Equal(
            new[]
            {
                "engineio.server.bytes_received", "engineio.server.bytes_sent", "engineio.server.handshake_failures",
                "engineio.server.limits_exceeded", "engineio.server.packets_received", "engineio.server.packets_sent",
                "socketio.server.connected_sockets", "socketio.server.namespaces",
            },
            metrics.Instruments.Order(StringComparer.Ordinal));
    }

    private static Uri WebSocketUrl(SocketIoTestHost host) =>
        new(host.Url().Replace("http://", "ws://", StringComparison.Ordinal) + "/socket.io/?EIO=4&transport=websocket");

    /// <summary>Records the long measurements of the server meter that one meter factory created.</summary>
    private sealed class MetricRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
        private readonly HashSet<string> _instruments = new();

        public MetricRecorder(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SocketIoServer.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    lock (_instruments)
                    {
                        _instruments.Add(instrument.Name);
                    }

                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                lock (_measurements)
                {
                    _measurements.Add((instrument.Name, value, tags.ToArray()));
                }
            });
            _listener.Start();
        }

        public IReadOnlyCollection<string> Instruments
        {
            get
            {
                lock (_instruments)
                {
                    return _instruments.ToArray();
                }
            }
        }

        /// <summary>The sum of the measurements of <paramref name="name"/> carrying every tag given.</summary>
        public long Sum(string name, params (string Key, object Value)[] tags)
        {
            lock (_measurements)
            {
                return _measurements
                    .Where(m => m.Name == name && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value))))
                    .Sum(m => m.Value);
            }
        }

        /// <summary>Collects the observable instruments now and returns the last value of <paramref name="name"/>.</summary>
        public long Observe(string name)
        {
            lock (_measurements)
            {
                _measurements.RemoveAll(m => m.Name == name);
            }

            _listener.RecordObservableInstruments();
            lock (_measurements)
            {
                return _measurements.Last(m => m.Name == name).Value;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
