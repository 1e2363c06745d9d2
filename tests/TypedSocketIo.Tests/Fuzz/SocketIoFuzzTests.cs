using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;
using TypedSocketIo.Testing.Fuzz;
using Xunit.Abstractions;

namespace TypedSocketIo.Tests.Fuzz;

/// <summary>
/// Fuzzing of the Socket.IO decoders (see bench/README.md, "Fuzzing"): the JSON parser's decoder fed mutated
/// messages and attachments (binary reconstruction), and the arguments of what it decodes read every way the
/// typed and untyped APIs read them. Decoding returns or throws <see cref="SocketIoParseException"/>; reading an
/// argument returns or throws <see cref="JsonException"/>; what decodes re-encodes to the same packet.
/// </summary>
public class SocketIoFuzzTests(ITestOutputHelper output)
{
    private static readonly Type[] ParseError = [typeof(SocketIoParseException)];

    private static readonly Type[] ReadError = [typeof(JsonException)];

    /// <summary>Reading arguments as .NET values builds objects per JSON token: more allocation per byte than decoding.</summary>
    private static readonly FuzzLimits ArgumentLimits = FuzzLimits.Default with { BytesPerInputByte = 200 };

    private static readonly FuzzMutator ArgumentArrays = new(
        FuzzCorpus.SocketIoPackets.Select(p => p.Text.IndexOf('[') is var i && i >= 0 ? p.Text[i..] : "").Where(t => t.Length > 0).Select(Encoding.UTF8.GetBytes).ToList(),
        FuzzCorpus.SocketIoTokens);

    [Fact]
    public void Decoder_mutated_messages_and_attachments_decode_or_fail_with_parse_error_and_reencode_to_the_same_packet()
    {
        // A fuzz target's name seeds its cases: each keeps the name it was first run under, so that its
        // cases and the replay seeds recorded for them stay the same.
        FuzzRunner.Run("Decoder_MutatedMessagesAndAttachments_DecodeOrFailWithParseError_AndReencodeToTheSamePacket", 6_000,
            c => CheckMessages(c, FuzzCorpus.MutatedSocketIoMessages(c.Random)), output.WriteLine, sweep: Truncations());
    }

    [Fact]
    public void Arguments_from_raw_JSON_are_rejected_with_JSON_exception_or_read_safely()
    {
        FuzzRunner.Run("Arguments_FromRawJson_AreRejectedWithJsonException_OrReadSafely", 6_000, c =>
        {
            byte[] json = ArgumentArrays.Next(c.Random);
            ReadOnlyMemory<byte>[] attachments = Enumerable.Range(0, c.Random.Next(3)).Select(i => (ReadOnlyMemory<byte>)new byte[] { (byte)i, 7 }).ToArray();
            int skip = c.Random.Next(2);
            c.Input($"arguments (skip {skip}, {attachments.Length} attachments)", json);
            c.Limits = ArgumentLimits;
            if (c.TryDecode("new SocketIoArgs", json.Length, () => new SocketIoArgs(json, attachments, skip: skip), out SocketIoArgs? _, ReadError))
            {
                CheckArguments(c, json, attachments, skip);
            }
        }, output.WriteLine);
    }

    // ------------------------------------------------------------ properties

    private static void CheckMessages(FuzzCase c, EnginePacket[] messages)
    {
        for (int i = 0; i < messages.Length; i++)
        {
            c.Input($"message {i} ({(messages[i].IsBinary ? "binary" : "text")})", messages[i].Data.Span);
        }

        long length = messages.Sum(m => (long)m.Data.Length);
        var packets = new List<SocketIoPacket>();
        c.TryDecode("JsonSocketIoParser decoder", length, () =>
        {
            // One decoder takes the whole sequence, as one connection's; the first error ends it (the connection closes).
            packets.Clear();
            ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
            foreach (EnginePacket message in messages)
            {
                if (decoder.Add(message) is { } packet)
                {
                    packets.Add(packet);
                }
            }
        }, ParseError);

        foreach (SocketIoPacket packet in packets)
        {
            CheckPacket(c, packet);
        }
    }

    private static void CheckPacket(FuzzCase c, SocketIoPacket packet)
    {
        c.Check(packet.Type is SocketIoPacketType.Connect or SocketIoPacketType.Disconnect or SocketIoPacketType.Event or SocketIoPacketType.Ack
            or SocketIoPacketType.ConnectError, () => $"Decoded a {packet.Type} packet: binary packets are reported as events and acks.");
        c.Check(packet.Attachments.Count <= 10, $"{packet.Attachments.Count} attachments (at most 10 by default).");
        c.Check(packet.Namespace.StartsWith('/') && !packet.Namespace.Contains(','), $"Namespace \"{packet.Namespace}\".");
        c.Check(packet.Id is null or >= 0, $"Ack id {packet.Id}.");

        // Re-encoded, it decodes to the same packet.
        EnginePacket[] messages = JsonSocketIoParser.Instance.Encode(packet);
        ISocketIoDecoder decoder = JsonSocketIoParser.Instance.CreateDecoder();
        SocketIoPacket? again = null;
        foreach (EnginePacket message in messages)
        {
            again = decoder.Add(message);
        }

        c.Check(again is not null && again.Type == packet.Type && again.Namespace == packet.Namespace && again.Id == packet.Id
            && again.Data.Span.SequenceEqual(packet.Data.Span) && again.Attachments.Count == packet.Attachments.Count
            && again.Attachments.Zip(packet.Attachments).All(p => p.First.Span.SequenceEqual(p.Second.Span)),
            () => $"{packet} re-encoded as [{string.Join(", ", messages)}] decodes to {again}.");

        if (packet.Type is SocketIoPacketType.Event or SocketIoPacketType.Ack)
        {
            int skip = packet.Type == SocketIoPacketType.Event ? 1 : 0;
            if (skip == 1)
            {
                c.TryDecode("SocketIoJson.ReadEventName", packet.Data.Length, () => SocketIoJson.ReadEventName(packet.Data.Span), out string? name);
                c.Check(name is not null, "No event name.");
                c.Check(packet.EventName == name, () => $"The decoder read the name \"{packet.EventName}\", the data holds \"{name}\".");
            }

            // What the decoder saw while validating is what a second look at the data finds.
            int counted = new SocketIoPacket(packet.Type, packet.Namespace, packet.Id, packet.Data, packet.Attachments).ArgumentCount;
            c.Check(packet.ArgumentCount == counted, () => $"The decoder counted {packet.ArgumentCount} arguments, the data holds {counted}.");

            FuzzLimits limits = c.Limits;
            c.Limits = ArgumentLimits;
            CheckArguments(c, packet.Data, packet.Attachments, skip);
            c.Limits = limits;
        }
    }

    /// <summary>The ways arguments are read: each one returns or throws <see cref="JsonException"/>.</summary>
    private static readonly (string Name, Func<SocketIoArgs, int, object?> Read, Type[] Documented)[] Readers =
    [
        ("Reader.Skip", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => { r.Skip(); return null; }), ReadError),
        ("Reader.ReadBinary", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.ReadBinary()), ReadError),
        ("Reader.ReadBytes", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.ReadBytes()), ReadError),
        ("Reader.Read<JsonElement>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<JsonElement>())), ReadError),
        ("Reader.Read<string>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<string>())), ReadError),
        ("Reader.Read<long>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<long>())), ReadError),
        ("Reader.Read<int?>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<int?>())), ReadError),
        ("Reader.Read<double>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<double>())), ReadError),
        ("Reader.Read<decimal>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<decimal>())), ReadError),
        ("Reader.Read<bool>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<bool>())), ReadError),
        ("Reader.Read<byte[]>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<byte[]>())), ReadError),
        ("Reader.Read<ReadOnlyMemory<byte>>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<ReadOnlyMemory<byte>>())), ReadError),
        ("Reader.Read<List<int>>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<List<int>>())), ReadError),
        ("Reader.Read<Dictionary<string,JsonElement>>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<Dictionary<string, JsonElement>>())), ReadError),
        ("Reader.Read<Photo>", (a, i) => ReadAt(a, i, (ref SocketIoArgs.Reader r) => r.Read(Info<Photo>())), ReadError),
        ("Get<Photo>", (a, i) => a.Get<Photo>(i), ReadError),
        ("Get<object>", (a, i) => a.Get<object>(i), ReadError),
        ("GetBytes", (a, i) => a.GetBytes(i), ReadError),
        // JsonElement.GetString: InvalidOperationException for a value that is not a string (or not one .NET can hold).
        ("GetString", (a, i) => a.GetString(i), [typeof(InvalidOperationException)]),
        ("IsBinary", (a, i) => a.IsBinary(i), []),
    ];

    public sealed record Photo(string Caption, byte[] Data, int Size);

    private static void CheckArguments(FuzzCase c, ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, int skip)
    {
        SocketIoArgs Fresh() => SocketIoArgs.FromPacketData(json, attachments, skip: skip);

        c.TryDecode("SocketIoArgs.Count", json.Length, () => Fresh().Count, out int count);
        c.TryDecode("SocketIoArgs.ToValues", json.Length, () => Fresh().ToValues(), out object?[]? values, ReadError);
        c.Check(values is null || values.Length == count, $"ToValues gave {values?.Length} values, Count is {count}.");
        c.TryDecode("SocketIoArgs.ToString", json.Length, () => Fresh().ToString(), out string? _);

        // Every argument (the first 16) read one random way, from a fresh reader each time.
        for (int index = 0; index < Math.Min(count, 16); index++)
        {
            (string name, Func<SocketIoArgs, int, object?> read, Type[] documented) = Readers[c.Random.Next(Readers.Length)];
            int at = index;
            c.TryDecode($"SocketIoArgs.{name}({at})", json.Length, () => read(Fresh(), at), out object? _, documented);
        }

        // Past the last argument, the reader says so.
        c.TryDecode($"SocketIoArgs.Reader.Skip past the end ({count})", json.Length, () => ReadAt(Fresh(), count, (ref SocketIoArgs.Reader r) =>
        {
            r.Skip();
            return null;
        }), out object? _, ReadError);
    }

    private delegate object? ReaderStep(ref SocketIoArgs.Reader reader);

    private static object? ReadAt(SocketIoArgs args, int index, ReaderStep step)
    {
        SocketIoArgs.Reader reader = args.GetReader();
        for (int i = 0; i < index; i++)
        {
            reader.Skip();
        }

        return step(ref reader);
    }

    private static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)SocketIoJson.DefaultOptions.GetTypeInfo(typeof(T));

    // ------------------------------------------------------------ inputs

    /// <summary>Every seed packet with its text truncated at every offset, followed by its attachments.</summary>
    private static IEnumerable<(string, Action<FuzzCase>)> Truncations()
    {
        for (int s = 0; s < FuzzCorpus.SocketIoMessages.Count; s++)
        {
            EnginePacket[] seed = FuzzCorpus.SocketIoMessages[s];
            byte[] text = seed[0].Data.ToArray();
            for (int length = text.Length; length >= 0; length--)
            {
                EnginePacket[] messages = [new EnginePacket(EnginePacketType.Message, text[..length]), .. seed.Skip(1)];
                yield return ($"Socket.IO seed {s} truncated to {length} of {text.Length} bytes", c => CheckMessages(c, messages));
            }
        }
    }
}
