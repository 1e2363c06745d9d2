// One source for the names that the runtime, the source generator and the analyzers must agree on.
// Compiled into each of them (a linked file): the generator and the analyzers run inside the
// compiler and cannot reference the runtime.
namespace TypedSocketIo;

/// <summary>Names the runtime, the generator and the analyzers share.</summary>
internal static class SocketIoNames
{
    /// <summary>The metadata name of the attribute that marks a contract interface.</summary>
    public const string SocketIoEventsAttribute = "TypedSocketIo.SocketIoEventsAttribute";

    /// <summary>The metadata name of the assembly attribute that imports contracts declared elsewhere.</summary>
    public const string SocketIoContractsAttribute = "TypedSocketIo.SocketIoContractsAttribute";

    /// <summary>The metadata name of the attribute that gives an event its wire name.</summary>
    public const string EventAttribute = "TypedSocketIo.EventAttribute";

    /// <summary>The event names Socket.IO keeps for itself (the reference's RESERVED_EVENTS).</summary>
    public static readonly string[] ReservedEvents =
    [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ];
}
