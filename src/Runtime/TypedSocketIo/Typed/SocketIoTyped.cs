using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TypedSocketIo.Protocol;

namespace TypedSocketIo;

/// <summary>Helpers the generated emitters and dispatchers call. Not meant for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SocketIoTyped
{
    private static readonly byte[] EmptyArray = "[]"u8.ToArray();

    /// <summary>The metadata of <typeparamref name="T"/> in <paramref name="options"/>.</summary>
    /// <exception cref="NotSupportedException">The options' resolver does not know <typeparamref name="T"/>.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        JsonTypeInfo info;
        try
        {
            if (!options.IsReadOnly && options.TypeInfoResolver is not null)
            {
                // GetTypeInfo caches its metadata only for read-only options (as the first
                // serialization makes them): otherwise every typed handler, registered per socket,
                // would keep metadata of its own (about 600 bytes per parameter).
                options.MakeReadOnly();
            }

            info = options.GetTypeInfo(typeof(T));
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            throw new NotSupportedException(
                $"No JSON metadata for {typeof(T)}: name a JsonSerializerContext that includes it on the contract's [SocketIoEvents], " +
                "or configure JsonSerializerOptions with a TypeInfoResolver.", ex);
        }

        return (JsonTypeInfo<T>)info;
    }

    /// <summary>
    /// The options for a contract that names <paramref name="context"/>: its options, with the binary
    /// converters added and the context as the only resolver (no reflection).
    /// </summary>
    public static JsonSerializerOptions ContextOptions(JsonSerializerContext context)
    {
        JsonSerializerOptions options = SocketIoJson.CreateOptions(context.Options);
        options.TypeInfoResolver = context;
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Decodes the first argument of an acknowledgement as <typeparamref name="T"/>.</summary>
    public static async Task<T> ReadAck<T>(Task<SocketIoArgs> ack, JsonTypeInfo<T> typeInfo, string eventName)
    {
        SocketIoArgs args = await WithEventName(ack, eventName).ConfigureAwait(false);
        return DecodeAck(args, typeInfo, eventName);
    }

    /// <summary>Waits for an acknowledgement without payload.</summary>
    public static async Task ReadAck(Task<SocketIoArgs> ack, string eventName) => await WithEventName(ack, eventName).ConfigureAwait(false);

    /// <summary>Decodes one answer per recipient of a broadcast.</summary>
    public static async Task<IReadOnlyList<T>> ReadAcks<T>(Task<IReadOnlyList<SocketIoArgs>> acks, JsonTypeInfo<T> typeInfo, string eventName)
    {
        IReadOnlyList<SocketIoArgs> answers;
        try
        {
            answers = await acks.ConfigureAwait(false);
        }
        catch (SocketIoTimeoutException ex)
        {
            object? partial = ex.PartialResponses is IReadOnlyList<SocketIoArgs> list ? DecodeAll(list, typeInfo, eventName) : ex.PartialResponses;
            throw new SocketIoTimeoutException(eventName, partial);
        }

        return DecodeAll(answers, typeInfo, eventName);
    }

    /// <summary>
    /// Waits for every recipient of a broadcast to acknowledge; completes with how many did. On a
    /// timeout, <see cref="SocketIoTimeoutException.PartialResponses"/> is that count so far (an int).
    /// </summary>
    public static async Task<int> ReadAcks(Task<IReadOnlyList<SocketIoArgs>> acks, string eventName)
    {
        try
        {
            return (await acks.ConfigureAwait(false)).Count;
        }
        catch (SocketIoTimeoutException ex)
        {
            // As the typed result: how many acknowledged before the timeout.
            throw new SocketIoTimeoutException(eventName, ex.PartialResponses is IReadOnlyList<SocketIoArgs> partial ? partial.Count : ex.PartialResponses);
        }
    }

    private static T[] DecodeAll<T>(IReadOnlyList<SocketIoArgs> answers, JsonTypeInfo<T> typeInfo, string eventName)
    {
        var result = new T[answers.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = DecodeAck(answers[i], typeInfo, eventName);
        }

        return result;
    }

    private static async Task<SocketIoArgs> WithEventName(Task<SocketIoArgs> ack, string eventName)
    {
        try
        {
            return await ack.ConfigureAwait(false);
        }
        catch (SocketIoTimeoutException ex) when (ex.EventName is null)
        {
            throw new SocketIoTimeoutException(eventName, ex.PartialResponses);
        }
    }

    private static T DecodeAck<T>(SocketIoArgs args, JsonTypeInfo<T> typeInfo, string eventName)
    {
        try
        {
            return args.GetReader().Read(typeInfo);
        }
        catch (JsonException ex)
        {
            throw new SocketIoException($"The acknowledgement of \"{eventName}\" is not a {typeof(T).Name}: {ex.Message} (got {args})");
        }
    }

    /// <summary>Checks the argument count of <paramref name="e"/>; rejects it (and returns false) when it is not <paramref name="expected"/>.</summary>
    public static bool CheckCount(IncomingEvent e, int expected)
    {
        int count = e.Args.Count;
        if (count == expected)
        {
            return true;
        }

        e.Reject($"expected {expected} argument{(expected == 1 ? "" : "s")}, got {count}.");
        return false;
    }

    /// <summary>Rejects <paramref name="e"/> because argument <paramref name="index"/> could not be read.</summary>
    public static bool RejectArgument(IncomingEvent e, int index, string parameter, Exception error)
    {
        e.Reject($"argument {index + 1} ({parameter}) is invalid: {error.Message}");
        return false;
    }

    /// <summary>Sends an empty acknowledgement once <paramref name="handler"/> completes.</summary>
    public static Task Respond(IncomingEvent e, Task handler)
    {
        if (handler.IsCompletedSuccessfully)
        {
            e.AckRaw(EmptyArray);
            return Task.CompletedTask;
        }

        return RespondAsync(e, handler);

        static async Task RespondAsync(IncomingEvent e, Task handler)
        {
            await handler.ConfigureAwait(false);
            e.AckRaw(EmptyArray);
        }
    }

    /// <summary>Sends an empty acknowledgement once <paramref name="handler"/> completes.</summary>
    public static Task Respond(IncomingEvent e, ValueTask handler) =>
        handler.IsCompletedSuccessfully ? Respond(e, Task.CompletedTask) : Respond(e, handler.AsTask());

    /// <summary>Sends the result of <paramref name="handler"/> as the acknowledgement.</summary>
    public static Task Respond<T>(IncomingEvent e, Task<T> handler, JsonTypeInfo<T> typeInfo)
    {
        if (handler.IsCompletedSuccessfully)
        {
            Respond(e, handler.Result, typeInfo);
            return Task.CompletedTask;
        }

        return RespondAsync(e, handler, typeInfo);

        static async Task RespondAsync(IncomingEvent e, Task<T> handler, JsonTypeInfo<T> typeInfo) =>
            Respond(e, await handler.ConfigureAwait(false), typeInfo);
    }

    /// <summary>Sends the result of <paramref name="handler"/> as the acknowledgement.</summary>
    public static Task Respond<T>(IncomingEvent e, ValueTask<T> handler, JsonTypeInfo<T> typeInfo)
    {
        if (handler.IsCompletedSuccessfully)
        {
            Respond(e, handler.Result, typeInfo);
            return Task.CompletedTask;
        }

        return Respond(e, handler.AsTask(), typeInfo);
    }

    /// <summary>Sends <paramref name="value"/> as the acknowledgement.</summary>
    public static void Respond<T>(IncomingEvent e, T value, JsonTypeInfo<T> typeInfo)
    {
        if (!e.HasAck)
        {
            return;
        }

        SocketIoEventWriter writer = SocketIoEventWriter.Rent(typeInfo.Options);
        writer.Write(value, typeInfo);
        EventData data = writer.Complete(null);
        e.AckRaw(data.Json, data.Attachments);
    }

    /// <summary>Sends the binary result of <paramref name="handler"/> as the acknowledgement (an attachment).</summary>
    public static Task RespondBinary(IncomingEvent e, Task<ReadOnlyMemory<byte>> handler)
    {
        if (handler.IsCompletedSuccessfully)
        {
            RespondBinary(e, handler.Result);
            return Task.CompletedTask;
        }

        return RespondAsync(e, handler);

        static async Task RespondAsync(IncomingEvent e, Task<ReadOnlyMemory<byte>> handler) => RespondBinary(e, await handler.ConfigureAwait(false));
    }

    /// <summary>Sends <paramref name="value"/> as the acknowledgement (an attachment).</summary>
    public static void RespondBinary(IncomingEvent e, ReadOnlyMemory<byte> value)
    {
        if (!e.HasAck)
        {
            return;
        }

        SocketIoEventWriter writer = SocketIoEventWriter.Rent(SocketIoJson.DefaultOptions);
        writer.WriteBinary(value);
        EventData data = writer.Complete(null);
        e.AckRaw(data.Json, data.Attachments);
    }

    /// <summary>Decodes the first argument of an acknowledgement as binary.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAckBinary(Task<SocketIoArgs> ack, string eventName)
    {
        SocketIoArgs args = await WithEventName(ack, eventName).ConfigureAwait(false);
        try
        {
            return args.GetReader().ReadBinary();
        }
        catch (JsonException ex)
        {
            throw new SocketIoException($"The acknowledgement of \"{eventName}\" is not binary: {ex.Message} (got {args})");
        }
    }

    /// <summary>Sends the binary result of <paramref name="handler"/> as the acknowledgement (an attachment).</summary>
    public static Task RespondBinary(IncomingEvent e, Task<byte[]> handler) => RespondBinary(e, AsMemory(handler));

    /// <summary>Sends the binary result of <paramref name="handler"/> as the acknowledgement (an attachment).</summary>
    public static Task RespondBinary(IncomingEvent e, ValueTask<byte[]> handler) => RespondBinary(e, AsMemory(handler.AsTask()));

    /// <summary>Sends the binary result of <paramref name="handler"/> as the acknowledgement (an attachment).</summary>
    public static Task RespondBinary(IncomingEvent e, ValueTask<ReadOnlyMemory<byte>> handler) => RespondBinary(e, handler.AsTask());

    private static async Task<ReadOnlyMemory<byte>> AsMemory(Task<byte[]> task) => await task.ConfigureAwait(false);

    /// <summary>Decodes the first argument of an acknowledgement as a byte array.</summary>
    public static async Task<byte[]> ReadAckBytes(Task<SocketIoArgs> ack, string eventName) =>
        (await ReadAckBinary(ack, eventName).ConfigureAwait(false)).ToArray();

    /// <summary>One disposable for several registrations.</summary>
    public static IDisposable Combine(IDisposable[] registrations) => new CompositeRegistration(registrations);

    /// <summary>Sends an empty acknowledgement.</summary>
    public static void Respond(IncomingEvent e) => e.AckRaw(EmptyArray);

    private sealed class CompositeRegistration(IDisposable[] registrations) : IDisposable
    {
        private IDisposable[]? _registrations = registrations;

        public void Dispose()
        {
            IDisposable[]? registrations = Interlocked.Exchange(ref _registrations, null);
            if (registrations is null)
            {
                return;
            }

            foreach (IDisposable registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
