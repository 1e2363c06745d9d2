using System.Text.Json.Serialization;

namespace TypedSocketIo.TestContracts;

/// <summary>A chat message.</summary>
public sealed record ChatMessage(string Room, string Author, string Text, DateTimeOffset At);

/// <summary>The answer to a join.</summary>
public sealed record JoinResult(bool Ok, int Members, string? Error = null);

/// <summary>A file with its content, binary inside an object.</summary>
public sealed record FileBlob(string Name, byte[] Content);

/// <summary>A page of items (generic payload).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

/// <summary>What clients send to the server.</summary>
[SocketIoEvents]
public interface IClientEvents : IClientBasics
{
    Task<JoinResult> Join(string room);

    void Message(ChatMessage message);

    [Event("upload file")]
    Task<int> Upload(string name, byte[] content, ReadOnlyMemory<byte> checksum);

    Task<Page<ChatMessage>> History(string room, int page, CancellationToken cancellationToken);

    ValueTask Ping();

    Task<byte[]> Echo(byte[] data);
}

/// <summary>Inherited events.</summary>
public interface IClientBasics
{
    void Typing(bool isTyping);
}

/// <summary>What the server sends to clients.</summary>
[SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
public interface IServerEvents
{
    void NewMessage(ChatMessage message);

    [Event("user joined")]
    void UserJoined(string name, int online);

    Task<bool> ConfirmRead(Guid messageId);

    void FileReady(FileBlob file, byte[] raw);

    ValueTask<string> AskName(CancellationToken cancellationToken);

    Task Notice(string text);
}

/// <summary>Payloads serialized without reflection.</summary>
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(JoinResult))]
[JsonSerializable(typeof(FileBlob))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
public sealed partial class StrictJsonContext : JsonSerializerContext;

/// <summary>A contract whose payloads go through <see cref="StrictJsonContext"/>.</summary>
[SocketIoEvents(SerializerContext = typeof(StrictJsonContext), NamingPolicy = EventNamingPolicy.SnakeCase)]
public interface IStrictEvents
{
    Task<JoinResult> JoinRoom(string room);

    void SendMessage(ChatMessage message);

    void SendFile(FileBlob file);

    Task<int> CountUp(int value);
}
