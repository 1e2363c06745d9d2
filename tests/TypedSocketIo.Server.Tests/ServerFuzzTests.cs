using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;
using TypedSocketIo.Testing.Fuzz;
using Xunit.Abstractions;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// Fuzzing of a real in-process Socket.IO server (see bench/README.md, "Fuzzing"): mutated Engine.IO and Socket.IO
/// frames over WebSocket and long-polling POSTs (protocols 3 and 4), and random handshake query strings. Only the
/// offending connection closes: a healthy client on the same server keeps receiving broadcasts, every fuzzing
/// session ends and is removed, no response is a 500 or shows an exception message, and nothing is logged at Error.
/// They run alone, so that their load does not skew the timing of other tests.
/// </summary>
[Collection(nameof(ServerFuzzTests))]
public sealed class ServerFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Every body our server answers an Engine.IO request with, besides payloads: no exception text.</summary>
    private static readonly Regex KnownErrorBody = new(
        "^$|^ok$|^\\{\"code\":[0-5],\"message\":\"(Transport unknown|Session ID unknown|Bad handshake method|Bad request|Forbidden|Unsupported protocol version)\"\\}$",
        RegexOptions.Compiled);

    [Fact]
    public async Task Mutated_frames_over_WebSocket_and_polling_close_at_most_their_own_connection()
    {
        var log = new ErrorLog();
        await using SocketIoTestHost host = await StartAsync(log);
        await using HealthyClient healthy = await HealthyClient.ConnectAsync(host);
        await healthy.AssertErrorsAreCapturedAsync(log);
        var closeReasons = new ConcurrentDictionary<string, int>();
        host.Io.Engine.Connection += session => session.Closed += (_, reason, _) => closeReasons.AddOrUpdate(reason, 1, (_, n) => n + 1);
        int tick = 0;

        // A fuzz target's name seeds its cases: each keeps the name it was first run under, so that its

        // cases and the replay seeds recorded for them stay the same.

        await FuzzRunner.RunAsync("MutatedFrames_OverWebSocketAndPolling_CloseAtMostTheirOwnConnection", 300, async c =>
        {
            int errorsBefore = log.Errors.Count;
            EngineIOProtocol protocol = c.Random.Next(3) == 0 ? EngineIOProtocol.V3 : EngineIOProtocol.V4;
            string? sid = c.Random.Next(2) == 0
                ? await FuzzWebSocketAsync(c, host, protocol)
                : await FuzzPollingAsync(c, host, protocol);

            // The fuzzing session ends (we closed it, or the server did), and the server forgets it.
            if (sid is not null)
            {
                await Wait.UntilAsync(() => !host.Io.Engine.TryGetSession(sid, out _), TimeSpan.FromSeconds(10));
            }

            // The healthy client is untouched: it receives a broadcast.
            tick++;
            host.Io.Emit("tick", tick);
            await healthy.ExpectTickAsync(tick);

            IReadOnlyList<string> errors = log.Errors;
            c.Check(errors.Count == errorsBefore, "Logged at Error level:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Skip(errorsBefore)));
        }, CaseTimeout, output.WriteLine);

        output.WriteLine($"Events handled: {log.Events}. Sessions closed: " + string.Join(", ", closeReasons.OrderByDescending(r => r.Value).Select(r => $"{r.Value} by {r.Key}")));
        await AssertOnlyTheHealthyClientRemainsAsync(host, log);
    }

    [Fact]
    public async Task Random_handshake_query_strings_never_yield_a_500_nor_an_exception_message()
    {
        var log = new ErrorLog();
        await using SocketIoTestHost host = await StartAsync(log);
        await using HealthyClient healthy = await HealthyClient.ConnectAsync(host);
        await healthy.AssertErrorsAreCapturedAsync(log);
        using var polling = new RawPolling(q => new Uri(host.BaseUri, "/socket.io/?" + q));
        var statuses = new ConcurrentDictionary<int, int>();
        int tick = 0;

        await FuzzRunner.RunAsync("RandomHandshakeQueryStrings_NeverYieldA500_NorAnExceptionMessage", 300, async c =>
        {
            int errorsBefore = log.Errors.Count;
            string? liveSid = null;
            if (c.Random.Next(8) == 0)
            {
                // Sometimes the query names a session that exists.
                (liveSid, _) = await polling.HandshakeAsync("EIO=4&transport=polling");
            }

            bool webSocket = c.Random.Next(4) == 0;
            bool post = !webSocket && c.Random.Next(5) == 0;
            byte[] query = RandomQuery(c.Random, liveSid, webSocket);
            c.Input($"{(webSocket ? "WebSocket upgrade" : post ? "POST" : "GET")} query", query);

            RawHttpResponse response = await RawHttp.SendAsync(host.BaseUri, post ? "POST" : "GET", query, webSocket,
                post ? "40"u8.ToArray() : null, pendingIsFine: liveSid is not null);
            c.Input("response", $"{response.Status} {response.Body}");
            statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
            c.Check(response.Status is 0 or 101 or 200 or 400, $"HTTP {response.Status}: {response.Body}");
            c.Check(response.Status is 0 or 101 or 200 || KnownErrorBody.IsMatch(response.Body) || webSocket && KnownMessage(response.Body),
                $"Unexpected error body: {response.Body}");

            // A handshake that succeeded opened a session: close it.
            if (response.Status == 200 && RawPolling.SidPattern.Match(response.Body) is { Success: true } match)
            {
                string newSid = match.Groups[1].Value;
                string eio = Regex.Match(response.Body, "^[0-9]+:").Success ? "3" : "4";
                await polling.PostAsync($"EIO={eio}&transport=polling&sid={Uri.EscapeDataString(newSid)}", eio == "3" ? "1:1" : "1");
                await Wait.UntilAsync(() => !host.Io.Engine.TryGetSession(newSid, out _), TimeSpan.FromSeconds(10));
            }

            if (liveSid is not null && host.Io.Engine.TryGetSession(liveSid, out _))
            {
                await polling.PostAsync($"EIO=4&transport=polling&sid={liveSid}", "1");
            }

            tick++;
            host.Io.Emit("tick", tick);
            await healthy.ExpectTickAsync(tick);
            IReadOnlyList<string> errors = log.Errors;
            c.Check(errors.Count == errorsBefore, "Logged at Error level:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Skip(errorsBefore)));
        }, CaseTimeout, output.WriteLine);

        output.WriteLine("HTTP statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {(s.Key == 0 ? "pending" : s.Key)}")));
        await AssertOnlyTheHealthyClientRemainsAsync(host, log);
    }

    // ------------------------------------------------------------ the server

    private static Task<SocketIoTestHost> StartAsync(ErrorLog log) => SocketIoTestHost.StartAsync(
        (io, testHost) =>
        {
            // Handlers that read what the fuzzers send every way the untyped API offers, and answer with it.
            io.OnConnection(socket =>
            {
                socket.On(ErrorProbe, _ => throw new InvalidOperationException("The error log works."));
                socket.On("echo", e => e.Ack(ReadValues(e.Args)));
                socket.OnAny(e =>
                {
                    log.CountEvent();
                    _ = e.Args.Count;
                    _ = e.Args.ToString();
                    if (e.HasAck && e.Name != "echo")
                    {
                        e.Ack(e.Name, ReadValues(e.Args));
                    }
                });
            });
            io.Of("/admin").OnConnection(socket => socket.OnAny(e =>
            {
                log.CountEvent();
                _ = ReadValues(e.Args);
            }));
        },
        configureBuilder: builder =>
        {
            builder.Logging.AddProvider(log);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        });

    /// <summary>An event whose handler throws: the server logs it at Error level (so the log capture is known to work).</summary>
    private const string ErrorProbe = "error log probe";

    private static object? ReadValues(TypedSocketIo.Protocol.SocketIoArgs args)
    {
        try
        {
            return args.ToValues();
        }
        catch (JsonException)
        {
            return "unreadable"; // its documented error: a string .NET cannot decode
        }
    }

    private static async Task AssertOnlyTheHealthyClientRemainsAsync(SocketIoTestHost host, ErrorLog log)
    {
        await Wait.UntilAsync(() => host.Io.Engine.SessionCount == 1 && host.Io.Sockets.Sockets.Count == 1, TimeSpan.FromSeconds(10));
        Assert.Empty(log.Errors);
    }

    // ------------------------------------------------------------ fuzzing sessions

    /// <summary>Engine.IO-level packets a client may also send, in order or not (invalid ones come from the byte mutations).</summary>
    private static readonly string[] EnginePackets = ["2", "3", "2probe", "3probe", "5", "6", "0", "1", "4", "4hello"];

    /// <summary>
    /// The namespace a fuzzing session joins before it sends anything else, as a client waits for its CONNECT to be
    /// answered before it emits (packets for a namespace not joined yet close the connection): usually "/", sometimes
    /// "/admin", sometimes none (protocol 3 joins "/" implicitly).
    /// </summary>
    private static string? ConnectPacket(FuzzCase c, EngineIOProtocol protocol) =>
        protocol == EngineIOProtocol.V3 || c.Random.Next(6) == 0 ? null : c.Random.Next(4) == 0 ? "40/admin," : "40";

    /// <summary>The events and binary events of the corpus sent to "/".</summary>
    private static readonly EnginePacket[][] ValidEvents = FuzzCorpus.SocketIoMessages
        .Where(m => Regex.IsMatch(m[0].Text, "^(2|5[0-9]+-)[0-9]*\\["))
        .ToArray();

    /// <summary>The Engine.IO packets of one fuzzing session after it joined: Socket.IO messages, valid and mutated.</summary>
    private static List<EnginePacket> SessionPackets(FuzzCase c, EngineIOProtocol protocol)
    {
        var packets = new List<EnginePacket>();
        for (int n = c.Random.Next(1, 6); n > 0; n--)
        {
            switch (c.Random.Next(10))
            {
                case 0:
                    packets.Add(EngineIOCodec.DecodeTextPacket(Encoding.UTF8.GetBytes(EnginePackets[c.Random.Next(EnginePackets.Length)]), protocol));
                    break;
                case < 6:
                    // A valid event of "/" (odd values included), so that the handlers run before a bad packet ends the connection.
                    packets.AddRange(ValidEvents[c.Random.Next(ValidEvents.Length)]);
                    break;
                default:
                    packets.AddRange(FuzzCorpus.MutatedSocketIoMessages(c.Random));
                    break;
            }
        }

        return packets;
    }

    /// <summary>A WebSocket session sending mutated frames; returns its sid (null when the handshake failed).</summary>
    private static async Task<string?> FuzzWebSocketAsync(FuzzCase c, SocketIoTestHost host, EngineIOProtocol protocol)
    {
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/socket.io/?EIO={(int)protocol}&transport=websocket"));
        string open = await ws.ReceiveTextAsync();
        string sid = RawPolling.SidPattern.Match(open).Groups[1].Value;
        c.Check(sid.Length > 0, $"Open packet: {open}");
        c.Input($"WebSocket session, protocol {protocol}", sid);
        string? connect = ConnectPacket(c, protocol);
        if (connect is not null)
        {
            c.Input("CONNECT", connect);
            await ws.SendTextAsync(connect);
        }

        if (protocol == EngineIOProtocol.V3 || connect is not null)
        {
            // Wait for the namespace's answer (protocol 3: the implicit CONNECT of "/").
            string answer;
            do
            {
                answer = await ws.ReceiveTextAsync();
            }
            while (!answer.StartsWith("40", StringComparison.Ordinal) && !answer.StartsWith("44", StringComparison.Ordinal));
        }

        foreach (EnginePacket packet in SessionPackets(c, protocol))
        {
            var frame = new ArrayBufferWriter<byte>();
            bool binary = EngineIOCodec.WriteWebSocketFrame(frame, packet, protocol);
            byte[] bytes = frame.WrittenSpan.ToArray();
            if (c.Random.Next(8) == 0)
            {
                bytes = FuzzMutatorForFrames.Mutate(bytes, c.Random, c.Random.Next(1, 4));
            }

            if (c.Random.Next(20) == 0)
            {
                binary = !binary;
            }

            c.Input(binary ? "binary frame" : "text frame", bytes);
            if (ws.Socket.State != WebSocketState.Open)
            {
                break;
            }

            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await ws.Socket.SendAsync(bytes, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                break; // the server closed this connection: that is allowed
            }
        }

        return sid;
    }

    /// <summary>A long-polling session POSTing mutated payloads; returns its sid.</summary>
    private static async Task<string?> FuzzPollingAsync(FuzzCase c, SocketIoTestHost host, EngineIOProtocol protocol)
    {
        using var polling = new RawPolling(q => new Uri(host.BaseUri, "/socket.io/?" + q));
        (string sid, RawResponse handshake) = await polling.HandshakeAsync($"EIO={(int)protocol}&transport=polling");
        string query = $"EIO={(int)protocol}&transport=polling&sid={Uri.EscapeDataString(sid)}";
        c.Input($"polling session, protocol {protocol}", sid);
        string? connect = ConnectPacket(c, protocol);
        if (connect is not null)
        {
            c.Input("CONNECT", connect);
            c.Check((await polling.PostAsync(query, connect)).Status == HttpStatusCode.OK, "The CONNECT was refused.");
        }

        if (connect is not null || (protocol == EngineIOProtocol.V3 && !handshake.Text.Contains(":40", StringComparison.Ordinal)))
        {
            // Wait for the namespace's answer (protocol 3: the implicit CONNECT of "/", unless the handshake carried it).
            RawResponse answer = await polling.GetAsync(query);
            c.Check(answer.Status == HttpStatusCode.OK && answer.Text.Contains("40", StringComparison.Ordinal), $"The CONNECT was answered {(int)answer.Status} {answer.Text}");
        }

        List<EnginePacket> packets = SessionPackets(c, protocol);
        for (int start = 0; start < packets.Count;)
        {
            int count = c.Random.Next(1, packets.Count - start + 1);
            EnginePacket[] batch = packets.GetRange(start, count).ToArray();
            start += count;

            bool octets = protocol == EngineIOProtocol.V3 ? c.Random.Next(2) == 0 : c.Random.Next(20) == 0;
            var body = new ArrayBufferWriter<byte>();
            if (protocol == EngineIOProtocol.V4)
            {
                EngineIOCodec.WritePayload(body, batch);
            }
            else if (octets)
            {
                EngineIOCodec.WriteV3BinaryPayload(body, batch);
            }
            else
            {
                EngineIOCodec.WriteV3TextPayload(body, batch);
            }

            byte[] bytes = body.WrittenSpan.ToArray();
            if (c.Random.Next(5) == 0)
            {
                bytes = FuzzMutatorForFrames.Mutate(bytes, c.Random, c.Random.Next(1, 4));
            }

            c.Input(octets ? "POST application/octet-stream" : "POST text/plain", bytes);
            RawResponse response = await polling.PostAsync(query, bytes, octets ? "application/octet-stream" : null);
            c.Input("  answered", $"{(int)response.Status} {response.Text}");
            c.Check(response.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge,
                $"POST answered {(int)response.Status}: {response.Text}");
            c.Check(KnownErrorBody.IsMatch(response.Text), $"POST answered {(int)response.Status} with an unexpected body: {response.Text}");
            if (response.Status != HttpStatusCode.OK || !host.Io.Engine.TryGetSession(sid, out EngineSocket? session) || session.ReadyState != EngineReadyState.Open)
            {
                break; // the server closed this session, or is closing it: that is allowed
            }
        }

        // The server is closing the session (a Socket.IO protocol error): as a client would, take what it still has
        // to send, until the close packet.
        for (int gets = 0; gets < 5 && host.Io.Engine.TryGetSession(sid, out EngineSocket? closing) && closing.ReadyState == EngineReadyState.Closing; gets++)
        {
            RawResponse last = await polling.GetAsync(query);
            c.Input("GET of a closing session answered", $"{(int)last.Status} {last.Text}");
            c.Check(last.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"The GET answered {(int)last.Status}: {last.Text}");
        }

        if (host.Io.Engine.TryGetSession(sid, out EngineSocket? open) && open.ReadyState == EngineReadyState.Open)
        {
            RawResponse close = await polling.PostAsync(query, protocol == EngineIOProtocol.V3 ? "1:1" : "1");
            c.Input("closing POST answered", $"{(int)close.Status} {close.Text}");
            c.Check(close.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"Closing POST answered {(int)close.Status}: {close.Text}");
        }

        return sid;
    }

    private static readonly FuzzMutator FuzzMutatorForFrames = new(
        [.. FuzzCorpus.EngineTextPackets(EngineIOProtocol.V4), .. FuzzCorpus.V4Payloads, .. FuzzCorpus.V3TextPayloads, .. FuzzCorpus.V3BinaryPayloads],
        [.. FuzzCorpus.EngineTokens, .. FuzzCorpus.SocketIoTokens]);

    // ------------------------------------------------------------ query strings

    private static readonly string[] EioValues = ["2", "5", "", "04", "4.0", "+4", "%34", "4%00", "４", "-1", "99999999999999999999", "4,4", "४", "3%20", "4%"];

    private static readonly string[] TransportValues =
        ["Polling", "POLLING", "webtransport", "", "polling%00", "polling,websocket", "websocket%20", "__proto__", "constructor", "flashsocket", "%"];

    private static readonly string[] SidValues = ["", "x", "nope", "%00", "AAAAAAAAAAAAAAAAAAAA", "%E2%82%AC", "%ED%A0%80", "..%2F..", "%", "%zz", "a+b"];

    private static readonly string[] OtherKeys = ["t", "j", "b64", "eio", "Transport", "SID", "EIO[]", "", "__proto__", "x", "%", "=", "&"];

    private static readonly string[] Garbage = ["%", "%%", "%zz", "%e2%82", "%ED%A0%80", "%C0%80", "%00", "+", "&", "&&", "=", "==", ";", "?", "#", "%23", "%26", "é", "😀", "\t"];

    /// <summary>
    /// A handshake query: the parameters a client sends (EIO, transport, and sometimes sid, b64, t), each kept, given
    /// an odd value, repeated, percent-encoded or dropped, plus unknown parameters, broken encodings and odd separators.
    /// </summary>
    private static byte[] RandomQuery(Random random, string? liveSid, bool webSocket)
    {
        // A third of the queries are what a client sends (to reach the handshake and upgrade paths too), the others are mangled.
        bool mangle = random.Next(3) != 0;
        string transport = (random.Next(5) == 0) == webSocket ? "polling" : "websocket";
        var parameters = new List<(string Key, string? Value)>
        {
            ("EIO", !mangle || random.Next(4) != 0 ? (random.Next(3) == 0 ? "3" : "4") : EioValues[random.Next(EioValues.Length)]),
            ("transport", !mangle || random.Next(4) != 0 ? transport : TransportValues[random.Next(TransportValues.Length)]),
        };
        if (liveSid is not null || (mangle && random.Next(4) == 0))
        {
            parameters.Add(("sid", liveSid is not null && random.Next(3) != 0 ? liveSid : SidValues[random.Next(SidValues.Length)]));
        }

        if (random.Next(4) == 0)
        {
            parameters.Add(("b64", !mangle || random.Next(2) == 0 ? "1" : Garbage[random.Next(Garbage.Length)]));
        }

        if (random.Next(2) == 0)
        {
            parameters.Add(("t", "P" + random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        for (int n = mangle ? random.Next(3) : 0; n > 0; n--)
        {
            parameters.Add((OtherKeys[random.Next(OtherKeys.Length)], random.Next(4) == 0 ? null : Garbage[random.Next(Garbage.Length)]));
        }

        for (int i = 0; mangle && i < parameters.Count; i++)
        {
            (string key, string? value) = parameters[i];
            switch (random.Next(14))
            {
                case 0: // repeated, with the same or another value
                    parameters.Add((key, random.Next(2) == 0 ? value : EioValues[random.Next(EioValues.Length)]));
                    break;
                case 1: // dropped
                    parameters.RemoveAt(i--);
                    break;
                case 2: // key or value percent-encoded (the same after decoding)
                    parameters[i] = random.Next(2) == 0 ? (PercentEncode(key), value) : (key, value is null ? null : PercentEncode(value));
                    break;
                case 3: // no value, or an empty one
                    parameters[i] = (key, random.Next(2) == 0 ? null : "");
                    break;
                case 4: // garbage after the value
                    parameters[i] = (key, value + Garbage[random.Next(Garbage.Length)]);
                    break;
                case 5 when random.Next(4) == 0: // huge
                    parameters[i] = (key, new string('a', random.Next(100, 4000)));
                    break;
            }
        }

        if (random.Next(3) == 0)
        {
            Shuffle(random, parameters);
        }

        var query = new StringBuilder();
        foreach ((string key, string? value) in parameters)
        {
            query.Append(query.Length == 0 ? "" : mangle && random.Next(15) == 0 ? (random.Next(2) == 0 ? ";" : "&&") : "&");
            query.Append(key);
            if (value is not null)
            {
                query.Append('=').Append(value);
            }
        }

        byte[] bytes = Encoding.UTF8.GetBytes(query.ToString());
        if (mangle && random.Next(6) == 0)
        {
            bytes = FuzzMutatorForFrames.Mutate(bytes, random, random.Next(1, 3));
        }

        // Spaces and line breaks would end the request line: a different test, for Kestrel, not ours.
        return bytes.Where(b => b is not (0x20 or 0x0D or 0x0A)).Take(6000).ToArray();
    }

    private static string PercentEncode(string text) => string.Concat(Encoding.UTF8.GetBytes(text).Select(b => $"%{b:X2}"));

    private static void Shuffle<T>(Random random, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static bool KnownMessage(string body) => body is "" or "Transport unknown" or "Session ID unknown" or "Bad handshake method" or "Bad request"
        or "Forbidden" or "Unsupported protocol version";

    // ------------------------------------------------------------ helpers

    /// <summary>Keeps what is logged at Error level or above (and counts the events the handlers saw).</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _errors = new();
        private long _events;

        public long Events => Interlocked.Read(ref _events);

        public void CountEvent() => Interlocked.Increment(ref _events);

        public IReadOnlyList<string> Errors => _errors.ToArray();

        public void Clear() => _errors.Clear();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner._errors.Enqueue($"{logLevel} {category} {eventId.Id}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }

    /// <summary>A well-behaved Socket.IO client over a raw WebSocket: answers pings and collects "tick" broadcasts.</summary>
    private sealed class HealthyClient : IAsyncDisposable
    {
        private readonly RawWebSocket _ws;
        private readonly Channel<int> _ticks = Channel.CreateUnbounded<int>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private HealthyClient(RawWebSocket ws)
        {
            _ws = ws;
            _loop = Task.Run(ReceiveLoopAsync);
        }

        public static async Task<HealthyClient> ConnectAsync(SocketIoTestHost host)
        {
            RawWebSocket ws = await RawWebSocket.ConnectAsync(new Uri($"ws://{host.BaseUri.Authority}/socket.io/?EIO=4&transport=websocket"));
            Assert.StartsWith("0{", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
            await ws.SendTextAsync("40");
            Assert.StartsWith("40{\"sid\":", await ws.ReceiveTextAsync(), StringComparison.Ordinal);
            return new HealthyClient(ws);
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await _ws.Socket.ReceiveAsync(buffer, _stop.Token);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                    if (text == "2")
                    {
                        await _ws.Socket.SendAsync("3"u8.ToArray(), WebSocketMessageType.Text, true, _stop.Token);
                    }
                    else if (Regex.Match(text, "^42\\[\"tick\",([0-9]+)\\]$") is { Success: true } tick)
                    {
                        _ticks.Writer.TryWrite(int.Parse(tick.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
            finally
            {
                _ticks.Writer.TryComplete();
            }
        }

        /// <summary>Makes the server log an error (a handler that throws) and waits for it: the capture works. Then clears it.</summary>
        public async Task AssertErrorsAreCapturedAsync(ErrorLog log)
        {
            await _ws.SendTextAsync($"42[\"{ErrorProbe}\"]");
            await Wait.UntilAsync(() => log.Errors.Count > 0);
            Assert.Contains("The error log works.", log.Errors[0], StringComparison.Ordinal);
            log.Clear();
        }

        /// <summary>Waits (bounded) for broadcast number <paramref name="expected"/>.</summary>
        public async Task ExpectTickAsync(int expected)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                while (true)
                {
                    int tick = await _ticks.Reader.ReadAsync(cts.Token);
                    if (tick == expected)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                throw new FuzzFailure($"The healthy client did not receive broadcast {expected} ({(ex is ChannelClosedException ? "its connection closed" : "timed out")}).");
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
            await _ws.DisposeAsync();
            _stop.Dispose();
        }
    }

    private sealed record RawHttpResponse(int Status, string Body);

    /// <summary>HTTP/1.1 requests written byte for byte over a socket: the query goes out exactly as generated.</summary>
    private static class RawHttp
    {
        public static async Task<RawHttpResponse> SendAsync(Uri baseUri, string method, byte[] query, bool webSocketUpgrade, byte[]? body, bool pendingIsFine)
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(baseUri.Host, baseUri.Port, cts.Token);
            NetworkStream stream = client.GetStream();
            var head = new StringBuilder();
            head.Append($"Host: {baseUri.Authority}\r\n");
            if (webSocketUpgrade)
            {
                head.Append("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
            }
            else
            {
                head.Append("Connection: close\r\n");
            }

            if (body is not null)
            {
                head.Append($"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {body.Length}\r\n");
            }

            byte[] request = [.. Encoding.ASCII.GetBytes($"{method} /socket.io/?"), .. query, .. Encoding.ASCII.GetBytes($" HTTP/1.1\r\n{head}\r\n"), .. body ?? []];
            await stream.WriteAsync(request, cts.Token);

            // Read the head, then the body by its length (or to the end of the connection).
            var received = new MemoryStream();
            var buffer = new byte[8192];
            int headEnd = -1;
            int? contentLength = null;
            using var pending = new CancellationTokenSource(pendingIsFine ? TimeSpan.FromMilliseconds(150) : Timeout.InfiniteTimeSpan);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cts.Token, pending.Token);
            try
            {
                while (true)
                {
                    int read = await stream.ReadAsync(buffer, linked.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    received.Write(buffer, 0, read);
                    byte[] all = received.ToArray();
                    if (headEnd < 0)
                    {
                        headEnd = all.AsSpan().IndexOf("\r\n\r\n"u8);
                        if (headEnd >= 0)
                        {
                            string headers = Encoding.ASCII.GetString(all, 0, headEnd);
                            Match length = Regex.Match(headers, "\r\nContent-Length: *([0-9]+)", RegexOptions.IgnoreCase);
                            contentLength = length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
                            if (headers.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                            {
                                contentLength = 0;
                            }
                        }
                    }

                    if (headEnd >= 0 && contentLength is { } expected && all.Length - headEnd - 4 >= expected)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (pending.IsCancellationRequested && !cts.IsCancellationRequested)
            {
                return new RawHttpResponse(0, "(still pending: a long-polling GET on a live session)");
            }
            catch (OperationCanceledException)
            {
                throw new FuzzFailure("No complete HTTP response within 10 s.");
            }
            catch (IOException) when (received.Length > 0)
            {
                // The server closed after answering.
            }

            byte[] response = received.ToArray();
            Match status = Regex.Match(Encoding.ASCII.GetString(response, 0, Math.Min(response.Length, 64)), "^HTTP/1\\.1 ([0-9]{3})");
            if (!status.Success)
            {
                throw new FuzzFailure($"Not an HTTP response: {Encoding.UTF8.GetString(response)}");
            }

            int bodyStart = headEnd < 0 ? response.Length : headEnd + 4;
            return new RawHttpResponse(int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(response, bodyStart, response.Length - bodyStart));
        }
    }
}

/// <summary>The fuzz tests' collection: not run in parallel with the others.</summary>
[CollectionDefinition(nameof(ServerFuzzTests), DisableParallelization = true)]
public sealed class ServerFuzzCollection;
