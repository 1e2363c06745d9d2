namespace TypedSocketIo.Redis;

/// <summary>
/// A classic-flavour request in a form older adapters send and current ones still answer: a
/// SOCKETS query (type 0, the socket ids in <see cref="Rooms"/>), or a join, leave or disconnect
/// of the single socket <see cref="Sid"/> (<c>{sid, room, requestId}</c>), answered with
/// <c>{requestId}</c> by the server that holds it.
/// </summary>
internal sealed record ClassicLegacyRequest(bool IsSocketsQuery, string? Uid, string? RequestId, string? Sid, IReadOnlyList<string> Rooms);
