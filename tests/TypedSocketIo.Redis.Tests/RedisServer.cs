using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TypedSocketIo.Redis.Tests;

/// <summary>Debian's redis-server on a free loopback port in a temporary directory, restartable on the same port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir;
    private Process? _process;

    private RedisServer(int port, string dir)
    {
        Port = port;
        _dir = dir;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=3000,asyncTimeout=3000";

    public static async Task<RedisServer> StartAsync()
    {
        string executable = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
            : throw new InvalidOperationException("redis-server is required by the Redis tests: apt-get install redis-server (./test.sh does).");
        _ = executable;
        string dir = Directory.CreateTempSubdirectory("tsio-redis-").FullName;
        var server = new RedisServer(FreePort(), dir);
        await server.StartProcessAsync();
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo("/usr/bin/redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await PingAsync())
        {
            Assert.False(_process.HasExited, "redis-server exited at start.");
            await Task.Delay(50, cts.Token);
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            byte[] buffer = new byte[16];
            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills redis-server (every connection drops at once).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cts.Token);
        }
    }

    /// <summary>Starts it again on the same port.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
