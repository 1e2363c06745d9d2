using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>The socket's side of connection state recovery: its private session id, whether it was recovered, and keeping its session when it drops.</summary>
public sealed partial class Socket
{
    /// <summary>Whether this socket was recovered after a temporary disconnection (connection state recovery): it has the id, rooms and data of the socket that dropped, and the events it missed were sent to it.</summary>
    public bool Recovered { get; }

    /// <summary>The private session id the client presents to recover (null when recovery is off); never shown to other clients.</summary>
    internal string? Pid { get; }

    /// <summary>
    /// The reasons after which the reference keeps a socket's session: the connection dropped or was
    /// closed by the server as a whole, not a deliberate namespace disconnect by either side.
    /// </summary>
    internal static bool IsRecoverable(string reason) => reason is "transport error" or "transport close" or "forced close"
        or "ping timeout" or "server shutting down" or "forced server close";

    private void PersistIfRecoverable(string reason)
    {
        if (Pid is null || Server.Options.ConnectionStateRecovery is null || !IsRecoverable(reason))
        {
            return;
        }

        var rooms = new List<string>(Rooms);
        try
        {
            ValueTask persisted = Namespace.Adapter.PersistSession(new RecoverySession(Id, Pid, rooms, Data));
            if (!persisted.IsCompletedSuccessfully)
            {
                _ = ObservePersistAsync(persisted);
            }
        }
        catch (Exception ex)
        {
            Server.Log.PersistSessionFailed(Id, Namespace.Name, ex);
        }
    }

    private async Task ObservePersistAsync(ValueTask persisted)
    {
        try
        {
            await persisted.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Server.Log.PersistSessionFailed(Id, Namespace.Name, ex);
        }
    }

    /// <summary>Sends the events a recovered socket missed, in order, before its CONNECT answer (as the reference).</summary>
    internal void SendMissed(IReadOnlyList<JsonPayload> missed)
    {
        foreach (JsonPayload payload in missed)
        {
            Connection.WritePacket(new SocketIoPacket(SocketIoPacketType.Event, Namespace.Name, null, payload.Json, payload.Attachments), isVolatile: false, compress: true);
        }
    }
}
