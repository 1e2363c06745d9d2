using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedSocketIo.Protocol;

/// <summary>
/// Where a payload's JSON holds a .NET date: the offset just past the closing quote of the ISO
/// string System.Text.Json wrote, and the instant in milliseconds since the Unix epoch. The JSON
/// parser sends the string as it is; the msgpack parser sends a date there (what a JavaScript
/// <c>Date</c> is on the msgpack wire).
/// </summary>
internal readonly record struct DateMark(long End, long UnixMilliseconds);

/// <summary>
/// The attachments of an encoded payload that also carry its <see cref="DateMark"/>s. Everything
/// that is not a date-aware parser sees a plain list of attachments.
/// </summary>
internal sealed class DatedAttachments(ReadOnlyMemory<byte>[] items, DateMark[] dates) : IReadOnlyList<ReadOnlyMemory<byte>>
{
    public DateMark[] Dates => dates;

    public ReadOnlyMemory<byte> this[int index] => items[index];

    public int Count => items.Length;

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator() => ((IEnumerable<ReadOnlyMemory<byte>>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}

/// <summary>
/// Records where dates are written while a payload is encoded (a thread's current writer only), and
/// the date converters that report them.
/// </summary>
internal static class PayloadDates
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static List<DateMark>? t_marks;

    /// <summary>Records the dates <paramref name="writer"/> writes on this thread into <paramref name="marks"/> until the scope is disposed.</summary>
    public static Scope Begin(Utf8JsonWriter writer, List<DateMark> marks)
    {
        var scope = new Scope(t_writer, t_marks);
        t_writer = writer;
        t_marks = marks;
        return scope;
    }

    /// <summary>The attachments to send: <paramref name="attachments"/>, with the dates when there are any.</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Attach(List<ReadOnlyMemory<byte>> attachments, List<DateMark> marks)
    {
        if (marks.Count > 0)
        {
            return new DatedAttachments(attachments.ToArray(), marks.ToArray());
        }

        return attachments.Count == 0 ? Array.Empty<ReadOnlyMemory<byte>>() : attachments.ToArray();
    }

    private static void Record(Utf8JsonWriter writer, long ticksSinceEpoch)
    {
        if (ReferenceEquals(writer, t_writer))
        {
            t_marks!.Add(new DateMark(writer.BytesCommitted + writer.BytesPending, Math.DivRem(ticksSinceEpoch, TimeSpan.TicksPerMillisecond, out long rest) - (rest < 0 ? 1 : 0)));
        }
    }

    /// <summary>Restores the recording in force before <see cref="Begin"/>.</summary>
    public readonly struct Scope(Utf8JsonWriter? previousWriter, List<DateMark>? previousMarks) : IDisposable
    {
        public void Dispose()
        {
            t_writer = previousWriter;
            t_marks = previousMarks;
        }
    }

    /// <summary>
    /// <see cref="DateTime"/> as System.Text.Json writes and reads it, reporting where it was written.
    /// A local time is converted to UTC for the mark; an unspecified one is taken as UTC.
    /// </summary>
    internal sealed class DateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        {
            writer.WriteStringValue(value);
            long ticks = value.Kind == DateTimeKind.Local ? value.ToUniversalTime().Ticks : value.Ticks;
            Record(writer, ticks - DateTime.UnixEpoch.Ticks);
        }
    }

    /// <summary><see cref="DateTimeOffset"/> as System.Text.Json writes and reads it, reporting where it was written.</summary>
    internal sealed class DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            writer.WriteStringValue(value);
            Record(writer, value.UtcTicks - DateTime.UnixEpoch.Ticks);
        }
    }
}
