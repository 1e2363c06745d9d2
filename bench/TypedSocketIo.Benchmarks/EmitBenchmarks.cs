using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace TypedSocketIo.Benchmarks;

/// <summary>
/// Encoding one event: the generated emitter (<c>socket.Emit.Message(m)</c>) against what the
/// untyped <c>socket.Emit("message", m)</c> does (<c>Pipeline.Encode</c>). Both hand the same
/// <see cref="EventData"/> (checked byte for byte in setup) to the same place; the socket's own
/// sending, which both paths share, is left out.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class EmitBenchmarks
{
    private KeepLastTarget _target = null!;
    private IBenchEventsBase _emit = null!;
    private JsonSerializerOptions _options = null!;
    private ChatMessage _message = null!;
    private string _userName = null!;
    private string _fileName = null!;
    private byte[] _content = null!;

    /// <summary>The serializer options both sides use.</summary>
    [Params(JsonMode.DefaultOptions, JsonMode.JsonContext)]
    public JsonMode Json { get; set; }

    /// <summary>Builds the emitter and checks that both sides produce the same bytes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _options = Modes.Options(Json);
        _target = new KeepLastTarget(_options);
        _emit = Json == JsonMode.DefaultOptions
            ? SocketIoContract<IBenchEvents>.CreateEmitter(_target)
            : SocketIoContract<IBenchContextEvents>.CreateEmitter(_target);
        _message = Payloads.Message;
        _userName = Payloads.UserName;
        _fileName = Payloads.FileName;
        _content = Payloads.Content;

        Message_Typed();
        EventData typed = _target.Last;
        Message_Untyped();
        Check.SameEvent("message", typed, _target.Last);

        UserJoined_Typed();
        typed = _target.Last;
        UserJoined_Untyped();
        Check.SameEvent("user joined", typed, _target.Last);

        Upload_Typed();
        typed = _target.Last;
        Upload_Untyped();
        Check.SameEvent("upload", typed, _target.Last);
    }

    /// <summary>Generated emitter: one object.</summary>
    [Benchmark, BenchmarkCategory("emit message(ChatMessage)")]
    public void Message_Typed() => _emit.Message(_message);

    /// <summary>Untyped: one object.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("emit message(ChatMessage)")]
    public void Message_Untyped() => _target.Last = Untyped.Encode("message", new object?[] { _message }, _options);

    /// <summary>Generated emitter: a string and an int.</summary>
    [Benchmark, BenchmarkCategory("emit user joined(string, int)")]
    public void UserJoined_Typed() => _emit.UserJoined(_userName, Payloads.Online);

    /// <summary>Untyped: a string and an int (boxed, as <c>params object[]</c> boxes it).</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("emit user joined(string, int)")]
    public void UserJoined_Untyped() => _target.Last = Untyped.Encode("user joined", new object?[] { _userName, Payloads.Online }, _options);

    /// <summary>Generated emitter: a string and a 1 KiB attachment.</summary>
    [Benchmark, BenchmarkCategory("emit upload(string, byte[])")]
    public void Upload_Typed() => _emit.Upload(_fileName, _content);

    /// <summary>Untyped: a string and a 1 KiB attachment.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("emit upload(string, byte[])")]
    public void Upload_Untyped() => _target.Last = Untyped.Encode("upload", new object?[] { _fileName, _content }, _options);
}
