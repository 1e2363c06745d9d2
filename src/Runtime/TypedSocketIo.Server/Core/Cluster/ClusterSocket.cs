using System.Text.Json;

namespace TypedSocketIo.Server.Cluster;

/// <summary>A socket as another server describes it in a fetch-sockets answer: id, handshake, rooms and data, as JSON.</summary>
/// <param name="Id">The socket id.</param>
/// <param name="Handshake">The handshake in Node's shape (<c>headers, time, address, xdomain, secure, issued, url, query, auth</c>).</param>
/// <param name="Rooms">The socket's rooms.</param>
/// <param name="Data">The socket's data (undefined when it had none).</param>
public sealed record ClusterSocket(string Id, JsonElement Handshake, IReadOnlyList<string> Rooms, JsonElement Data);
