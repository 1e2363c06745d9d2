using System.Text.Json;
using Chat.Contracts;
using TypedSocketIo;
using TypedSocketIo.Client;

namespace Chat.Client;

/// <summary>One chat participant: connects as <c>name</c>, joins a room, reports what happens there
/// and sends what it reads.</summary>
public sealed class ChatSession(Uri uri, string name, string room, ChatOutput output)
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    private string _room = room;

    /// <summary>Connects, joins, then sends every line of <paramref name="input"/> until it ends or says /quit.</summary>
    /// <returns>The process exit code: 0, or 2 when the server refused the connection or could not be reached.</returns>
    public async Task<int> RunAsync(TextReader input)
    {
        await using var client = SocketIoClient.Create<IChatServerEvents, IChatClientEvents>(uri, new SocketIoClientOptions
        {
            Auth = new Dictionary<string, string> { ["name"] = name },
            AutoConnect = false,
            // The auth and every payload with the contracts' context, never by reflection (AOT).
            JsonOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = ChatJsonContext.Default },
        });

        client.On.Message(m => output.Message(m));
        client.On.UserJoined((who, where, online) => output.UserJoined(who, where, online));
        client.On.UserLeft((who, where, online) => output.UserLeft(who, where, online));
        client.On.Typing((who, isTyping) => output.Typing(who, isTyping));
        client.OnDisconnect((reason, _) => output.Disconnected(reason));
        // Rooms live as long as a connection: join on every (re)connection.
        client.OnConnect(() =>
        {
            output.Connected(client.Id);
            _ = JoinAsync(client, _room);
        });

        try
        {
            using var cts = new CancellationTokenSource(ConnectTimeout);
            await client.ConnectAsync(cts.Token);
        }
        catch (SocketIoConnectException ex) when (ex.RefusedByServer)
        {
            output.Refused(ex.Message, ex.RefusalData?.GetRawText());
            return 2;
        }
        catch (Exception ex) when (ex is SocketIoConnectException or OperationCanceledException)
        {
            output.Error($"cannot connect to {uri}: {ex.Message}");
            return 2;
        }

        while (await input.ReadLineAsync() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line is "/quit")
            {
                break;
            }

            if (line is "/typing" or "/typing on")
            {
                client.Emit.Typing(true);
            }
            else if (line is "/typing off")
            {
                client.Emit.Typing(false);
            }
            else if (line.StartsWith("/join ", StringComparison.Ordinal))
            {
                _room = line["/join ".Length..].Trim();
                await JoinAsync(client, _room);
            }
            else if (line.StartsWith('/'))
            {
                output.Error($"unknown command {line} (/typing, /typing off, /join <room>, /quit)");
            }
            else
            {
                await SendAsync(client, line);
            }
        }

        client.Disconnect();
        return 0;
    }

    private async Task JoinAsync(SocketIoClient<IChatServerEvents, IChatClientEvents> client, string wanted)
    {
        try
        {
            JoinResult result = await client.Timeout(AckTimeout).Emit.Join(wanted);
            if (result.Ok)
            {
                output.Joined(result.Room, result.Users);
            }
            else
            {
                output.Error($"join {wanted}: {result.Error}");
            }
        }
        catch (SocketIoException ex)
        {
            output.Error($"join {wanted}: {ex.Message}");
        }
    }

    private async Task SendAsync(SocketIoClient<IChatServerEvents, IChatClientEvents> client, string text)
    {
        try
        {
            SendResult result = await client.Timeout(AckTimeout).Emit.SendMessage(text);
            if (result.Ok)
            {
                output.Delivered(result.Id!, result.At, text);
            }
            else
            {
                output.NotDelivered(text, result.Error ?? "refused");
            }
        }
        catch (SocketIoException ex)
        {
            output.NotDelivered(text, ex.Message);
        }
    }
}
