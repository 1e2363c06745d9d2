using System.Diagnostics;
using System.Text;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Protocol;

namespace TypedSocketIo.Tests.SocketIo;

/// <summary>
/// The msgpack decoder fed random, mutated and truncated input: it returns a packet or throws
/// <see cref="SocketIoParseException"/>, never anything else; it finishes; and it allocates no more
/// than the input can justify. Bounded here; <c>tests/fuzz-msgpack.sh</c> runs it longer
/// (MSGPACK_FUZZ_ITERATIONS, MSGPACK_FUZZ_SEED).
/// </summary>
public sealed class MsgPackFuzzTests
{
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("MSGPACK_FUZZ_ITERATIONS"), out int n) ? n : 20_000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MSGPACK_FUZZ_SEED"), out int s) ? s : 20261206;

    /// <summary>
    /// What one decode may allocate: linear in the input. The worst case is an array of empty bins
    /// (2 bytes each): a 34-byte placeholder in the growing JSON buffer, its copy, and an attachment
    /// entry each — about 90 bytes per input byte.
    /// </summary>
    private static long Budget(int inputLength) => (128L * inputLength) + (64 * 1024);

    private static byte[][] Seeds()
    {
        var packets = new[]
        {
            new SocketIoPacket(SocketIoPacketType.Connect, "/", data: Encoding.UTF8.GetBytes("{\"token\":\"abc\",\"n\":[1,2,3]}")),
            new SocketIoPacket(SocketIoPacketType.Event, "/chat", 42, Encoding.UTF8.GetBytes("[\"msg\",{\"text\":\"héllo 😀\",\"n\":-129,\"f\":0.25,\"big\":4294967296,\"b\":{\"_placeholder\":true,\"num\":0},\"l\":[null,true,false]}]"), [new byte[70]]),
            new SocketIoPacket(SocketIoPacketType.Ack, "/", 7, Encoding.UTF8.GetBytes("[{\"_placeholder\":true,\"num\":0},\"" + new string('x', 300) + "\"]"), [new byte[] { 1, 2, 3 }]),
            new SocketIoPacket(SocketIoPacketType.ConnectError, "/admin", data: Encoding.UTF8.GetBytes("{\"message\":\"no\",\"data\":{\"code\":42}}")),
            new SocketIoPacket(SocketIoPacketType.Disconnect, "/admin"),
        };
        var seeds = packets.Select(p => MsgPackSocketIoParser.EncodePacket(p).ToArray()).ToList();
        seeds.Add([0x83, 0xa4, .. "type"u8, 0x02, 0xa4, .. "data"u8, 0x93, 0xa1, (byte)'e', 0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xd4, 0, 0, 0xa3, .. "nsp"u8, 0xa1, (byte)'/']);
        return seeds.ToArray();
    }

    private static void DecodeWithinBudget(byte[] input)
    {
        ISocketIoDecoder decoder = MsgPackSocketIoParser.Instance.CreateDecoder();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            decoder.Add(EnginePacket.BinaryMessage(input));
        }
        catch (SocketIoParseException)
        {
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.GetType().Name} (not a parse error) for {Convert.ToHexStringLower(input)}: {ex}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > Budget(input.Length))
        {
            throw new Xunit.Sdk.XunitException($"{allocated} bytes allocated for {input.Length} input bytes: {Convert.ToHexStringLower(input.AsSpan(0, Math.Min(input.Length, 200)))}");
        }
    }

    private static Task Bounded(Action run) => Task.Run(run).WaitAsync(TimeSpan.FromMinutes(Iterations > 20_000 ? 600 : 2));

    [Fact]
    public Task Random_bytes_are_refused_cleanly() => Bounded(() =>
    {
        var random = new Random(Seed);
        for (int i = 0; i < Iterations; i++)
        {
            var input = new byte[random.Next(1, 64)];
            random.NextBytes(input);
            if (random.Next(2) == 0)
            {
                input[0] = (byte)(0x80 | random.Next(16)); // a fixmap, to get past the first check more often
            }

            DecodeWithinBudget(input);
        }
    });

    [Fact]
    public Task Mutated_packets_decode_or_are_refused_cleanly() => Bounded(() =>
    {
        var random = new Random(Seed + 1);
        byte[][] seeds = Seeds();
        for (int i = 0; i < Iterations; i++)
        {
            var input = new List<byte>(seeds[random.Next(seeds.Length)]);
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations && input.Count > 0; m++)
            {
                int at = random.Next(input.Count);
                switch (random.Next(4))
                {
                    case 0:
                        input[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        input[at] = (byte)random.Next(256);
                        break;
                    case 2:
                        input.Insert(at, (byte)random.Next(256));
                        break;
                    default:
                        input.RemoveAt(at);
                        break;
                }
            }

            if (input.Count > 0)
            {
                DecodeWithinBudget(input.ToArray());
            }
        }
    });

    [Fact]
    public Task Every_truncation_of_valid_packets_is_refused() => Bounded(() =>
    {
        foreach (byte[] seed in Seeds())
        {
            Assert.NotNull(MsgPackSocketIoParser.Instance.CreateDecoder().Add(EnginePacket.BinaryMessage(seed)));
            for (int length = 1; length < seed.Length; length++)
            {
                byte[] truncated = seed[..length];
                Assert.Throws<SocketIoParseException>(() => MsgPackSocketIoParser.DecodePacket(truncated));
                DecodeWithinBudget(truncated);
            }
        }
    });

    [Theory]
    [InlineData("ddffffffff")] // array 32 announcing 4 294 967 295 items
    [InlineData("dfffffffff")] // map 32 announcing as many pairs
    [InlineData("dbffffffff61")] // str 32 announcing 4 GiB
    [InlineData("c6ffffffff01")] // bin 32 announcing 4 GiB
    [InlineData("c9ffffffff0001")] // ext 32 announcing 4 GiB
    [InlineData("83a474797065 02 a464617461 ddfffffffe 00 a36e7370 a12f")] // an event whose array claims more than the message holds
    [InlineData("83a474797065 02 a464617461 92 a165 dffffffff0 a36e7370 a12f")]
    public void Lengths_beyond_the_input_allocate_nothing_for_them(string hex)
    {
        byte[] input = Convert.FromHexString(hex.Replace(" ", ""));
        var watch = Stopwatch.StartNew();
        Assert.Throws<SocketIoParseException>(() => MsgPackSocketIoParser.DecodePacket(input));
        Assert.Throws<SocketIoParseException>(() => SocketIoMsgPack.ToJson(input));
        DecodeWithinBudget(input);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Many_tiny_values_stay_within_the_budget()
    {
        // The largest expansion: an array of empty bins, each a placeholder and an attachment.
        const int count = 50_000;
        byte[] data = [0xdd, 0, 0, (byte)(count >> 8), unchecked((byte)count), .. Enumerable.Range(0, count).SelectMany(_ => new byte[] { 0xc4, 0x00 })];
        byte[] packet = [0x83, 0xa4, .. "type"u8, 0x03, 0xa4, .. "data"u8, .. data, 0xa3, .. "nsp"u8, 0xa1, (byte)'/', 0xa2, .. "id"u8, 0x01];
        byte[] fixedPacket = [0x84, .. packet[1..]];
        SocketIoPacket decoded = MsgPackSocketIoParser.DecodePacket(fixedPacket);
        Assert.Equal(count, decoded.Attachments.Count);
        DecodeWithinBudget(fixedPacket);
    }
}
