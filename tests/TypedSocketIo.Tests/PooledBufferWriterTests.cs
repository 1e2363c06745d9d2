using System.Buffers;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Tests;

public class PooledBufferWriterTests
{
    [Fact]
    public void NewWriter_is_empty()
    {
        using var writer = new PooledBufferWriter();

        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.WrittenSpan.IsEmpty);
        Assert.True(writer.WrittenMemory.IsEmpty);
    }

    [Fact]
    public void ManySmallWrites_grow_past_the_initial_capacity_and_keep_every_byte()
    {
        using var writer = new PooledBufferWriter(initialCapacity: 1);
        var expected = new byte[10_000];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)(i * 7);
            Span<byte> span = writer.GetSpan(1);
            Assert.True(span.Length >= 1);
            span[0] = expected[i];
            writer.Advance(1);
        }

        Assert.Equal(expected.Length, writer.WrittenCount);
        Assert.Equal(expected, writer.WrittenSpan.ToArray());
        Assert.Equal(expected, writer.WrittenMemory.ToArray());
    }

    [Theory]
    [InlineData(16, 3)]
    [InlineData(16, 17)]
    [InlineData(16, 1000)]
    [InlineData(256, 257)]
    [InlineData(256, 100_000)]
    public void GetSpan_returns_at_least_the_hint_and_growing_keeps_what_was_written(int initialCapacity, int hint)
    {
        using var writer = new PooledBufferWriter(initialCapacity);
        byte[] head = [1, 2, 3, 4, 5];
        head.CopyTo(writer.GetSpan(head.Length));
        writer.Advance(head.Length);

        Span<byte> span = writer.GetSpan(hint);
        Assert.True(span.Length >= hint, $"asked {hint}, got {span.Length}");
        span[..hint].Fill(0xAB);
        writer.Advance(hint);

        Assert.Equal(head.Length + hint, writer.WrittenCount);
        Assert.Equal(head, writer.WrittenSpan[..head.Length].ToArray());
        Assert.True(writer.WrittenSpan[head.Length..].IndexOfAnyExcept((byte)0xAB) < 0);
    }

    [Fact]
    public void Truncate_forgets_what_follows_and_keeps_the_rest_and_the_buffer()
    {
        using var writer = new PooledBufferWriter(16);
        "header+payload"u8.CopyTo(writer.GetSpan(14));
        writer.Advance(14);

        writer.Truncate(6);
        "!"u8.CopyTo(writer.GetSpan(1));
        writer.Advance(1);

        Assert.Equal("header!"u8.ToArray(), writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Truncate(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Truncate(-1));
        Assert.Equal(7, writer.WrittenCount);
    }

    [Fact]
    public void GetMemory_returns_at_least_the_hint_and_grows()
    {
        using var writer = new PooledBufferWriter(16);

        for (int round = 1; round <= 20; round++)
        {
            Memory<byte> memory = writer.GetMemory(round * 10);
            Assert.True(memory.Length >= round * 10);
            memory.Span[..(round * 10)].Fill((byte)round);
            writer.Advance(round * 10);
        }

        byte[] expected = Enumerable.Range(1, 20).SelectMany(round => Enumerable.Repeat((byte)round, round * 10)).ToArray();
        Assert.Equal(expected, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void GetSpan_without_hint_is_never_empty_even_when_full()
    {
        using var writer = new PooledBufferWriter(16);
        int capacity = writer.GetSpan().Length;
        writer.Advance(capacity);

        Span<byte> span = writer.GetSpan();

        Assert.False(span.IsEmpty);
        Assert.Equal(capacity, writer.WrittenCount);
    }

    [Fact]
    public void PartialAdvance_then_get_span_continues_right_after_the_written_bytes()
    {
        using var writer = new PooledBufferWriter(16);
        Span<byte> span = writer.GetSpan(10);
        span[..10].Fill(9);
        writer.Advance(2);

        writer.GetSpan(100)[0] = 7;
        writer.Advance(1);

        Assert.Equal(new byte[] { 9, 9, 7 }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Advance_past_the_buffer_or_negative_throws()
    {
        using var writer = new PooledBufferWriter(16);
        int available = writer.GetSpan().Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(available + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Clear_forgets_the_bytes_but_the_writer_stays_usable()
    {
        using var writer = new PooledBufferWriter(16);
        writer.GetSpan(100).Fill(1);
        writer.Advance(100);

        writer.Clear();
        writer.GetSpan(1)[0] = 42;
        writer.Advance(1);

        Assert.Equal(new byte[] { 42 }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_forgets_the_bytes()
    {
        var writer = new PooledBufferWriter(16);
        writer.GetSpan(4);
        writer.Advance(4);

        writer.Dispose();
        writer.Dispose();

        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void As_the_codecs_output_produces_the_same_bytes_as_an_array_buffer_writer()
    {
        EnginePacket[] packets = Samples.PacketLists.Values.SelectMany(p => p).ToArray();
        foreach (PayloadForm form in PayloadForm.All)
        {
            using var pooled = new PooledBufferWriter(initialCapacity: 16);
            if (form == PayloadForm.V4)
            {
                EngineIOCodec.WritePayload(pooled, packets);
            }
            else if (form == PayloadForm.V3Text)
            {
                EngineIOCodec.WriteV3TextPayload(pooled, packets);
            }
            else
            {
                EngineIOCodec.WriteV3BinaryPayload(pooled, packets);
            }

            Assert.Equal(form.Encode(packets), pooled.WrittenSpan.ToArray());
            Assert.Equal(packets, PacketReading.ReadAllFinal(new ReadOnlySequence<byte>(pooled.WrittenMemory), form.Reader));
        }
    }
}
