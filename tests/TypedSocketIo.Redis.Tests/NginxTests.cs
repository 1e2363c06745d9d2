using System.Text.Json;
using TypedSocketIo.Interop.Tests;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Redis.Tests;

/// <summary>
/// Debian's nginx in front of two TypedSocketIo servers on the Redis adapter, with the official
/// socket.io-client (HTTP long-polling first, then the upgrade to WebSocket) connecting through it.
/// Every client comes from 127.0.0.1, so stickiness is by a per-client query parameter
/// (<c>hash $arg_client consistent</c>) rather than <c>ip_hash</c>, which would send them all to one server.
/// </summary>
public sealed class NginxTests
{
    private static object Options(string id, bool reconnection = true) => new
    {
        query = new { client = id },
        auth = new { user = id },
        reconnection,
        reconnectionDelay = 100,
        reconnectionDelayMax = 500,
        // A connection per request, as a browser behind a fresh page would open after nginx reloads:
        // a pooled keep-alive connection could still reach a worker of the previous configuration,
        // which maps the client to another server than its handshake did.
        agent = false,
    };

    private static async Task<string> TransportAsync(SioDriver clients, string id)
    {
        await clients.Node.SendAsync(new { cmd = "status", id });
        JsonElement status = await clients.Node.NextAsync("status", id);
        return status.GetProperty("transport").GetString() ?? "";
    }

    private static async Task WaitForWebSocketAsync(SioDriver clients, IEnumerable<string> ids)
    {
        foreach (string id in ids)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (await TransportAsync(clients, id) != "websocket")
            {
                await Task.Delay(20, cts.Token);
            }
        }
    }

    /// <summary>
    /// Waits until the client is on WebSocket: true; false, with the client disconnected, when its
    /// session ended first (it does not reconnect) or it is still polling after a few seconds (its
    /// upgrade request met the same race and failed).
    /// </summary>
    private static async Task<bool> UpgradedAsync(SioDriver clients, string id)
    {
        long deadline = Environment.TickCount64 + 5000;
        while (Environment.TickCount64 < deadline)
        {
            await clients.Node.SendAsync(new { cmd = "status", id });
            JsonElement status = await clients.Node.NextAsync("status", id);
            if (!status.GetProperty("connected").GetBoolean())
            {
                return false;
            }

            if (status.GetProperty("transport").GetString() == "websocket")
            {
                return true;
            }

            await Task.Delay(20);
        }

        await clients.DisconnectAsync(id);
        return false;
    }

    private static async Task ChatAsync(SioDriver clients, string from, string text, IEnumerable<string> everyone)
    {
        await clients.EmitAsync(from, "chat", [text]);
        foreach (string id in everyone)
        {
            JsonElement message = await clients.MessageAsync(id, "chat", TimeSpan.FromSeconds(15));
            Assert.Equal(from, message.GetProperty("args")[0].GetString());
            Assert.Equal(text, message.GetProperty("args")[1].GetString());
        }
    }

    [Fact]
    public async Task Clients_through_nginx_upgrade_chat_across_nodes_and_move_to_the_other_node_when_theirs_restarts()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        DotNetNode a = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        await using DotNetNode b = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
        DotNetNode? restarted = null;
        try
        {
            await DotNetClusterTests.WaitForServersAsync(2, a, b);
            await using NginxServer nginx = await NginxServer.StartAsync(a.Host.BaseUri.Port, b.Host.BaseUri.Port);
            await using SioDriver clients = await SioDriver.StartAsync();

            // The hash of each client's parameter picks its server: connect until both serve two.
            var onA = new List<string>();
            var onB = new List<string>();
            for (int i = 0; onA.Count < 2 || onB.Count < 2; i++)
            {
                Assert.True(i < 40, $"40 clients and still not two on each server ({onA.Count} on A, {onB.Count} on B).");
                string id = "c" + i;
                string sid = await clients.ConnectAsync(id, nginx.Url, Options(id));
                bool isOnA = a.Io.Sockets.Sockets.ContainsKey(sid);
                Assert.True(isOnA || b.Io.Sockets.Sockets.ContainsKey(sid), $"{id} ({sid}) is on neither server.");
                (isOnA ? onA : onB).Add(id);
            }

            List<string> everyone = [.. onA, .. onB];
            await WaitForWebSocketAsync(clients, everyone);
            await ChatAsync(clients, onA[0], "hello from A", everyone);
            await ChatAsync(clients, onB[0], "hello from B", everyone);

            // Server A stops: its clients reconnect through nginx, which sends them to B.
            await a.DisposeAsync();
            foreach (string id in onA)
            {
                await clients.Node.NextAsync(e => e.GetProperty("event").GetString() == "disconnect" && e.GetProperty("id").GetString() == id, TimeSpan.FromSeconds(15));
                JsonElement again = await clients.Node.NextAsync("connect", id, TimeSpan.FromSeconds(20));
                Assert.True(b.Io.Sockets.Sockets.ContainsKey(again.GetProperty("sid").GetString()!), $"{id} reconnected elsewhere than B.");
            }

            await WaitForWebSocketAsync(clients, onA);
            await ChatAsync(clients, onA[1], "A's client, now on B", everyone);
            await ChatAsync(clients, onB[1], "B's client", everyone);

            // A comes back (on a new port; nginx reloads): new clients reach it and chat with B's.
            restarted = await DotNetNode.StartAsync(redis, RedisAdapterFlavour.Classic);
            await DotNetClusterTests.WaitForServersAsync(2, restarted, b);
            await nginx.ReloadAsync(restarted.Host.BaseUri.Port, b.Host.BaseUri.Port);
            string? late = null;
            for (int i = 0; late is null; i++)
            {
                Assert.True(i < 40, "40 new clients and none on the restarted server.");
                string id = "late" + i;
                await clients.SendConnectAsync(id, nginx.Url, Options(id, reconnection: false));
                JsonElement answer = await clients.Node.NextAsync(e => e.GetProperty("event").GetString() is "connect" or "connect_error"
                    && e.GetProperty("id").GetString() == id);
                if (answer.GetProperty("event").GetString() == "connect_error")
                {
                    // Right after a reload, a request may still reach a worker of the old
                    // configuration (an idle keep-alive connection it has not closed yet), which maps
                    // the client to another server than its handshake: that session fails, as it would
                    // for a browser, and the next client tries again. The loop's bound still holds.
                    continue;
                }

                if (!restarted.Io.Sockets.Sockets.ContainsKey(answer.GetProperty("sid").GetString()!))
                {
                    await clients.DisconnectAsync(id); // on B: not the client this step looks for
                    continue;
                }

                // The same race can break a session that has connected, on one of its later polls,
                // until it is on its own WebSocket: only a client that got there counts.
                if (await UpgradedAsync(clients, id))
                {
                    late = id;
                }
            }

            everyone.Add(late);
            await ChatAsync(clients, late, "back on A", everyone);
            await ChatAsync(clients, onA[0], "welcome back", everyone);
            Assert.Contains("reconfiguring", nginx.ErrorLog());
        }
        finally
        {
            await a.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }
}
