using System.Text.Json;
using System.Text.Json.Serialization;
using TypedSocketIo;

namespace Chat.Contracts;

/// <summary>What a chat client sends to the server (namespace <c>/chat</c>).</summary>
/// <remarks>Wire names are camelCase: <c>join</c>, <c>sendMessage</c>, <c>typing</c>.</remarks>
[SocketIoEvents(SerializerContext = typeof(ChatJsonContext))]
public interface IChatClientEvents
{
    /// <summary>Leaves the current room (if any) and joins <paramref name="room"/>; the ack says who is there.</summary>
    Task<JoinResult> Join(string room);

    /// <summary>Sends a message to the current room; the ack carries the message id and the server time.</summary>
    Task<SendResult> SendMessage(string text);

    /// <summary>Starts or stops the typing indicator shown to the rest of the room.</summary>
    void Typing(bool isTyping);
}

/// <summary>What the server sends to chat clients.</summary>
/// <remarks>Wire names are camelCase: <c>message</c>, <c>userJoined</c>, <c>userLeft</c>, <c>typing</c>.</remarks>
[SocketIoEvents(SerializerContext = typeof(ChatJsonContext))]
public interface IChatServerEvents
{
    /// <summary>A message from someone else in the room.</summary>
    void Message(ChatMessage message);

    /// <summary><paramref name="name"/> joined <paramref name="room"/>, which now holds <paramref name="online"/> users.</summary>
    void UserJoined(string name, string room, int online);

    /// <summary><paramref name="name"/> left <paramref name="room"/>, which now holds <paramref name="online"/> users.</summary>
    void UserLeft(string name, string room, int online);

    /// <summary><paramref name="name"/> started or stopped typing (sent volatile: may be dropped).</summary>
    void Typing(string name, bool isTyping);
}

/// <summary>A chat message as the room sees it.</summary>
public sealed record ChatMessage(string Id, string Room, string From, string Text, DateTimeOffset At);

/// <summary>The answer to <see cref="IChatClientEvents.Join"/>.</summary>
public sealed record JoinResult(bool Ok, string Room, string[] Users, string? Error = null);

/// <summary>The answer to <see cref="IChatClientEvents.SendMessage"/>: the message's id and when the server took it.</summary>
public sealed record SendResult(bool Ok, string? Id, DateTimeOffset At, string? Error = null);

/// <summary>Why the server refused a connection (the data of the client's <c>connect_error</c>).</summary>
public sealed record ChatRefusal(string Code, string Hint);

/// <summary>
/// Serialization of every chat payload, the handshake's auth and a refusal's data, with no
/// reflection (trim- and AOT-safe): the server and the .NET client name it as their resolver.
/// </summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(JoinResult))]
[JsonSerializable(typeof(SendResult))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(ChatRefusal))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
public partial class ChatJsonContext : JsonSerializerContext;
