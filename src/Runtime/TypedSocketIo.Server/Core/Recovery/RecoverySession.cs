namespace TypedSocketIo.Server;

/// <summary>
/// What an adapter keeps of a socket that left for a reason that allows recovery (the reference's
/// <c>Session</c>): its public id, its private session id, its rooms (its own id included) and its data.
/// </summary>
/// <param name="Sid">The socket id, given back to the recovered socket.</param>
/// <param name="Pid">The private session id the client presents to recover (never shown to others).</param>
/// <param name="Rooms">The rooms the socket was in.</param>
/// <param name="Data">The socket's <see cref="Socket.Data"/> (across servers, as a JSON element).</param>
public sealed record RecoverySession(string Sid, string Pid, IReadOnlyList<string> Rooms, object? Data);
