namespace TypedSocketIo.EngineIO;

/// <summary>The Engine.IO protocol revision a client speaks (its <c>EIO</c> query parameter).</summary>
public enum EngineIOProtocol
{
    /// <summary>
    /// Revision 3 (socket.io-client 2.x, only when <c>AllowEIO3</c> is on): the client pings, payloads
    /// are length-prefixed, binary may go as base64 text.
    /// </summary>
    V3 = 3,

    /// <summary>Revision 4 (socket.io-client 3.x and 4.x): the server pings, payloads are separated by 0x1E.</summary>
    V4 = 4,
}
