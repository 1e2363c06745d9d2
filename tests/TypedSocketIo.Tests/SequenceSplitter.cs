using System.Buffers;

namespace TypedSocketIo.Tests;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, the way a pipe hands over a body read in pieces.</summary>
internal static class SequenceSplitter
{
    /// <summary>A sequence whose segments are <paramref name="parts"/>, in order (empty parts become empty segments).</summary>
    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (parts.Length == 1)
        {
            return new ReadOnlySequence<byte>(parts[0]);
        }

        var first = new Segment(parts[0], 0);
        Segment last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Two segments: <c>data[..offset]</c> and <c>data[offset..]</c> (copied, so nothing can peek across).</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int offset) =>
        Create(data.AsSpan(0, offset).ToArray(), data.AsSpan(offset).ToArray());

    /// <summary>Three segments: <c>data[..first]</c>, <c>data[first..second]</c> and <c>data[second..]</c>.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int first, int second) =>
        Create(data.AsSpan(0, first).ToArray(), data.AsSpan(first, second - first).ToArray(), data.AsSpan(second).ToArray());

    /// <summary>Every two-way split, including the ones with an empty first or last segment.</summary>
    public static IEnumerable<(int Offset, ReadOnlySequence<byte> Sequence)> AllTwoWaySplits(byte[] data)
    {
        for (int offset = 0; offset <= data.Length; offset++)
        {
            yield return (offset, SplitAt(data, offset));
        }
    }

    /// <summary>Every three-way split (quadratic: meant for short inputs).</summary>
    public static IEnumerable<(int First, int Second, ReadOnlySequence<byte> Sequence)> AllThreeWaySplits(byte[] data)
    {
        for (int first = 0; first <= data.Length; first++)
        {
            for (int second = first; second <= data.Length; second++)
            {
                yield return (first, second, SplitAt(data, first, second));
            }
        }
    }

    /// <summary>One byte per segment: the most fragmented form possible.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        data.Length == 0 ? ReadOnlySequence<byte>.Empty : Create(data.Select(b => (ReadOnlyMemory<byte>)new[] { b }).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
