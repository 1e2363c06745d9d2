using System.Buffers;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>
/// Encodes one event's (or acknowledgement's) JSON array straight from typed values: no boxing, no
/// runtime type lookups, a writer and buffer reused per thread. Used by generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SocketIoEventWriter
{
    [ThreadStatic]
    private static SocketIoEventWriter? t_cached;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly List<ReadOnlyMemory<byte>> _attachments = new();
    private readonly List<DateMark> _dates = new();
    private Utf8JsonWriter? _writer;
    private System.Text.Encodings.Web.JavaScriptEncoder? _encoder;
    private JsonSerializerOptions _options = SocketIoJson.DefaultOptions;
    private bool _inUse;

    private SocketIoEventWriter()
    {
    }

    /// <summary>The options values are written with.</summary>
    public JsonSerializerOptions Options => _options;

    /// <summary>Takes this thread's writer (or a new one) and starts the array.</summary>
    public static SocketIoEventWriter Rent(JsonSerializerOptions options)
    {
        SocketIoEventWriter writer = t_cached ?? new SocketIoEventWriter();
        t_cached = null;
        writer.Start(options);
        return writer;
    }

    private void Start(JsonSerializerOptions options)
    {
        _inUse = true;
        _options = options;
        System.Text.Encodings.Web.JavaScriptEncoder encoder = options.Encoder ?? JsonStringifyEncoder.Instance;
        _buffer.ResetWrittenCount();
        if (_writer is null || !ReferenceEquals(encoder, _encoder))
        {
            _encoder = encoder;
            _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = encoder, SkipValidation = true });
        }
        else
        {
            _writer.Reset(_buffer);
        }

        _writer.WriteStartArray();
    }

    /// <summary>Writes the event name (first item of an event).</summary>
    public void WriteName(string name) => _writer!.WriteStringValue(name);

    /// <summary>Writes one value with its type's metadata; binary values inside it become attachments.</summary>
    public void Write<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using ValueScope scope = BeginValue();
        JsonSerializer.Serialize(_writer!, value, typeInfo);
    }

    /// <summary>Writes one value by its runtime type (the untyped APIs); binary values inside it become attachments.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("Serializes by runtime type.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("Serializes by runtime type.")]
    internal void WriteObject(object? value)
    {
        using ValueScope scope = BeginValue();
        SocketIoJson.WriteValue(_writer!, value, _options);
    }

    /// <summary>While a value is written, its binary parts go to this event's attachments and its dates are noted.</summary>
    private ValueScope BeginValue() =>
        new(SocketIoJson.BeginWritingAttachments(_attachments), PayloadDates.Begin(_writer!, _dates));

    private readonly struct ValueScope(SocketIoJson.AttachmentWriteScope attachments, PayloadDates.Scope dates) : IDisposable
    {
        public void Dispose()
        {
            dates.Dispose();
            attachments.Dispose();
        }
    }

    /// <summary>Writes one binary value as an attachment.</summary>
    public void WriteBinary(ReadOnlyMemory<byte> value)
    {
        Utf8JsonWriter writer = _writer!;
        writer.WriteStartObject();
        writer.WriteBoolean("_placeholder", true);
        writer.WriteNumber("num", _attachments.Count);
        writer.WriteEndObject();
        _attachments.Add(value);
    }

    /// <summary>Writes a JSON null (a null <c>byte[]</c>).</summary>
    public void WriteNull() => _writer!.WriteNullValue();

    /// <summary>Writes <c>{"error":code,"message":message}</c>.</summary>
    public void WriteError(string code, string message)
    {
        Utf8JsonWriter writer = _writer!;
        writer.WriteStartObject();
        writer.WriteString("error", code);
        writer.WriteString("message", message);
        writer.WriteEndObject();
    }

    /// <summary>Ends the array and returns it (copied out) with its attachments; the writer goes back to this thread.</summary>
    /// <param name="name">The event name, for <see cref="EventData.Name"/> (null for an acknowledgement).</param>
    public EventData Complete(string? name)
    {
        _writer!.WriteEndArray();
        _writer.Flush();
        byte[] json = _buffer.WrittenSpan.ToArray();
        IReadOnlyList<ReadOnlyMemory<byte>> attachments = PayloadDates.Attach(_attachments, _dates);
        Return();
        return new EventData(name ?? "", json, attachments);
    }

    /// <summary>Gives the writer back without completing (after a serialization error).</summary>
    public void Return()
    {
        if (!_inUse)
        {
            return;
        }

        _inUse = false;
        _attachments.Clear();
        _dates.Clear();
        _options = SocketIoJson.DefaultOptions;
        if (_buffer.Capacity > 64 * 1024)
        {
            return; // do not keep a large buffer alive on the thread
        }

        _buffer.ResetWrittenCount();
        t_cached = this;
    }
}
