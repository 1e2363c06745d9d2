using System.Text.Json;

namespace TypedSocketIo;

/// <summary>Where generated handler registration adds its handlers: a server socket or a client socket.</summary>
public interface ISocketIoListenTarget
{
    /// <summary>The serializer options of the server or client, for contracts that name no serializer context.</summary>
    JsonSerializerOptions JsonOptions { get; }

    /// <summary>
    /// Adds a handler for <paramref name="eventName"/>; dispose the result to remove it. A handler
    /// that throws or whose task fails is logged; the connection stays up.
    /// </summary>
    IDisposable On(string eventName, Func<IncomingEvent, Task> handler);

    /// <summary>
    /// Adds <paramref name="handler"/> for <paramref name="eventName"/>, as
    /// <see cref="On(string, Func{IncomingEvent, Task})"/> does; the sockets keep the handler
    /// object itself, with no delegate around it.
    /// </summary>
    IDisposable On(string eventName, IncomingEventHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On(eventName, handler.HandleAsync);
    }
}
