using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>What the other servers send: their operations applied here, their requests answered, their answers gathered.</summary>
public partial class ClusterAdapter
{
    /// <inheritdoc />
    public void OnInvalidMessage(string channel, Exception error)
    {
        Metrics.Invalid();
        ClusterLog.InvalidMessage(_logger, Uid, channel, error);
    }

    /// <inheritdoc />
    public void OnMessage(ClusterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Namespace != Namespace.Name || (message.Uid == Uid && !IsOwnLoggedBroadcast(message)))
        {
            return;
        }

        Metrics.Received(message.Type);
        if (_heartbeat is not null && message.Uid is string from && from != EmitterUid)
        {
            _heartbeat.Seen(from);
        }

        try
        {
            Handle(message);
        }
        catch (Exception ex)
        {
            ClusterLog.HandleFailed(_logger, Uid, message, ex);
        }
    }

    private void Handle(ClusterMessage message)
    {
        BroadcastOptions options = message.Options ?? new BroadcastOptions(EmptySet, EmptySet, default);
        switch (message.Type)
        {
            case ClusterMessageType.Broadcast when message.Payload is JsonPayload payload:
                if (message.RequestId is null)
                {
                    ReceiveBroadcast(new SocketIoPacket(SocketIoPacketType.Event, Namespace.Name, null, payload.Json, payload.Attachments), options, message.Offset);
                }
                else
                {
                    RemoteBroadcastWithAck(message, payload, options);
                }

                break;
            case ClusterMessageType.SocketsJoin:
                base.AddSockets(options, message.Rooms ?? []);
                break;
            case ClusterMessageType.SocketsLeave:
                base.DelSockets(options, message.Rooms ?? []);
                break;
            case ClusterMessageType.DisconnectSockets:
                base.DisconnectSockets(options, message.Close);
                break;
            case ClusterMessageType.FetchSockets:
                _ = AnswerFetchAsync(message, options);
                break;
            case ClusterMessageType.ServerSideEmit when message.Payload is JsonPayload payload:
                ReceiveServerSideEmit(message, payload);
                break;
            case ClusterMessageType.InitialHeartbeat when _heartbeat is not null:
                _ = PublishAsync(Message(ClusterMessageType.Heartbeat));
                break;
            case ClusterMessageType.AdapterClose when message.Uid is not null:
                _heartbeat?.Remove(message.Uid);
                break;
            case ClusterMessageType.AllRooms:
                Respond(message.Uid, new ClusterMessage(ClusterMessageType.AllRoomsResponse, Uid, Namespace.Name) { RequestId = message.RequestId, Rooms = [.. Rooms.Keys] });
                break;
            default:
                if (message.IsResponse)
                {
                    OnResponse(message);
                }

                break;
        }
    }

    private void RemoteBroadcastWithAck(ClusterMessage message, JsonPayload payload, BroadcastOptions options)
    {
        string requester = message.Uid ?? "";
        string requestId = message.RequestId!;
        var packet = new SocketIoPacket(SocketIoPacketType.Event, Namespace.Name, Namespace.NextAckId(), payload.Json, payload.Attachments);
        base.BroadcastWithAck(packet, options,
            count => Respond(requester, new ClusterMessage(ClusterMessageType.BroadcastClientCount, Uid, Namespace.Name) { RequestId = requestId, ClientCount = count }),
            (_, args) => Respond(requester, new ClusterMessage(ClusterMessageType.BroadcastAck, Uid, Namespace.Name) { RequestId = requestId, Payload = ClusterJson.FirstArgument(args) }));
    }

    private async Task AnswerFetchAsync(ClusterMessage message, BroadcastOptions options)
    {
        IReadOnlyList<RemoteSocket> local = await base.FetchSockets(options).ConfigureAwait(false);
        var sockets = new ClusterSocket[local.Count];
        for (int i = 0; i < local.Count; i++)
        {
            sockets[i] = ClusterJson.Describe(local[i], Namespace.Server.JsonOptions);
        }

        Respond(message.Uid, new ClusterMessage(ClusterMessageType.FetchSocketsResponse, Uid, Namespace.Name) { RequestId = message.RequestId, Sockets = sockets });
    }

    private void ReceiveServerSideEmit(ClusterMessage message, JsonPayload payload)
    {
        var data = new EventData(SocketIoJson.ReadEventName(payload.Json.Span), payload.Json, payload.Attachments);
        if (message.RequestId is not string requestId)
        {
            Namespace.ReceiveServerSideEmit(data);
            return;
        }

        string requester = message.Uid ?? "";
        int answered = 0;
        Namespace.ReceiveServerSideEmit(data, answer =>
        {
            if (Interlocked.Exchange(ref answered, 1) == 1)
            {
                return; // one answer per server, as the reference
            }

            var args = new SocketIoArgs(answer.Json, answer.Attachments);
            Respond(requester, new ClusterMessage(ClusterMessageType.ServerSideEmitResponse, Uid, Namespace.Name) { RequestId = requestId, Payload = ClusterJson.FirstArgument(args) });
        });
    }

    /// <inheritdoc />
    public void OnResponse(ClusterMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.RequestId is not string requestId)
        {
            return;
        }

        Metrics.Received(response.Type);
        switch (response.Type)
        {
            case ClusterMessageType.BroadcastClientCount:
                if (_ackRequests.TryGetValue(requestId, out AckRequest? counted))
                {
                    counted.AddRemote(response.ClientCount);
                }

                break;
            case ClusterMessageType.BroadcastAck:
                if (_ackRequests.TryGetValue(requestId, out AckRequest? acked))
                {
                    acked.OnAck(null, ClusterJson.AnswerArgs(response.Payload, Namespace.Server.JsonOptions));
                }

                break;
            case ClusterMessageType.FetchSocketsResponse or ClusterMessageType.ServerSideEmitResponse or ClusterMessageType.AllRoomsResponse:
                if (!_requests.TryGetValue(requestId, out PendingRequest? request) || !Matches(request.Type, response.Type))
                {
                    return;
                }

                lock (request)
                {
                    AddAnswer(request, response);
                }

                request.CountAnswer();
                break;
        }
    }

    private static bool Matches(ClusterMessageType request, ClusterMessageType response) => (request, response) switch
    {
        (ClusterMessageType.FetchSockets, ClusterMessageType.FetchSocketsResponse) => true,
        (ClusterMessageType.ServerSideEmit, ClusterMessageType.ServerSideEmitResponse) => true,
        (ClusterMessageType.AllRooms, ClusterMessageType.AllRoomsResponse) => true,
        _ => false,
    };

    private void AddAnswer(PendingRequest request, ClusterMessage response)
    {
        switch (response.Type)
        {
            case ClusterMessageType.FetchSocketsResponse:
                foreach (ClusterSocket socket in response.Sockets ?? [])
                {
                    request.Sockets.Add(new RemoteSocket(Namespace, socket));
                }

                break;
            case ClusterMessageType.ServerSideEmitResponse:
                request.Answers.Add(ClusterJson.AnswerArgs(response.Payload, Namespace.Server.JsonOptions));
                break;
            case ClusterMessageType.AllRoomsResponse:
                request.Rooms.UnionWith(response.Rooms ?? []);
                break;
        }
    }
}
