using Microsoft.AspNetCore.SignalR;

namespace TypedSocketIo.Compare;

/// <summary>
/// The SignalR peer: <c>Echo</c> and <c>EchoBinary</c> return their argument (the completion is the
/// ack; the JSON hub protocol carries a byte[] as base64); <c>Bcast</c> sends to all.
/// </summary>
public sealed class EchoHub : Hub
{
    /// <summary>Answers with <paramref name="data"/>.</summary>
    public string Echo(string data) => data;

    /// <summary>Answers with <paramref name="data"/>.</summary>
    public byte[] EchoBinary(byte[] data) => data;

    /// <summary>Sends <paramref name="data"/> to every connected client as <c>bcast</c>.</summary>
    public Task Bcast(string data) => Clients.All.SendAsync("bcast", data);
}
