using Microsoft.AspNetCore.SignalR;

namespace TypedSocketIo.Compare;

/// <summary>The SignalR peer: <c>Echo</c> returns its argument (the completion is the ack); <c>Bcast</c> sends to all.</summary>
public sealed class EchoHub : Hub
{
    /// <summary>Answers with <paramref name="data"/>.</summary>
    public string Echo(string data) => data;

    /// <summary>Sends <paramref name="data"/> to every connected client as <c>bcast</c>.</summary>
    public Task Bcast(string data) => Clients.All.SendAsync("bcast", data);
}
