using System.IO.Pipelines;
using System.Text;
using TypedSocketIo.Server.EngineIO.Framing;
using Xunit;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// The reader's wait for data: what is already buffered is parsed without waiting, and an idle
/// reader waits holding no buffer.
/// </summary>
public sealed class FrameReaderTests
{
    private static byte[] MaskedText(string text)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text);
        byte[] mask = [0x11, 0x22, 0x33, 0x44];
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (int i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        return frame;
    }

    [Fact]
    public async Task Wait_completes_at_once_while_frames_are_buffered_and_an_idle_wait_holds_no_buffer()
    {
        var pipe = new Pipe();
        using var reader = new FrameReader(pipe.Reader.AsStream(), 1 << 20);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await pipe.Writer.WriteAsync(MaskedText("one").Concat(MaskedText("two")).ToArray());
        await reader.WaitForDataAsync(timeout.Token);
        FrameReadResult first = await reader.ReadAsync(timeout.Token);
        Assert.Equal("one", Encoding.UTF8.GetString(first.Payload.Span));

        ValueTask<int> buffered = reader.WaitForDataAsync(timeout.Token);
        Assert.True(buffered.IsCompletedSuccessfully, "the second frame was in the same read");
        Assert.True(await buffered > 0);
        FrameReadResult second = await reader.ReadAsync(timeout.Token);
        Assert.Equal("two", Encoding.UTF8.GetString(second.Payload.Span));

        ValueTask<int> idle = reader.WaitForDataAsync(timeout.Token);
        Assert.False(idle.IsCompleted, "nothing was written yet");
        Assert.False(reader.HoldsBuffer);

        await pipe.Writer.WriteAsync(MaskedText("three"));
        await idle;
        FrameReadResult third = await reader.ReadAsync(timeout.Token);
        Assert.Equal(FrameReadKind.Message, third.Kind);
        Assert.Equal("three", Encoding.UTF8.GetString(third.Payload.Span));
    }

    [Fact]
    public async Task Idle_wait_ends_with_the_stream_and_the_next_read_reports_its_end()
    {
        var pipe = new Pipe();
        using var reader = new FrameReader(pipe.Reader.AsStream(), 1 << 20);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        ValueTask<int> idle = reader.WaitForDataAsync(timeout.Token);
        await pipe.Writer.CompleteAsync();
        Assert.Equal(0, await idle);
        Assert.Equal(FrameReadKind.EndOfStream, (await reader.ReadAsync(timeout.Token)).Kind);
    }

    [Fact]
    public async Task A_message_after_an_idle_wait_costs_one_zero_byte_read_not_two()
    {
        var pipe = new Pipe();
        var stream = new ZeroByteReadCounter(pipe.Reader.AsStream());
        using var reader = new FrameReader(stream, 1 << 20);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        ValueTask<int> idle = reader.WaitForDataAsync(timeout.Token);
        await pipe.Writer.WriteAsync(MaskedText("one"));
        await idle;
        FrameReadResult message = await reader.ReadAsync(timeout.Token);

        Assert.Equal("one", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(1, stream.ZeroByteReads);

        // Without the wait, the reader waits with its own zero-byte read.
        await pipe.Writer.WriteAsync(MaskedText("two"));
        Assert.Equal("two", Encoding.UTF8.GetString((await reader.ReadAsync(timeout.Token)).Payload.Span));
        Assert.Equal(2, stream.ZeroByteReads);
    }

    /// <summary>Counts the zero-byte reads made of the stream it wraps.</summary>
    private sealed class ZeroByteReadCounter(Stream inner) : Stream
    {
        public int ZeroByteReads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                ZeroByteReads++;
            }

            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
