using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Net.WebSockets;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Server.EngineIO.Direct;
using TypedSocketIo.Server.EngineIO.Framing;
using TcpSocket = System.Net.Sockets.Socket;

namespace TypedSocketIo.Server.Tests;

/// <summary>
/// The bare socket's stream over real loopback connections, its waits on the server's reactor
/// (Linux's epoll) and on .NET's receive (where there is no reactor): what wakes a waiting read,
/// and that no byte is missed between a read that found nothing and its wait.
/// </summary>
public class BareSocketStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>How a read waits: on the reactor, woken reads going on on the thread pool or inline on the reactor's thread; or on .NET's receive.</summary>
    public enum Wait
    {
        Reactor,
        ReactorInline,
        DotNet,
    }

    public static TheoryData<Wait> Waits => new() { Wait.Reactor, Wait.ReactorInline, Wait.DotNet };

    [Fact]
    public void Linux_has_the_reactor()
    {
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(SocketReactor.Shared);
        }
    }

    private static SocketReactor? Reactor(Wait how)
    {
        if (how == Wait.DotNet || !OperatingSystem.IsLinux())
        {
            return null; // elsewhere every row is .NET's receive
        }

        return SocketReactor.Shared ?? throw new InvalidOperationException("No reactor on Linux.");
    }

    /// <summary>The result of <paramref name="read"/> and the thread its continuation ran on, as the read completed it.</summary>
    private static Task<(int Result, string? Thread)> WokenAsync(ValueTask<int> read)
    {
        var woken = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter awaiter = read.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() =>
        {
            string? thread = Thread.CurrentThread.Name;
            try
            {
                woken.SetResult((awaiter.GetResult(), thread));
            }
            catch (Exception ex)
            {
                woken.SetException(ex);
            }
        });
        return woken.Task;
    }

    /// <summary>A connected pair over loopback: the client's socket and the server's, as a stream.</summary>
    private static async Task<(TcpSocket Client, TcpSocket Server, BareSocketStream Stream)> PairAsync(Wait how)
    {
        using var listener = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new TcpSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(listener.LocalEndPoint!);
        TcpSocket server = await listener.AcceptAsync();
        return (client, server, new BareSocketStream(server, Reactor(how), inline: how == Wait.ReactorInline));
    }

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_zero_byte_read_waits_for_data_and_the_next_read_takes_it(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        ValueTask<int> wait = stream.ReadAsync(Memory<byte>.Empty);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        // Where the woken read goes on: the reactor's thread only when inline.
        Task<(int Result, string? Thread)> woken = WokenAsync(wait);
        await client.SendAsync("hello"u8.ToArray());
        (int result, string? wokenOn) = await woken.WaitAsync(Bound);
        Assert.Equal(0, result);
        if (how == Wait.ReactorInline && OperatingSystem.IsLinux())
        {
            Assert.Equal("TypedSocketIo socket reactor", wokenOn);
        }
        else
        {
            Assert.NotEqual("TypedSocketIo socket reactor", wokenOn);
        }

        byte[] buffer = new byte[16];
        int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_read_waits_for_its_bytes_and_a_peer_that_ends_reads_as_zero(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        byte[] buffer = new byte[16];
        ValueTask<int> read = stream.ReadAsync(buffer);
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        await client.SendAsync(new byte[] { 1, 2, 3 });
        Assert.Equal(3, await read.AsTask().WaitAsync(Bound));

        ValueTask<int> end = stream.ReadAsync(buffer);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await end.AsTask().WaitAsync(Bound));
    }

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_waiting_read_ends_when_the_stream_cuts_its_socket(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;

        ValueTask<int> wait = stream.ReadAsync(Memory<byte>.Empty);
        await Task.Delay(50);
        stream.Abort();
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => wait.AsTask().WaitAsync(Bound));
        Assert.True(ex is SocketException or ObjectDisposedException, ex.ToString());

        // The client sees the cut.
        byte[] buffer = new byte[1];
        try
        {
            Assert.Equal(0, await client.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Bound));
        }
        catch (SocketException)
        {
            // reset: also a cut
        }
    }

    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_waiting_read_ends_when_its_token_is_cancelled_and_the_stream_reads_on(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        using var cts = new CancellationTokenSource();
        byte[] buffer = new byte[8];
        ValueTask<int> read = stream.ReadAsync(buffer, cts.Token);
        await Task.Delay(50);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask().WaitAsync(Bound));

        await client.SendAsync(new byte[] { 7 });
        Assert.Equal(1, await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal(7, buffer[0]);
    }

    [Fact]
    public async Task A_detached_socket_is_blocking_again_and_reads_with_dotnets_receive()
    {
        (TcpSocket client, TcpSocket server, BareSocketStream stream) = await PairAsync(Wait.Reactor);
        using var _c = client;
        using var _s = server;

        stream.Detach();
        Assert.True(server.Blocking);
        await client.SendAsync(new byte[] { 9 });
        byte[] buffer = new byte[1];
        Assert.Equal(1, await server.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Bound));
        Assert.Equal(9, buffer[0]);
    }

    /// <summary>
    /// A ping-pong of one-byte messages, each side waiting with a zero-byte read then reading: a
    /// readiness missed between a read that found nothing and its wait hangs it (bounded).
    /// </summary>
    [Theory]
    [MemberData(nameof(Waits))]
    public async Task No_readiness_is_missed_over_thousands_of_waits(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        const int rounds = 5000;
        Task server = Task.Run(async () =>
        {
            byte[] one = new byte[1];
            for (int i = 0; i < rounds; i++)
            {
                _ = await stream.ReadAsync(Memory<byte>.Empty);
                Assert.Equal(1, await stream.ReadAsync(one));
                await stream.WriteAsync(one);
            }
        });

        byte[] mine = new byte[1];
        for (int i = 0; i < rounds; i++)
        {
            mine[0] = (byte)i;
            await client.SendAsync(mine);
            Assert.Equal(1, await client.ReceiveAsync(mine.AsMemory()).AsTask().WaitAsync(Bound));
            Assert.Equal((byte)i, mine[0]);
        }

        await server.WaitAsync(Bound);
    }

    /// <summary>More sockets than the reactor's first slots, made and cut in waves: slots are reused, and each stream hears its own bytes.</summary>
    [Fact]
    public async Task Slots_are_reused_and_each_stream_is_woken_by_its_own_bytes()
    {
        var pairs = new List<(TcpSocket Client, BareSocketStream Stream)>();
        try
        {
            for (int wave = 0; wave < 3; wave++)
            {
                for (int i = 0; i < 700; i++)
                {
                    (TcpSocket client, _, BareSocketStream stream) = await PairAsync(Wait.Reactor);
                    pairs.Add((client, stream));
                }

                // Half cut: their slots go back for the next wave.
                for (int i = pairs.Count - 1; i >= 0; i -= 2)
                {
                    pairs[i].Stream.Abort();
                    pairs[i].Client.Dispose();
                    pairs.RemoveAt(i);
                }
            }

            byte[][] buffers = pairs.Select(_ => new byte[1]).ToArray();
            var waits = pairs.Select((p, i) => p.Stream.ReadAsync(buffers[i]).AsTask()).ToArray();
            for (int i = 0; i < pairs.Count; i++)
            {
                await pairs[i].Client.SendAsync(new[] { (byte)i });
            }

            int[] got = await Task.WhenAll(waits).WaitAsync(Bound);
            Assert.All(got, n => Assert.Equal(1, n));
            for (int i = 0; i < pairs.Count; i++)
            {
                Assert.Equal((byte)i, buffers[i][0]);
            }
        }
        finally
        {
            foreach ((TcpSocket client, BareSocketStream stream) in pairs)
            {
                stream.Abort();
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// The framing's writes take turns: a close frame written while an 8 MB message waits on a
    /// client that does not read yet waits for its turn, then both go out whole, in order. Several
    /// writes queue the same way.
    /// </summary>
    [Theory]
    [MemberData(nameof(Waits))]
    public async Task Framed_writes_take_turns_while_one_waits_on_the_client(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;
        var framed = new FramedWebSocketConnection(stream, EngineIOProtocol.V4, 16 << 20);

        byte[] big = new byte[8 << 20];
        Random.Shared.NextBytes(big);
        Task<long> first = framed.SendAsync([new OutgoingPacket(EnginePacket.BinaryMessage(big), false)], CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(first.IsCompleted); // the socket is full: the write waits on the client, holding the turn

        Task second = framed.SendAsync([new OutgoingPacket(EnginePacket.TextMessage("after"), false)], CancellationToken.None).AsTask();
        Task close = framed.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.False(close.IsCompleted);

        // The client reads everything: three frames, whole and in the order the turns were taken.
        var received = new MemoryStream();
        byte[] buffer = new byte[1 << 16];
        Task reading = Task.Run(async () =>
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer.AsMemory())) > 0)
            {
                received.Write(buffer, 0, n);
                if (received.Length >= big.Length + 1 + 10 + 7 + 4)
                {
                    break;
                }
            }
        });
        await Task.WhenAll(first, second, close).WaitAsync(Bound);
        await reading.WaitAsync(Bound);

        byte[] bytes = received.ToArray();
        // First: a binary frame (0x82) with a 64-bit length, Engine.IO's binary message as is.
        Assert.Equal(0x82, bytes[0]);
        Assert.Equal(127, bytes[1]);
        long length = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(2));
        Assert.Equal(big.Length, length);
        Assert.True(bytes.AsSpan(10, big.Length).SequenceEqual(big));
        int at = 10 + big.Length;
        // Then the text message "4after", then the close frame with its code.
        Assert.Equal(0x81, bytes[at]);
        Assert.Equal("4after", System.Text.Encoding.ASCII.GetString(bytes, at + 2, bytes[at + 1]));
        at += 2 + bytes[at + 1];
        Assert.Equal(0x88, bytes[at]);
        Assert.Equal(2, bytes[at + 1]);
        Assert.Equal(1000, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2)));
    }

    /// <summary>What reaches <paramref name="client"/> until <paramref name="expected"/> bytes came or the peer ended.</summary>
    private static async Task<byte[]> ReceiveAllAsync(TcpSocket client, int expected)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[1 << 16];
        using var cts = new CancellationTokenSource(Bound);
        while (received.Length < expected)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }

    /// <summary>
    /// The upgrade's answer is held, not sent, until the first write, and leaves with it in one
    /// send: the client sees nothing before, then both in one read.
    /// </summary>
    [Theory]
    [MemberData(nameof(Waits))]
    public async Task The_first_bytes_leave_with_the_first_write_in_one_send(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        await stream.WriteFirstAsync("HTTP/1.1 101 Switching Protocols\r\n\r\n"u8.ToArray());
        Assert.False(client.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead)); // held

        await stream.WriteAsync("frame"u8.ToArray());
        byte[] buffer = new byte[256];
        int n = await client.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Bound);
        Assert.Equal("HTTP/1.1 101 Switching Protocols\r\n\r\nframe", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }

    /// <summary>
    /// A read before any write sends the held answer first (a client waits for the 101 before it
    /// sends anything); a write after it goes after it. Disposal sends what is still held.
    /// </summary>
    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_read_before_any_write_sends_the_held_bytes_first(Wait how)
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
        using var _c = client;
        using var _s = stream;

        await stream.WriteFirstAsync("101"u8.ToArray());
        ValueTask<int> wait = stream.ReadAsync(Memory<byte>.Empty);
        Assert.Equal("101", System.Text.Encoding.ASCII.GetString(await ReceiveAllAsync(client, 3)));

        await client.SendAsync("probe"u8.ToArray());
        Assert.Equal(0, await wait.AsTask().WaitAsync(Bound));
        byte[] buffer = new byte[16];
        Assert.Equal(5, await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound));
        await stream.WriteAsync("answer"u8.ToArray());
        Assert.Equal("answer", System.Text.Encoding.ASCII.GetString(await ReceiveAllAsync(client, 6)));

        (TcpSocket client2, _, BareSocketStream stream2) = await PairAsync(how);
        using var _c2 = client2;
        await stream2.WriteFirstAsync("101 then the end"u8.ToArray());
        stream2.Dispose();
        Assert.Equal("101 then the end", System.Text.Encoding.ASCII.GetString(await ReceiveAllAsync(client2, int.MaxValue)));
    }

    /// <summary>First bytes too many to be sure a fresh socket takes them whole are sent at once.</summary>
    [Fact]
    public async Task First_bytes_over_the_bound_are_sent_at_once()
    {
        (TcpSocket client, _, BareSocketStream stream) = await PairAsync(Wait.Reactor);
        using var _c = client;
        using var _s = stream;

        byte[] head = new byte[HeldBytes.Most + 1];
        await stream.WriteFirstAsync(head);
        Assert.Equal(head.Length, (await ReceiveAllAsync(client, head.Length)).Length);
    }

    /// <summary>A read and a write that race for the held bytes: they go once, before the write's.</summary>
    [Theory]
    [MemberData(nameof(Waits))]
    public async Task A_read_and_a_write_at_once_send_the_held_bytes_once_and_first(Wait how)
    {
        for (int i = 0; i < 200; i++)
        {
            (TcpSocket client, _, BareSocketStream stream) = await PairAsync(how);
            using var _c = client;
            using var _s = stream;

            await stream.WriteFirstAsync("head:"u8.ToArray());
            using var go = new ManualResetEventSlim();
            Task<int> read = Task.Run(() => { go.Wait(); return stream.ReadAsync(Memory<byte>.Empty).AsTask(); });
            Task write = Task.Run(() => { go.Wait(); return stream.WriteAsync("frame"u8.ToArray()).AsTask(); });
            go.Set();
            await write.WaitAsync(Bound);
            Assert.Equal("head:frame", System.Text.Encoding.ASCII.GetString(await ReceiveAllAsync(client, 10)));
            await client.SendAsync("x"u8.ToArray());
            Assert.Equal(0, await read.WaitAsync(Bound));
        }
    }
}
