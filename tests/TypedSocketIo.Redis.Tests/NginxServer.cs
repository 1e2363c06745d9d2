using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// Debian's nginx in the foreground, as a child process, with its own nginx.conf, logs, pid and
/// temporary files in a temporary directory, listening on a free loopback port and balancing
/// /socket.io/ over a set of upstream servers with sticky sessions by the <c>client</c> query
/// parameter (<c>hash $arg_client consistent</c>), WebSocket upgrades passed through.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    /// <summary>Where Debian's nginx-light package puts the binary.</summary>
    public const string Executable = "/usr/sbin/nginx";

    private readonly string _dir;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private NginxServer(int port, string dir)
    {
        Port = port;
        _dir = dir;
    }

    /// <summary>The port nginx listens on.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Starts nginx in front of <paramref name="upstreams"/> (ports on 127.0.0.1).</summary>
    public static async Task<NginxServer> StartAsync(params int[] upstreams)
    {
        if (!File.Exists(Executable))
        {
            // Never a skip: the test command installs it (./test.sh: apt-get install nginx-light).
            throw new InvalidOperationException($"{Executable} is required by the load-balancer tests: apt-get install nginx-light (./test.sh does).");
        }

        DirectoryInfo dir = Directory.CreateTempSubdirectory("tsio-nginx-");
        if (!OperatingSystem.IsWindows())
        {
            // Worker processes may run as another user when the test runs as root.
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var server = new NginxServer(FreePort(), dir.FullName);
        server.WriteConfig(upstreams);
        server.Start();
        await server.WaitListeningAsync();
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WriteConfig(int[] upstreams)
    {
        var servers = new StringBuilder();
        foreach (int port in upstreams)
        {
            servers.Append(CultureInfo.InvariantCulture, $"        server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;\n");
        }

        string config = $$"""
            daemon off;
            worker_processes 1;
            pid nginx.pid;
            error_log error.log info;
            events { worker_connections 512; }
            http {
                access_log access.log;
                client_body_temp_path tmp/body;
                proxy_temp_path tmp/proxy;
                fastcgi_temp_path tmp/fastcgi;
                uwsgi_temp_path tmp/uwsgi;
                scgi_temp_path tmp/scgi;
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    '' close;
                }
                upstream socketio {
                    hash $arg_client consistent;
            {{servers}}    }
                server {
                    listen 127.0.0.1:{{Port}};
                    location /socket.io/ {
                        proxy_pass http://socketio;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $host;
                        proxy_buffering off;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 60s;
                    }
                }
            }

            """;
        Directory.CreateDirectory(Path.Combine(_dir, "tmp"));
        File.WriteAllText(Path.Combine(_dir, "nginx.conf"), config);
    }

    private void Start()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (string arg in new[] { "-p", _dir + "/", "-c", "nginx.conf", "-e", "error.log" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitListeningAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException("nginx exited at start: " + Describe());
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
                return;
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(15))
                {
                    throw new TimeoutException("nginx did not listen within 15 s: " + Describe());
                }

                await Task.Delay(50);
            }
        }
    }

    /// <summary>Points the upstream at <paramref name="upstreams"/> and reloads the configuration (<c>nginx -s reload</c>); waits until the new workers run.</summary>
    public async Task ReloadAsync(params int[] upstreams)
    {
        WriteConfig(upstreams);
        int before = CountReloads();
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir };
        foreach (string arg in new[] { "-p", _dir + "/", "-c", "nginx.conf", "-e", "error.log", "-s", "reload" })
        {
            info.ArgumentList.Add(arg);
        }

        using Process reload = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await reload.WaitForExitAsync(cts.Token);
        Assert.True(reload.ExitCode == 0, "nginx -s reload failed: " + await reload.StandardError.ReadToEndAsync(cts.Token));
        // The master logs "start worker process" for every worker it starts after a reload.
        await TypedSocketIo.Testing.Wait.UntilAsync(() => CountReloads() > before, TimeSpan.FromSeconds(10));
    }

    private int CountReloads()
    {
        string log = ErrorLog();
        int count = 0;
        for (int i = log.IndexOf("reconfiguring", StringComparison.Ordinal); i >= 0; i = log.IndexOf("reconfiguring", i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>nginx's error log (info level: upstream failures, reloads).</summary>
    public string ErrorLog()
    {
        string path = Path.Combine(_dir, "error.log");
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private string Describe()
    {
        lock (_output)
        {
            return _output + ErrorLog();
        }
    }

    /// <summary>Kills nginx's master and workers (bounded) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(cts.Token);
        }

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
