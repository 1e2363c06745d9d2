using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedSocketIo.Benchmarks;

/// <summary>A small object payload.</summary>
public sealed record ChatMessage(string Room, string Author, string Text, DateTimeOffset At);

/// <summary>The answer to a join (an acknowledgement payload).</summary>
public sealed record JoinResult(bool Ok, int Members);

/// <summary>
/// The events measured, one per payload shape. Declared once and inherited by the two contracts
/// below, so the benchmarks call them through one interface whichever contract is measured.
/// </summary>
public interface IBenchEventsBase
{
    /// <summary>One object argument.</summary>
    void Message(ChatMessage message);

    /// <summary>Two primitive arguments.</summary>
    [Event("user joined")]
    void UserJoined(string name, int online);

    /// <summary>A string and a binary attachment.</summary>
    void Upload(string name, byte[] content);

    /// <summary>An event whose handler's result is the acknowledgement.</summary>
    Task<JoinResult> Join(string room);
}

/// <summary>The contract serialized with the configured options (reflection metadata, cached).</summary>
[SocketIoEvents]
public interface IBenchEvents : IBenchEventsBase;

/// <summary>The same events, serialized through <see cref="BenchJsonContext"/> (no reflection).</summary>
[SocketIoEvents(SerializerContext = typeof(BenchJsonContext))]
public interface IBenchContextEvents : IBenchEventsBase;

/// <summary>Source-generated metadata for every payload type (the untyped side needs byte[] for <c>Get&lt;byte[]&gt;</c>).</summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(JoinResult))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(byte[]))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public sealed partial class BenchJsonContext : JsonSerializerContext;
