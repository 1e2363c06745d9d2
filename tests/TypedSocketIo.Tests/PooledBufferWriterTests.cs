using System.Buffers;
using TypedSocketIo.Buffers;
using TypedSocketIo.EngineIO;

namespace TypedSocketIo.Tests;

public class PooledBufferWriterTests
{
    [Fact]
    public void NewWriter_IsEmpty()
    {
        using var writer = new PooledBufferWriter();

        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.WrittenSpan.IsEmpty);
        Assert.True(writer.WrittenMemory.IsEmpty);
    }

    [Fact]
    public void ManySmallWrites_GrowPastTheInitialCapacity_AndKeepEveryByte()
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
    public void GetSpan_ReturnsAtLeastTheHint_AndGrowingKeepsWhatWasWritten(int initialCapacity, int hint)
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
    public void GetMemory_ReturnsAtLeastTheHint_AndGrows()
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
    public void GetSpan_WithoutHint_IsNeverEmpty_EvenWhenFull()
    {
        using var writer = new PooledBufferWriter(16);
        int capacity = writer.GetSpan().Length;
        writer.Advance(capacity);

        Span<byte> span = writer.GetSpan();

        Assert.False(span.IsEmpty);
        Assert.Equal(capacity, writer.WrittenCount);
    }

    [Fact]
    public void PartialAdvance_ThenGetSpan_ContinuesRightAfterTheWrittenBytes()
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
    public void Advance_PastTheBufferOrNegative_Throws()
    {
        using var writer = new PooledBufferWriter(16);
        int available = writer.GetSpan().Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(available + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Clear_ForgetsTheBytesButTheWriterStaysUsable()
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
    public void Dispose_Twice_IsHarmless_AndForgetsTheBytes()
    {
        var writer = new PooledBufferWriter(16);
        writer.GetSpan(4);
        writer.Advance(4);

        writer.Dispose();
        writer.Dispose();

        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void AsTheCodecsOutput_ProducesTheSameBytesAsAnArrayBufferWriter()
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
