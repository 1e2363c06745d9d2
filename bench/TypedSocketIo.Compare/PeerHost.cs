using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TypedSocketIo.Server;

namespace TypedSocketIo.Compare;

/// <summary>
/// The .NET peers, one per process, on 127.0.0.1 with a free port, each doing the same work:
/// an acknowledged echo of one string, and a broadcast of one string to every connected client.
/// Prints <c>listening &lt;port&gt;</c>; exits when stdin ends.
/// </summary>
internal static class PeerHost
{
    public static async Task<int> RunAsync(string kind)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        switch (kind)
        {
            case "tsio":
            case "tsio-typed":
                builder.Services.AddSocketIo(o => o.Transports = ["websocket"]);
                break;
            case "signalr":
                builder.Services.AddSignalR();
                break;
            case "raw":
                break;
            default:
                Console.Error.WriteLine($"unknown peer {kind}");
                return 1;
        }

        WebApplication app = builder.Build();
        switch (kind)
        {
            case "tsio":
                MapUntyped(app);
                break;
            case "tsio-typed":
                MapTyped(app);
                break;
            case "signalr":
                app.UseWebSockets();
                app.MapHub<EchoHub>("/hub");
                break;
            default:
                MapRaw(app);
                break;
        }

        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        Console.WriteLine($"listening {port}");
        await Task.Run(() => Console.In.ReadToEnd());
        await app.StopAsync();
        return 0;
    }

    private static void MapUntyped(WebApplication app)
    {
        SocketIoServer io = app.MapSocketIo();
        io.OnConnection(socket =>
        {
            socket.On("echo", static e => e.Ack(e.Args.GetString(0)));
            socket.On("bcast", e => io.Emit("bcast", e.Args.GetString(0)));
        });
    }

    private static void MapTyped(WebApplication app)
    {
        Namespace<ICompareClientEvents, ICompareServerEvents> root = app.MapSocketIo().Server.Of<ICompareClientEvents, ICompareServerEvents>("/");
        root.OnConnection(socket =>
        {
            socket.On.Echo(static data => data);
            socket.On.Bcast(data => root.Emit.Bcast(data));
        });
    }

    /// <summary>Echoes every message; a message starting with <c>B</c> goes (without it) to every connection instead.</summary>
    private static void MapRaw(WebApplication app)
    {
        var sockets = new ConcurrentDictionary<WebSocket, byte>();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using WebSocket ws = await context.WebSockets.AcceptWebSocketAsync();
            sockets.TryAdd(ws, 0);
            byte[] buffer = new byte[4096];
            try
            {
                while (true)
                {
                    ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    if (result.Count > 0 && buffer[0] == (byte)'B')
                    {
                        byte[] data = buffer[1..result.Count];
                        foreach (WebSocket other in sockets.Keys)
                        {
                            try
                            {
                                await other.SendAsync(data, WebSocketMessageType.Text, true, CancellationToken.None);
                            }
                            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
                            {
                            }
                        }
                    }
                    else
                    {
                        await ws.SendAsync(buffer.AsMemory(0, result.Count), WebSocketMessageType.Text, true, context.RequestAborted);
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
            finally
            {
                sockets.TryRemove(ws, out _);
            }
        });
    }
}
