using System.Text.Json;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server;

/// <summary>Middleware chains and event packets, shared by namespaces, sockets and broadcasts.</summary>
internal static class Pipeline
{
    /// <summary>
    /// Runs <paramref name="middleware"/> in order around <paramref name="context"/>; true when the
    /// last one called next (the chain was not stopped). Exceptions propagate.
    /// </summary>
    public static async Task<bool> RunAsync<T>(T context, Func<T, Func<Task>, Task>[] middleware)
    {
        bool reached = false;
        Func<Task> next = () =>
        {
            reached = true;
            return Task.CompletedTask;
        };
        for (int i = middleware.Length - 1; i >= 0; i--)
        {
            Func<T, Func<Task>, Task> current = middleware[i];
            Func<Task> inner = next;
            next = () => current(context, inner);
        }

        await next().ConfigureAwait(false);
        return reached;
    }

    /// <summary>Encodes <paramref name="eventName"/> with <paramref name="args"/> (binary as attachments).</summary>
    public static EventData Encode(string eventName, object?[] args, JsonSerializerOptions options)
    {
        JsonSocketIoParser.ThrowIfReserved(eventName);
#pragma warning disable IL2026, IL3050 // the untyped API serializes by runtime type; the options may name a context
        return SocketIoJson.Encode(eventName, args, options);
#pragma warning restore IL2026, IL3050
    }

    /// <summary>An EVENT packet of <paramref name="data"/> for namespace <paramref name="nsp"/>.</summary>
    public static SocketIoPacket EventPacket(string nsp, in EventData data, long? id)
    {
        JsonSocketIoParser.ThrowIfReserved(data.Name);
        return new SocketIoPacket(SocketIoPacketType.Event, nsp, id, data.Json, data.Attachments, data.Name, -1);
    }
}
