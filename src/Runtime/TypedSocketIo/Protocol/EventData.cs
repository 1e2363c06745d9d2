namespace TypedSocketIo;

/// <summary>
/// An encoded event: its name and its data (the whole JSON array, name first, binary values as
/// placeholders) with the attachments the placeholders refer to.
/// </summary>
public readonly struct EventData
{
    /// <summary>Creates the event data.</summary>
    public EventData(string name, ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        Name = name;
        Json = json;
        Attachments = attachments;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The JSON array <c>["name", args…]</c>.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The binary attachments.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }
}
