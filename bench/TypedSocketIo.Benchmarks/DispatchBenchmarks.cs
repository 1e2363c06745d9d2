using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Benchmarks;

/// <summary>
/// Receiving one event: its arguments over the packet's bytes and the event object (the same on
/// both sides, as the server's <c>Socket.OnEvent</c> builds them), then the handler. Typed: the
/// handler the generated registration (<c>socket.On.Message(m => …)</c>) added, which decodes the
/// arguments and calls the user's delegate. Untyped: a handler that reads the same arguments with
/// <c>e.Args.Get&lt;T&gt;(i)</c>. For <c>join</c>, the typed handler returns
/// <c>Task&lt;JoinResult&gt;</c> and the generated code sends it as the acknowledgement; the
/// untyped one calls <c>e.Ack(result)</c>. Setup checks that both sides consume the same
/// values and send the same acknowledgement bytes.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DispatchBenchmarks
{
    private static readonly IReadOnlyList<ReadOnlyMemory<byte>> NoAttachments = Array.Empty<ReadOnlyMemory<byte>>();

    private readonly AckRecorder _acks = new();
    private JsonSerializerOptions _options = null!;

    private byte[] _messagePacket = null!;
    private byte[] _userJoinedPacket = null!;
    private byte[] _uploadPacket = null!;
    private IReadOnlyList<ReadOnlyMemory<byte>> _uploadAttachments = null!;
    private byte[] _joinPacket = null!;

    private Func<IncomingEvent, Task> _typedMessage = null!;
    private Func<IncomingEvent, Task> _typedUserJoined = null!;
    private Func<IncomingEvent, Task> _typedUpload = null!;
    private Func<IncomingEvent, Task> _typedJoin = null!;
    private Action<IncomingEvent> _untypedMessage = null!;
    private Action<IncomingEvent> _untypedUserJoined = null!;
    private Action<IncomingEvent> _untypedUpload = null!;
    private Action<IncomingEvent> _untypedJoin = null!;

    // What the handlers consume.
    private ChatMessage? _gotMessage;
    private string? _gotName;
    private int _gotOnline;
    private byte[]? _gotContent;

    /// <summary>The serializer options both sides use (and the arguments are created with).</summary>
    [Params(JsonMode.DefaultOptions, JsonMode.JsonContext)]
    public JsonMode Json { get; set; }

    /// <summary>Builds the packets and registers both kinds of handler; checks they agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _options = Modes.Options(Json);

        // The packets as the decoder hands them over: the JSON array (a copy of its own) and, for
        // binary packets, one whole array per attachment.
        _messagePacket = Untyped.Encode("message", [Payloads.Message], _options).Json.ToArray();
        _userJoinedPacket = Untyped.Encode("user joined", [Payloads.UserName, Payloads.Online], _options).Json.ToArray();
        EventData upload = Untyped.Encode("upload", [Payloads.FileName, Payloads.Content], _options);
        _uploadPacket = upload.Json.ToArray();
        _uploadAttachments = new List<ReadOnlyMemory<byte>> { upload.Attachments[0].ToArray() };
        _joinPacket = Untyped.Encode("join", [Payloads.Room], _options).Json.ToArray();

        var target = new HandlerTarget(_options);
        if (Json == JsonMode.DefaultOptions)
        {
            var on = new Listeners<IBenchEvents>(target);
            on.Message(m => _gotMessage = m);
            on.UserJoined((name, online) =>
            {
                _gotName = name;
                _gotOnline = online;
            });
            on.Upload((name, content) =>
            {
                _gotName = name;
                _gotContent = content;
            });
            on.Join(room => Task.FromResult(Payloads.JoinAnswer(room)));
        }
        else
        {
            var on = new Listeners<IBenchContextEvents>(target);
            on.Message(m => _gotMessage = m);
            on.UserJoined((name, online) =>
            {
                _gotName = name;
                _gotOnline = online;
            });
            on.Upload((name, content) =>
            {
                _gotName = name;
                _gotContent = content;
            });
            on.Join(room => Task.FromResult(Payloads.JoinAnswer(room)));
        }

        _typedMessage = target["message"];
        _typedUserJoined = target["user joined"];
        _typedUpload = target["upload"];
        _typedJoin = target["join"];

        _untypedMessage = e => _gotMessage = e.Args.Get<ChatMessage>(0);
        _untypedUserJoined = e =>
        {
            _gotName = e.Args.Get<string>(0);
            _gotOnline = e.Args.Get<int>(1);
        };
        _untypedUpload = e =>
        {
            _gotName = e.Args.Get<string>(0);
            _gotContent = e.Args.Get<byte[]>(1);
        };
        _untypedJoin = e => e.Ack(Payloads.JoinAnswer(e.Args.Get<string>(0)));

        foreach (bool typed in new[] { true, false })
        {
            string side = typed ? "typed" : "untyped";
            Reset();
            if (typed) Message_Typed(); else Message_Untyped();
            Check.Equal($"message ({side})", Payloads.Message, _gotMessage);

            Reset();
            if (typed) UserJoined_Typed(); else UserJoined_Untyped();
            Check.Equal($"user joined name ({side})", Payloads.UserName, _gotName);
            Check.Equal($"user joined online ({side})", Payloads.Online, _gotOnline);

            Reset();
            if (typed) Upload_Typed(); else Upload_Untyped();
            Check.Equal($"upload name ({side})", Payloads.FileName, _gotName);
            Check.Equal($"upload content ({side})", Payloads.Content, _gotContent);
        }

        Join_Typed();
        (long typedId, ReadOnlyMemory<byte> typedAck, IReadOnlyList<ReadOnlyMemory<byte>> typedAttachments) = (_acks.Id, _acks.Json, _acks.Attachments);
        _acks.Json = default;
        Join_Untyped();
        Check.Equal("join ack id", typedId, _acks.Id);
        Check.SameBytes("join ack", typedAck, _acks.Json, typedAttachments, _acks.Attachments);
        Check.Equal("join ack JSON", "[{\"ok\":true,\"members\":5}]", System.Text.Encoding.UTF8.GetString(typedAck.Span));
    }

    private void Reset()
    {
        _gotMessage = null;
        _gotName = null;
        _gotOnline = 0;
        _gotContent = null;
    }

    private ReceivedEvent Receive(string name, byte[] packet, IReadOnlyList<ReadOnlyMemory<byte>> attachments, long? ackId) =>
        new(name, SocketIoArgs.FromPacketData(packet, attachments, _options, skip: 1), ackId, _acks);

    // As the server's Dispatch: a task that did not complete would be observed; none should here.
    private static void Completed(Task task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The handler did not complete synchronously.");
        }
    }

    /// <summary>Typed: one object.</summary>
    [Benchmark, BenchmarkCategory("dispatch message(ChatMessage)")]
    public void Message_Typed() => Completed(_typedMessage(Receive("message", _messagePacket, NoAttachments, null)));

    /// <summary>Untyped: one object.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("dispatch message(ChatMessage)")]
    public void Message_Untyped() => _untypedMessage(Receive("message", _messagePacket, NoAttachments, null));

    /// <summary>Typed: a string and an int.</summary>
    [Benchmark, BenchmarkCategory("dispatch user joined(string, int)")]
    public void UserJoined_Typed() => Completed(_typedUserJoined(Receive("user joined", _userJoinedPacket, NoAttachments, null)));

    /// <summary>Untyped: a string and an int.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("dispatch user joined(string, int)")]
    public void UserJoined_Untyped() => _untypedUserJoined(Receive("user joined", _userJoinedPacket, NoAttachments, null));

    /// <summary>Typed: a string and a 1 KiB attachment.</summary>
    [Benchmark, BenchmarkCategory("dispatch upload(string, byte[])")]
    public void Upload_Typed() => Completed(_typedUpload(Receive("upload", _uploadPacket, _uploadAttachments, null)));

    /// <summary>Untyped: a string and a 1 KiB attachment.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("dispatch upload(string, byte[])")]
    public void Upload_Untyped() => _untypedUpload(Receive("upload", _uploadPacket, _uploadAttachments, null));

    /// <summary>Typed: a string in, a <c>JoinResult</c> acknowledgement out.</summary>
    [Benchmark, BenchmarkCategory("dispatch join(string) + ack")]
    public void Join_Typed() => Completed(_typedJoin(Receive("join", _joinPacket, NoAttachments, Payloads.AckId)));

    /// <summary>Untyped: a string in, a <c>JoinResult</c> acknowledgement out.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("dispatch join(string) + ack")]
    public void Join_Untyped() => _untypedJoin(Receive("join", _joinPacket, NoAttachments, Payloads.AckId));
}
