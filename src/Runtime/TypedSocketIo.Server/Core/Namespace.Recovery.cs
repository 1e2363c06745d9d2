using TypedSocketIo.EngineIO;
using System.Text.Json;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server;

/// <summary>Creating and attaching sockets, recovered ones included (connection state recovery).</summary>
public partial class Namespace
{
    /// <summary>
    /// A new socket, or, when recovery is on and the CONNECT carries a known <c>pid</c> and
    /// <c>offset</c>, the socket that dropped: its id, private id, rooms and data (the reference's
    /// <c>_createSocket</c>).
    /// </summary>
    private async Task<(Socket Socket, RestoredSession? Restored)> CreateSocketAsync(SocketIoConnection client, JsonElement auth)
    {
        var handshake = new Handshake(client.Conn.Request, auth);
        if (Server.Options.ConnectionStateRecovery is null)
        {
            return (new Socket(this, client, handshake, NewSocketId(client)), null);
        }

        if (auth.ValueKind == JsonValueKind.Object
            && auth.TryGetProperty("pid", out JsonElement pid) && pid.ValueKind == JsonValueKind.String
            && auth.TryGetProperty("offset", out JsonElement offset) && offset.ValueKind == JsonValueKind.String)
        {
            RestoredSession? restored = null;
            try
            {
                restored = await Adapter.RestoreSession(pid.GetString()!, offset.GetString()!).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Server.Log.RestoreSessionFailed(Name, ex);
            }

            if (restored is not null)
            {
                RecoverySession session = restored.Session;
                var socket = new Socket(this, client, handshake, session.Sid, session.Pid, recovered: true) { Data = session.Data };
                await socket.Join(session.Rooms).ConfigureAwait(false);
                return (socket, restored);
            }
        }

        return (new Socket(this, client, handshake, NewSocketId(client), EngineIO.EngineIOServer.GenerateId()), null);
    }

    private string NewSocketId(SocketIoConnection client) =>
        client.Conn.Protocol == EngineIOProtocol.V3 ? (Name == "/" ? client.Conn.Id : Name + "#" + client.Conn.Id) : EngineIO.EngineIOServer.GenerateId();

    private bool SkipsMiddleware(SocketIoConnection client, RestoredSession? restored) =>
        restored is not null && Server.Options.ConnectionStateRecovery is { SkipMiddlewares: true } && client.Conn.ReadyState == EngineReadyState.Open;

    /// <summary>
    /// In the namespace first, then on the connection: once attached, the connection's close
    /// reaches the socket and removes it; if the client left while the middleware ran, it is never
    /// attached and leaves no trace. Then the CONNECT answer.
    /// </summary>
    private bool Attach(SocketIoConnection client, Socket socket)
    {
        _sockets[socket.Id] = socket;
        socket.OnConnect();
        if (!client.TryAttach(socket))
        {
            _sockets.TryRemove(new KeyValuePair<string, Socket>(socket.Id, socket));
            Refuse(socket);
            return false;
        }

        Server.Metrics.SocketConnected(_metricTag);
        client.OnSocketConnected(socket);
        return true;
    }

    /// <summary>
    /// Attaches a recovered socket and sends what it missed before its CONNECT answer, as the
    /// reference does. The adapter runs this exclusively of its logged broadcasts, so every event
    /// reaches the client once: before the socket is attached from the log, after it live.
    /// </summary>
    private async Task<bool> AttachRecoveredAsync(SocketIoConnection client, Socket socket, RestoredSession restored)
    {
        bool attached;
        try
        {
            attached = await AttachRecoveredCoreAsync(client, socket, restored).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The missed events could not be read: the socket keeps its session, without them.
            Server.Log.RestoreSessionFailed(Name, ex);
            return socket.Connected || Attach(client, socket);
        }

        if (!attached)
        {
            Refuse(socket);
            return false;
        }

        Server.Metrics.SocketConnected(_metricTag);
        Server.Log.SocketRecovered(socket.Id, Name, restored.MissedPackets.Count);
        return true;
    }

    private ValueTask<bool> AttachRecoveredCoreAsync(SocketIoConnection client, Socket socket, RestoredSession restored)
    {
        return Adapter.AttachRecovered(restored, () =>
        {
            _sockets[socket.Id] = socket;
            socket.OnConnect();
            if (!client.TryAttach(socket))
            {
                _sockets.TryRemove(new KeyValuePair<string, Socket>(socket.Id, socket));
                return null;
            }

            return socket;
        });
    }
}
