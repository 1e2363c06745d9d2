using System.Net;
using System.Runtime;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>
/// Bodies far over MaxHttpBufferSize: refused without holding memory per request. What stays after
/// a collection is the shared ArrayPool's cache of the buffers a body under the limit can need,
/// which does not grow with the number of requests.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class LargeBodyMemoryTests
{
    private static long LargeObjectHeapAfterFullCollection()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).GenerationInfo[3].SizeAfterBytes;
    }

    [Fact]
    public async Task Ten_megabyte_bodies_against_a_one_megabyte_limit_leave_no_memory_that_grows_with_their_number()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.MaxHttpBufferSize = 1_000_000);
        using var http = new HttpClient();
        byte[] body = new byte[10_000_000];
        Array.Fill(body, (byte)'x');

        async Task SendAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                (string sid, _) = await new RawPolling(q => host.Url(q)).HandshakeAsync();
                // Chunked (no Content-Length), so the server must read up to the limit to know.
                using var content = new StreamContent(new MemoryStream(body));
                using var request = new HttpRequestMessage(HttpMethod.Post, host.Url($"EIO=4&transport=polling&sid={sid}")) { Content = content };
                request.Headers.TransferEncodingChunked = true;
                try
                {
                    using HttpResponseMessage response = await http.SendAsync(request);
                    Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
                }
                catch (HttpRequestException)
                {
                    // The server may cut the upload once it answered 413: refused all the same.
                }

                await RawWebSocketOversizedAsync(host, body);
            }
        }

        await SendAsync(3); // warm-up: pools, JIT, Kestrel's buffers
        long before = LargeObjectHeapAfterFullCollection();
        await SendAsync(20);
        long after = LargeObjectHeapAfterFullCollection();

        // 20 more requests of 10 MB each: a leak of even one body each would show as 200 MB.
        Assert.True(after - before < 4_000_000, $"the large-object heap grew from {before:N0} to {after:N0} bytes");
    }

    /// <summary>
    /// Sends one 10 MB WebSocket message from a raw socket (a .NET ClientWebSocket in this process
    /// would rent and cache buffers of its own, and be measured with the server).
    /// </summary>
    private static async Task RawWebSocketOversizedAsync(EngineTestHost host, byte[] body)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseUri.Port);
        string request = $"GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host.BaseUri.Authority}\r\nUpgrade: websocket\r\n" +
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request));
        var header = new byte[14];
        header[0] = 0x81; // final text frame
        header[1] = 0x80 | 127; // masked, 64-bit length
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), (ulong)body.Length);
        // The mask key stays 0: the payload goes as it is.
        try
        {
            await socket.SendAsync(header);
            await socket.SendAsync(body);
            var scratch = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read;
            while ((read = await socket.ReceiveAsync(scratch, System.Net.Sockets.SocketFlags.None, timeout.Token)) > 0)
            {
                if (Array.IndexOf(scratch, (byte)0x88, 0, read) >= 0)
                {
                    return; // the server's close frame (1009): done, without waiting for the cut
                }
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Cut while still sending: refused all the same.
        }
    }
}
