using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TypedSocketIo.Redis;

namespace TypedSocketIo.ClusterBench;

/// <summary>The processes and servers of the bench: redis-server, TypedSocketIo nodes (in this process), Node socket.io nodes (children).</summary>
internal static class Servers
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<(Process Process, int Port, string Dir)> StartRedisAsync()
    {
        if (!File.Exists("/usr/bin/redis-server"))
        {
            throw new InvalidOperationException("redis-server is required: apt-get install redis-server.");
        }

        string dir = Directory.CreateTempSubdirectory("tsio-clusterbench-").FullName;
        int port = FreePort();
        var info = new ProcessStartInfo("/usr/bin/redis-server") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = dir };
        foreach (string arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return (process, port, dir);
            }
            catch (SocketException) when (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A TypedSocketIo server whose "go" (stamp) handler broadcasts "b" (stamp); on Redis (classic, <paramref name="key"/>) when <paramref name="redisPort"/> is set.</summary>
    public static async Task<(WebApplication App, string Url)> StartDotNetAsync(int? redisPort, string key)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        ISocketIoBuilder io = builder.Services.AddSocketIo();
        if (redisPort is int port)
        {
            io.AddRedisAdapter($"127.0.0.1:{port}", o =>
            {
                o.Flavour = RedisAdapterFlavour.Classic;
                o.Key = key;
            });
        }

        WebApplication app = builder.Build();
        TypedSocketIo.Server.SocketIoServer server = app.MapSocketIo().Server;
        server.Sockets.OnConnection(socket => socket.On("go", e => server.Sockets.Emit("b", e.Args.GetString(0))));
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, url.TrimEnd('/'));
    }

    /// <summary>tests/node/cluster-node.js: socket.io 4.8 with @socket.io/redis-adapter 8.3 (classic, <paramref name="key"/>).</summary>
    public static async Task<(Process Process, string Url)> StartNodeAsync(string nodeDir, int redisPort, string key)
    {
        var info = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = nodeDir,
        };
        foreach (string arg in new[] { "cluster-node.js", "--redis-port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--flavour", "classic", "--key", key })
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("cluster-node.js exited.");
            using JsonDocument ready = JsonDocument.Parse(line);
            if (ready.RootElement.GetProperty("event").GetString() == "ready")
            {
                _ = DrainAsync(process.StandardOutput);
                return (process, $"http://127.0.0.1:{ready.RootElement.GetProperty("port").GetInt32()}");
            }
        }
    }

    private static async Task DrainAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is not null)
        {
        }
    }
}
