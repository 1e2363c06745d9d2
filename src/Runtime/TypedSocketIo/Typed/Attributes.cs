namespace TypedSocketIo;

/// <summary>
/// Marks an interface as a Socket.IO event contract: each method is an event. The generator turns
/// it into a typed emitter (the interface implemented over a socket, a broadcast or a client) and
/// typed handler registration.
/// </summary>
/// <remarks>
/// Parameters are the event's arguments (any System.Text.Json-serializable type; <c>byte[]</c> and
/// <c>ReadOnlyMemory&lt;byte&gt;</c> travel as binary attachments; a trailing
/// <see cref="System.Threading.CancellationToken"/> is not sent). The return type says whether an
/// acknowledgement is expected: <c>void</c> (none), <c>Task</c>/<c>ValueTask</c> (an empty one) or
/// <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c> (one carrying a <c>T</c>).
/// </remarks>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class SocketIoEventsAttribute : Attribute
{
    /// <summary>How method names become wire names (camelCase by default); <see cref="EventAttribute"/> overrides it per method.</summary>
    public EventNamingPolicy NamingPolicy { get; set; } = EventNamingPolicy.CamelCase;

    /// <summary>
    /// A <c>JsonSerializerContext</c> that knows every payload type: serialization then needs no
    /// reflection (trim- and AOT-safe). Without one, the options of the server or client are used.
    /// </summary>
    public Type? SerializerContext { get; set; }
}

/// <summary>Gives one event of a contract its wire name.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EventAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public EventAttribute(string name) => Name = name;

    /// <summary>The wire name, exactly as sent.</summary>
    public string Name { get; }
}

/// <summary>
/// Brings event contracts declared in another assembly (one that did not run the generator) into
/// this one: the generator writes their emitters and handler registration here.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class SocketIoContractsAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public SocketIoContractsAttribute(params Type[] contracts) => Contracts = contracts;

    /// <summary>The contract interfaces.</summary>
    public Type[] Contracts { get; }
}

/// <summary>How a contract's method names become event names on the wire.</summary>
public enum EventNamingPolicy
{
    /// <summary><c>UserJoined</c> → <c>userJoined</c> (the default).</summary>
    CamelCase = 0,

    /// <summary><c>UserJoined</c> → <c>user-joined</c>.</summary>
    KebabCase = 1,

    /// <summary><c>UserJoined</c> → <c>user_joined</c>.</summary>
    SnakeCase = 2,

    /// <summary>The method name as written.</summary>
    Exact = 3,
}
