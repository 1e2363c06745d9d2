using System.Text;
using System.Threading.Channels;
using Chat.Client;

namespace TypedSocketIo.Sample.Tests;

/// <summary>
/// The chat sample's console client (Chat.Client's <see cref="ChatSession"/>, exactly what its
/// Program runs) in this process, in its --json mode: lines go in as on stdin, JSON lines come
/// out into <see cref="Output"/>.
/// </summary>
public sealed class ConsoleClient : IAsyncDisposable
{
    private readonly Channel<string> _input = Channel.CreateUnbounded<string>();
    private readonly Task<int> _run;

    private ConsoleClient(Uri server, string name, string room)
    {
        Output = new LineLog($"Chat.Client {name}", () => _run?.IsCompleted == true);
        var writer = new LineWriter(Output);
        var uri = new Uri(server, "/chat");
        _run = Task.Run(() => new ChatSession(uri, name, room, new ChatOutput(writer, json: true)).RunAsync(new ChannelReader(_input.Reader)));
    }

    /// <summary>What the client printed.</summary>
    public LineLog Output { get; }

    /// <summary>Starts a client that connects as <paramref name="name"/> and joins <paramref name="room"/>.</summary>
    public static ConsoleClient Start(Uri server, string name, string room) => new(server, name, room);

    /// <summary>Types one line (a message, or a command such as /typing or /quit).</summary>
    public void WriteLine(string line) => _input.Writer.TryWrite(line);

    /// <summary>Waits (bounded) for the client to end and returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _run.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        _input.Writer.TryComplete();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }
    }

    /// <summary>Stdin: the lines written, then the end.</summary>
    private sealed class ChannelReader(ChannelReader<string> lines) : TextReader
    {
        public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (await lines.WaitToReadAsync(cancellationToken))
            {
                if (lines.TryRead(out string? line))
                {
                    return line;
                }
            }

            return null;
        }
    }

    /// <summary>Stdout: each line into the log.</summary>
    private sealed class LineWriter(LineLog log) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    log.Add(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                else
                {
                    _line.Append(value);
                }
            }
        }
    }
}
