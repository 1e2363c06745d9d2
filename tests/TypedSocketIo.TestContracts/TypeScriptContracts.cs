using System.Text.Json.Serialization;

namespace TypedSocketIo.TestContracts.TypeScript;

/// <summary>An enum written as a number (the default).</summary>
public enum Shade
{
    Light,
    Dark,
}

/// <summary>An enum written as its names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Priority
{
    Low,
    High,
}

/// <summary>A record with every common kind of property: nullable, enum, date, list, dictionary, binary, renamed.</summary>
public sealed record Note(
    string Title,
    string? Body,
    Priority Priority,
    Shade Shade,
    DateTimeOffset At,
    IReadOnlyList<string> Tags,
    Dictionary<string, int> Counts,
    byte[] Attachment,
    [property: JsonPropertyName("note_id")] Guid Id);

/// <summary>A base class: derived payloads extend its declaration.</summary>
public class Shape
{
    public string Kind { get; set; } = "";
}

/// <summary>A derived class.</summary>
public sealed class Circle : Shape
{
    public double Radius { get; set; }
}

/// <summary>A polymorphic payload: "$type" says which figure it is.</summary>
[JsonDerivedType(typeof(Square), "square")]
[JsonDerivedType(typeof(Disc), "disc")]
public abstract record Figure(string Name);

/// <summary>A figure.</summary>
public sealed record Square(string Name, double Side) : Figure(Name);

/// <summary>A figure.</summary>
public sealed record Disc(string Name, double Radius) : Figure(Name);

/// <summary>A generic payload.</summary>
public sealed record Batch<T>(IReadOnlyList<T> Items, int Total);

/// <summary>What a TypeScript client sends to a .NET server (the TypeScript declarations' end-to-end test).</summary>
[SocketIoEvents]
public interface ITsClientEvents
{
    /// <summary>The server answers with the note, its title in capitals and its attachment reversed.</summary>
    Task<Note> Save(Note note);

    Task<int> Sum(int[] values, int? bonus);

    Task<byte[]> Reverse(byte[] data, ReadOnlyMemory<byte> suffix);

    Task<Batch<Circle>> Circles(int count);

    /// <summary>The server answers with the same kind of figure, twice as large.</summary>
    Task<Figure> Grow(Figure figure);

    /// <summary>The server greets back, then asks the client its name (an emit expecting an ack).</summary>
    [Event("say hello")]
    void SayHello(string name);

    Task Touch();
}

/// <summary>What a .NET server sends to a TypeScript client.</summary>
[SocketIoEvents(NamingPolicy = EventNamingPolicy.KebabCase)]
public interface ITsServerEvents
{
    void Greeted(string greeting, Shade shade);

    Task<string> AskName(Priority priority);

    void NoteSaved(Note note);
}
