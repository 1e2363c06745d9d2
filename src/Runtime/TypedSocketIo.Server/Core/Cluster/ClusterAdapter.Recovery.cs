using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// Connection state recovery in a cluster. Over a transport that keeps no log, each server keeps
/// its own (the in-memory adapter's): a client recovers when it comes back to the same server.
/// Over a <see cref="IRecoveryTransport"/>, sessions and the broadcast log live in the
/// transport: a client recovers on any server. Broadcasts then reach this server's sockets from
/// the log, as every other server's do, so each socket gets them in log order and the last offset
/// it saw accounts for everything before it.
/// </summary>
public partial class ClusterAdapter
{
    /// <summary>The transport's log, when recovery is on and the transport keeps one.</summary>
    private IRecoveryTransport? LogTransport => RecoveryOptions is not null ? Transport as IRecoveryTransport : null;

    private bool IsOwnLoggedBroadcast(ClusterMessage message) =>
        message.Type == ClusterMessageType.Broadcast && message.Offset is not null && message.RequestId is null && LogTransport is not null;

    /// <summary>Handles a broadcast when the transport keeps the log; false to go the usual way.</summary>
    private bool BroadcastToLog(SocketIoPacket packet, BroadcastOptions options)
    {
        if (LogTransport is not { } log)
        {
            return false;
        }

        if (options.Flags.Local || packet.Id is not null)
        {
            Deliver(packet, packet, options); // not logged: no offset (as the reference's cluster adapter)
            return true;
        }

        var message = new ClusterMessage(ClusterMessageType.Broadcast, Uid, Namespace.Name)
        {
            Options = options,
            Payload = new JsonPayload(packet.Data, packet.Attachments),
        };
        Task<string> appended;
        try
        {
            appended = log.AppendAsync(message);
        }
        catch (Exception ex)
        {
            OnAppendFailed(packet, options, ex);
            return true;
        }

        _ = ObserveAppendAsync(appended, packet, options);
        return true;
    }

    private async Task ObserveAppendAsync(Task<string> appended, SocketIoPacket packet, BroadcastOptions options)
    {
        try
        {
            await appended.ConfigureAwait(false);
            Metrics.Published(ClusterMessageType.Broadcast);
        }
        catch (Exception ex)
        {
            OnAppendFailed(packet, options, ex);
        }
    }

    /// <summary>The log is out of reach: this server's sockets still get the event, without an offset (the reference does the same).</summary>
    private void OnAppendFailed(SocketIoPacket packet, BroadcastOptions options, Exception error)
    {
        OnPublishFailed(ClusterMessageType.Broadcast, error);
        Deliver(packet, packet, options);
    }

    /// <summary>A broadcast from the cluster (from the log with its offset, when the transport keeps one).</summary>
    private void ReceiveBroadcast(SocketIoPacket packet, BroadcastOptions options, string? offset)
    {
        if (LogTransport is null)
        {
            base.Broadcast(packet, options); // logged in memory when recovery is on
            return;
        }

        Deliver(offset is not null && CarriesOffset(packet, options) ? WithOffset(packet, offset) : packet, packet, options);
    }

    /// <inheritdoc />
    public override ValueTask PersistSession(RecoverySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (LogTransport is not { } log)
        {
            return base.PersistSession(session);
        }

        return new ValueTask(log.PersistSessionAsync(session with { Data = DataAsJson(session.Data) }, RecoveryOptions!.MaxDisconnectionDuration));
    }

    private JsonElement? DataAsJson(object? data)
    {
        if (data is null or JsonElement)
        {
            return data as JsonElement?;
        }

        try
        {
#pragma warning disable IL2026, IL3050 // socket data is serialized by its runtime type, as for fetchSockets; the options may name a context
            return JsonSerializer.SerializeToElement(data, data.GetType(), Namespace.Server.JsonOptions);
#pragma warning restore IL2026, IL3050
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public override async ValueTask<RestoredSession?> RestoreSession(string pid, string offset)
    {
        if (LogTransport is not { } log)
        {
            return await base.RestoreSession(pid, offset).ConfigureAwait(false);
        }

        RecoverySession? session = await log.TakeSessionAsync(pid, offset).ConfigureAwait(false);
        return session is null ? null : new RestoredSession(session, []) { ReadLogAfter = offset };
    }

    /// <inheritdoc />
    internal override ValueTask<bool> AttachRecovered(RestoredSession restored, Func<Socket?> attach)
    {
        if (LogTransport is not { } log || restored.ReadLogAfter is not { } after)
        {
            return base.AttachRecovered(restored, attach);
        }

        // Between two deliveries of the log: what was logged up to the last delivery is read and
        // sent now, what comes after reaches the socket live.
        return new ValueTask<bool>(log.RunBetweenDeliveriesAsync(async last =>
        {
            IReadOnlyList<ClusterMessage> logged = last is null || string.CompareOrdinal(last, after) == 0
                ? [] : await log.ReadLogAsync(after, last).ConfigureAwait(false);
            Socket? socket = attach();
            if (socket is null)
            {
                return false;
            }

            var missed = new List<JsonPayload>();
            foreach (ClusterMessage message in logged)
            {
                if (message is { Type: ClusterMessageType.Broadcast, RequestId: null, Payload: JsonPayload payload, Options: { } options, Offset: { } offset }
                    && message.Namespace == Namespace.Name && !options.Flags.Volatile && PacketLog.ShouldInclude(restored.Session.Rooms, options))
                {
                    missed.Add(new JsonPayload(RecoveryOffset.Append(payload.Json.Span, offset), payload.Attachments));
                }
            }

            socket.SendMissed(missed);
            socket.Connection.OnSocketConnected(socket);
            return true;
        }));
    }
}
