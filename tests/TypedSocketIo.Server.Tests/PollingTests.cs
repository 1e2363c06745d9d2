using System.Net;
using System.Text;
using TypedSocketIo.EngineIO;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class PollingTests
{
    private static string Q(string sid) => $"EIO=4&transport=polling&sid={sid}";

    [Fact]
    public async Task Post_delivers_messages_in_order_and_answers_ok()
    {
        await using var host = await EngineTestHost.StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        RawResponse response = await http.PostAsync(Q(sid), "4hello\u001e4wörld 中文 😀\u001e4");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("ok", response.Text);
        Assert.Equal("text/html", response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("hello", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal("wörld 中文 😀", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal("", (await host.NextAsync("message", sid)).Message.Text);
    }

    [Fact]
    public async Task Get_returns_every_buffered_packet_joined_by_the_record_separator()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        EngineSocket socket = host.Socket(sid);

        socket.SendBinary(new byte[] { 1, 2, 3 });
        socket.Send("hi");
        socket.SendBinary(Array.Empty<byte>());
        socket.Send("");
        socket.Send("中文");
        RawResponse response = await http.GetAsync(Q(sid));

        Assert.Equal("text/plain; charset=UTF-8", response.Header("Content-Type"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("bAQID\u001e4hi\u001eb\u001e4\u001e4中文", response.Text);
    }

    [Fact]
    public async Task Binary_posted_as_base64_arrives_as_binary()
    {
        await using var host = await EngineTestHost.StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        await http.PostAsync(Q(sid), "bAQID\u001e4hi");

        EnginePacket binary = (await host.NextAsync("message", sid)).Message;
        Assert.True(binary.IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3 }, binary.Data.ToArray());
        Assert.False((await host.NextAsync("message", sid)).Message.IsBinary);
    }

    [Fact]
    public async Task Pending_get_is_answered_as_soon_as_a_message_is_sent()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked
        Assert.False(poll.IsCompleted);
        host.Socket(sid).Send("later");

        Assert.Equal("4later", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("4a\u001e\u001e4b")]
    [InlineData("b!!!")]
    [InlineData("")]
    public async Task Undecodable_post_answers_ok_then_closes_with_parse_error(string body)
    {
        await using var host = await EngineTestHost.StartAsync();
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        RawResponse response = await http.PostAsync(Q(sid), body);

        Assert.Equal("ok", response.Text);
        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal("parse error", close.Reason);
        Assert.Equal("1", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Q(sid))).Status);
    }

    [Fact]
    public async Task Octet_stream_post_on_a_v4_session_is_refused_and_closes_it()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        RawResponse response = await http.PostAsync(Q(sid), new byte[] { 0, 3, 255, 0x34, 0x68, 0x69 }, "application/octet-stream");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Empty(response.Body);
        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "invalid content"), (close.Reason, close.Description));
    }

    [Fact]
    public async Task Post_at_maxHttpBufferSize_is_accepted()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.MaxHttpBufferSize = 100);
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        RawResponse response = await http.PostAsync(Q(sid), "4" + new string('x', 99));

        Assert.Equal("ok", response.Text);
        Assert.Equal(99, (await host.NextAsync("message", sid)).Message.Data.Length);
    }

    [Fact]
    public async Task Post_over_maxHttpBufferSize_gets_413_and_closes_only_that_session()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.MaxHttpBufferSize = 100);
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string victim, _) = await http.HandshakeAsync();
        (string bystander, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync(Q(victim));
        await Wait.UntilAsync(() => host.Socket(victim).PollWaiting); // the poll is parked

        RawResponse response = await http.PostAsync(Q(victim), "4" + new string('x', 100));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Empty(response.Body);
        ServerEvent close = await host.NextAsync("close", victim);
        Assert.Equal(("transport error", "payload too large"), (close.Reason, close.Description));
        // The waiting poll gets a noop, not a close packet: the client learns of it from the 413
        // ("transport error"), as from the reference, and its next poll finds the session gone.
        Assert.Equal("6", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Q(victim))).Status);
        Assert.Equal("ok", (await http.PostAsync(Q(bystander), "4still here")).Text);
        Assert.Equal("still here", (await host.NextAsync("message", bystander)).Message.Text);
    }

    [Fact]
    public async Task Second_concurrent_get_gets_400_and_the_first_is_answered_with_close()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        Task<RawResponse> first = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        RawResponse second = await http.GetAsync(Q(sid));

        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        Assert.Empty(second.Body);
        Assert.Equal("1", (await first.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "overlap from client"), (close.Reason, close.Description));
    }

    [Fact]
    public async Task Aborted_pending_get_closes_the_session()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        using var cts = new CancellationTokenSource();
        Task<RawResponse> poll = http.GetAsync(Q(sid), cancellationToken: cts.Token);
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "poll connection closed prematurely"), (close.Reason, close.Description));
    }

    [Fact]
    public async Task Client_close_packet_answers_the_pending_get_with_noop()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        RawResponse response = await http.PostAsync(Q(sid), "1");

        Assert.Equal("ok", response.Text);
        Assert.Equal("6", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal("transport close", (await host.NextAsync("close", sid)).Reason);
        RawResponse later = await http.GetAsync(Q(sid));
        Assert.Equal("{\"code\":1,\"message\":\"Session ID unknown\"}", later.Text);
    }

    [Fact]
    public async Task Server_close_answers_a_pending_get_with_close()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        Task<RawResponse> poll = http.GetAsync(Q(sid));
        await Wait.UntilAsync(() => host.Socket(sid).PollWaiting); // the poll is parked

        host.Socket(sid).Close();

        Assert.Equal("1", (await poll.WaitAsync(TimeSpan.FromSeconds(5))).Text);
        Assert.Equal("forced close", (await host.NextAsync("close", sid)).Reason);
    }

    [Fact]
    public async Task Server_close_without_a_pending_get_delivers_buffered_messages_then_noop_and_close()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        EngineSocket socket = host.Socket(sid);

        socket.Send("bye");
        socket.Close();

        Assert.Equal(EngineReadyState.Closing, socket.ReadyState);
        Assert.False(socket.Send("too late"));
        Assert.Equal("4bye", (await http.GetAsync(Q(sid))).Text);
        Assert.Equal("6\u001e1", (await http.GetAsync(Q(sid))).Text);
        Assert.Equal("forced close", (await host.NextAsync("close", sid)).Reason);
        Assert.Equal(EngineReadyState.Closed, socket.ReadyState);
    }

    [Fact]
    public async Task Server_close_without_any_poll_ends_after_the_close_timeout()
    {
        await using var host = await EngineTestHost.StartAsync(o => o.CloseTimeout = TimeSpan.FromMilliseconds(300));
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        host.Socket(sid).Close();

        Assert.Equal("forced close", (await host.NextAsync("close", sid, TimeSpan.FromSeconds(5))).Reason);
        Assert.Equal(0, host.Server.SessionCount);
    }

    [Fact]
    public async Task Overlapping_posts_are_refused_and_close_the_session()
    {
        await using var host = await EngineTestHost.StartAsync();
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        var slowBody = new SlowContent("4slow"u8.ToArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url(Q(sid))) { Content = slowBody };
        using var client = new HttpClient();
        Task<HttpResponseMessage> slow = client.SendAsync(request);
        await slowBody.Started.WaitAsync(TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(() => host.Socket(sid).PollingPostInProgress); // the server is inside the first POST

        RawResponse second = await http.PostAsync(Q(sid), "4fast");
        slowBody.Release();

        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        ServerEvent close = await host.NextAsync("close", sid);
        Assert.Equal(("transport error", "data request overlap from client"), (close.Reason, close.Description));
        await slow.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Post_sent_while_the_previous_posts_ok_is_still_being_written_is_no_overlap()
    {
        // The reference ends a POST before its "ok" goes out; a client that POSTs again (on another
        // connection) as soon as it reads "ok" must not be taken for one that overlaps. Here the
        // first "ok" is held in the middle of its write while the second POST arrives.
        var okWriting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await EngineTestHost.StartAsync(configurePipeline: app => app.Use(next => context =>
        {
            if (context.Request.Query.ContainsKey("hold"))
            {
                context.Response.Body = new HeldWrites(context.Response.Body, okWriting, release.Task);
            }

            return next(context);
        }));
        host.Echo = false;
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();
        using var other = new RawPolling(q => host.Url(q));

        Task<RawResponse> first = http.PostAsync(Q(sid) + "&hold=1", "4first");
        await okWriting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        RawResponse second = await other.PostAsync(Q(sid), "4second");
        release.SetResult();

        Assert.Equal((HttpStatusCode.OK, "ok"), (second.Status, second.Text));
        Assert.Equal((HttpStatusCode.OK, "ok"), ((await first).Status, (await first).Text));
        Assert.Equal("first", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal("second", (await host.NextAsync("message", sid)).Message.Text);
        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
    }

    /// <summary>A response body whose first write says it started, then waits for a release.</summary>
    private sealed class HeldWrites(Stream inner, TaskCompletionSource started, Task release) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await release.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }

    [Fact]
    public async Task Message_handler_that_throws_does_not_break_the_session()
    {
        await using var host = await EngineTestHost.StartAsync(onConnection: s => s.MessageReceived += (_, m) =>
        {
            if (m.Text == "boom")
            {
                throw new InvalidOperationException("handler failure");
            }
        });
        using var http = new RawPolling(q => host.Url(q));
        (string sid, _) = await http.HandshakeAsync();

        Assert.Equal("ok", (await http.PostAsync(Q(sid), "4boom\u001e4fine")).Text);

        Assert.Equal("4boom\u001e4fine", (await http.GetAsync(Q(sid))).Text);
        Assert.Equal(EngineReadyState.Open, host.Socket(sid).ReadyState);
    }

    /// <summary>A request body that sends its first byte, then waits to be released.</summary>
    private sealed class SlowContent(byte[] data) : HttpContent
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(data.AsMemory(0, 1));
            await stream.FlushAsync();
            _started.TrySetResult();
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await stream.WriteAsync(data.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
