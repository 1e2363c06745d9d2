using System.Text.Json;
using TypedSocketIo.Protocol;
using TypedSocketIo.Server;

namespace TypedSocketIo.Benchmarks;

/// <summary>Which serializer options both sides use.</summary>
public enum JsonMode
{
    /// <summary><see cref="SocketIoJson.DefaultOptions"/>: web defaults, reflection metadata (cached after the first use).</summary>
    DefaultOptions,

    /// <summary>The options of <see cref="BenchJsonContext"/> as the generated code builds them (<c>SocketIoTyped.ContextOptions</c>).</summary>
    JsonContext,
}

/// <summary>The options and contract of one <see cref="JsonMode"/>.</summary>
internal static class Modes
{
    public static JsonSerializerOptions Options(JsonMode mode) => mode switch
    {
        JsonMode.DefaultOptions => SocketIoJson.DefaultOptions,

        // The very instance the generated code of IBenchContextEvents serializes with (it ignores
        // the configured options it is given), so both sides share one metadata cache.
        _ => BenchContextEventsSocketIo.Options(SocketIoJson.DefaultOptions),
    };
}

/// <summary>
/// The untyped API's own encoder, internal to the server: <c>socket.Emit(name, params object[])</c>
/// encodes with <c>Pipeline.Encode</c>. (The untyped acknowledgement is public: <c>e.Ack(…)</c>.)
/// </summary>
internal static class Untyped
{
    /// <summary><c>Pipeline.Encode</c>: reserved-name check, then <c>SocketIoJson.Encode</c>.</summary>
    public static EventData Encode(string eventName, object?[] args, JsonSerializerOptions options) =>
        Pipeline.Encode(eventName, args, options);
}

/// <summary>An emit target that keeps the last event it was given (what a socket would send).</summary>
public sealed class KeepLastTarget(JsonSerializerOptions options) : ISocketIoEmitTarget
{
    /// <summary>The last event emitted.</summary>
    public EventData Last;

    /// <inheritdoc />
    public JsonSerializerOptions JsonOptions => options;

    /// <inheritdoc />
    public bool Emit(in EventData data)
    {
        Last = data;
        return true;
    }

    /// <inheritdoc />
    public Task<SocketIoArgs> EmitWithAck(in EventData data, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The benchmarks emit no event that expects an acknowledgement.");
}

/// <summary>A listen target that keeps the handler the generated registration adds, by event name.</summary>
public sealed class HandlerTarget(JsonSerializerOptions options) : ISocketIoListenTarget
{
    private readonly Dictionary<string, Func<IncomingEvent, Task>> _handlers = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public JsonSerializerOptions JsonOptions => options;

    /// <summary>The handler added for <paramref name="eventName"/>.</summary>
    public Func<IncomingEvent, Task> this[string eventName] => _handlers[eventName];

    /// <inheritdoc />
    public IDisposable On(string eventName, Func<IncomingEvent, Task> handler)
    {
        _handlers.Add(eventName, handler);
        return new Removal(this, eventName);
    }

    private sealed class Removal(HandlerTarget target, string eventName) : IDisposable
    {
        public void Dispose() => target._handlers.Remove(eventName);
    }
}

/// <summary>Where <see cref="ReceivedEvent"/> records the acknowledgement it sends.</summary>
public sealed class AckRecorder
{
    /// <summary>The ack id of the last acknowledgement.</summary>
    public long Id;

    /// <summary>Its JSON array.</summary>
    public ReadOnlyMemory<byte> Json;

    /// <summary>Its attachments.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments = Array.Empty<ReadOnlyMemory<byte>>();
}

/// <summary>
/// A received event as the server's <c>SocketIoEvent</c> is, minus the socket: never aborted, and
/// its acknowledgement is recorded instead of sent.
/// </summary>
public sealed class ReceivedEvent(string name, SocketIoArgs args, long? ackId, AckRecorder acks) : IncomingEvent(name, args, ackId)
{
    /// <inheritdoc />
    public override CancellationToken Aborted => CancellationToken.None;

    /// <inheritdoc />
    protected override bool SendAck(long id, ReadOnlyMemory<byte> jsonArray, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        acks.Id = id;
        acks.Json = jsonArray;
        acks.Attachments = attachments;
        return true;
    }

    /// <inheritdoc />
    protected override void LogRejected(string reason) => throw new InvalidOperationException($"\"{Name}\" rejected: {reason}");
}

/// <summary>The values the benchmarks send and expect.</summary>
internal static class Payloads
{
    public static readonly ChatMessage Message = new("lobby", "alice", "Hello, everyone! The build is green again.", new DateTimeOffset(2026, 11, 22, 7, 5, 0, TimeSpan.Zero));

    public const string UserName = "bob";

    public const int Online = 42;

    public const string FileName = "report.bin";

    /// <summary>The attachment: 1 KiB.</summary>
    public static readonly byte[] Content = CreateContent(1024);

    public const string Room = "lobby";

    public const long AckId = 7;

    public static JoinResult JoinAnswer(string room) => new(true, room.Length);

    private static byte[] CreateContent(int length)
    {
        var bytes = new byte[length];
        new Random(1).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Checks made once in setup, so that both sides of every comparison do the same work.</summary>
internal static class Check
{
    public static void SameEvent(string what, in EventData typed, in EventData untyped)
    {
        if (typed.Name != untyped.Name)
        {
            throw new InvalidOperationException($"{what}: names differ: typed \"{typed.Name}\", untyped \"{untyped.Name}\".");
        }

        SameBytes(what, typed.Json, untyped.Json, typed.Attachments, untyped.Attachments);
    }

    public static void SameBytes(string what, ReadOnlyMemory<byte> typed, ReadOnlyMemory<byte> untyped, IReadOnlyList<ReadOnlyMemory<byte>> typedAttachments, IReadOnlyList<ReadOnlyMemory<byte>> untypedAttachments)
    {
        if (!typed.Span.SequenceEqual(untyped.Span))
        {
            throw new InvalidOperationException(
                $"{what}: JSON differs: typed {System.Text.Encoding.UTF8.GetString(typed.Span)}, untyped {System.Text.Encoding.UTF8.GetString(untyped.Span)}.");
        }

        if (typedAttachments.Count != untypedAttachments.Count)
        {
            throw new InvalidOperationException($"{what}: {typedAttachments.Count} attachments typed, {untypedAttachments.Count} untyped.");
        }

        for (int i = 0; i < typedAttachments.Count; i++)
        {
            if (!typedAttachments[i].Span.SequenceEqual(untypedAttachments[i].Span))
            {
                throw new InvalidOperationException($"{what}: attachment {i} differs.");
            }
        }
    }

    public static void Equal<T>(string what, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"{what}: expected {expected}, got {actual}.");
        }
    }

    public static void Equal(string what, byte[] expected, byte[]? actual)
    {
        if (actual is null || !expected.AsSpan().SequenceEqual(actual))
        {
            throw new InvalidOperationException($"{what}: the bytes differ.");
        }
    }
}
