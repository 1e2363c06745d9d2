using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TypedSocketIo.Server;

namespace TypedSocketIo.Compare;

/// <summary>
/// The .NET peers, one per process, on 127.0.0.1 with a free port, each doing the same work:
/// an acknowledged echo of one string, an acknowledged echo of binary data, and a broadcast of one
/// string to every connected client. Every peer accepts messages up to <see cref="MaxMessageBytes"/>.
/// Prints <c>listening &lt;port&gt;</c>; exits when stdin ends.
/// </summary>
internal static class PeerHost
{
    /// <summary>The largest message every peer accepts (4 MiB): a 1 MiB binary echo fits, base64 in SignalR's JSON too.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    public static async Task<int> RunAsync(string kind)
    {
        if (kind == "raw-socket")
        {
            return await RawSocketPeer.RunAsync();
        }

        // "-direct": TypedSocketIo's WebSockets taken from the listener, below ASP.NET Core's HTTP layer;
        // "-bare": the same, served on their bare sockets by the server's own transport.
        bool bare = kind.EndsWith("-bare", StringComparison.Ordinal);
        bool direct = bare || kind.EndsWith("-direct", StringComparison.Ordinal);
        kind = bare ? kind[..^"-bare".Length] : direct ? kind[..^"-direct".Length] : kind;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        if (bare)
        {
            builder.WebHost.UseSocketIoTransport();
        }

        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (direct)
            {
                listen.UseSocketIoWebSockets();
            }
        }));
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1")
        {
            // The inline peers: Kestrel's transport runs its pipes' continuations where the socket completed.
            builder.WebHost.UseSockets(static o => o.UnsafePreferInlineScheduling = true);
        }

        builder.Logging.ClearProviders();
        switch (kind)
        {
            case "tsio":
            case "tsio-typed":
                builder.Services.AddSocketIo(o => o.MaxHttpBufferSize = MaxMessageBytes); // long-polling and websocket, as Node's peer
                break;
            case "signalr":
                builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = MaxMessageBytes);
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
                app.MapHub<EchoHub>("/hub", o =>
                {
                    // Back-pressure thresholds of the connection's pipes, raised with the message limit.
                    o.ApplicationMaxBufferSize = MaxMessageBytes;
                    o.TransportMaxBufferSize = MaxMessageBytes;
                });
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
            socket.On("echoBinary", static e => e.Ack(e.Args.GetBytes(0)));
            socket.On("bcast", e => io.Emit("bcast", e.Args.GetString(0)));
        });
    }

    private static void MapTyped(WebApplication app)
    {
        Namespace<ICompareClientEvents, ICompareServerEvents> root = app.MapSocketIo().Server.Of<ICompareClientEvents, ICompareServerEvents>("/");
        root.OnConnection(socket =>
        {
            socket.On.Echo(static data => data);
            socket.On.EchoBinary(static data => data);
            socket.On.Bcast(data => root.Emit.Bcast(data));
        });
    }

    /// <summary>
    /// Echoes every message (text or binary) once it is whole; a text message starting with <c>B</c>
    /// goes (without it) to every connection instead.
    /// </summary>
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
                    int length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        if (length == buffer.Length)
                        {
                            if (buffer.Length >= MaxMessageBytes)
                            {
                                await ws.CloseAsync(WebSocketCloseStatus.MessageTooBig, null, context.RequestAborted);
                                return;
                            }

                            Array.Resize(ref buffer, buffer.Length * 2);
                        }

                        result = await ws.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    if (result.MessageType == WebSocketMessageType.Text && length > 0 && buffer[0] == (byte)'B')
                    {
                        byte[] data = buffer[1..length];
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
                        await ws.SendAsync(buffer.AsMemory(0, length), result.MessageType, true, context.RequestAborted);
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
