// The chat sample server: a typed Socket.IO namespace (/chat, contracts in Chat.Contracts) with
// rooms, typing indicators, acknowledgements and an auth middleware, plus a chat page (wwwroot)
// that uses the official JavaScript client served at /socket.io/socket.io.js.
using System.Text.Json;
using Chat.Contracts;
using TypedSocketIo.Server;

// The page lives in wwwroot beside the project and is also copied next to the binaries: use the
// copy when the current directory has none (dotnet path/to/Chat.Server.dll from anywhere).
string? webRoot = Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot"))
    ? null
    : Path.Combine(AppContext.BaseDirectory, "wwwroot");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = webRoot });
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls("http://localhost:5000");
}

// Socket.IO's WebSockets are taken at the listener, below ASP.NET Core's HTTP layer, and served
// on their bare sockets by the server's transport: an idle session holds less memory, and the page
// and long-polling still go through Kestrel and the pipeline below. The auth check is Socket.IO
// middleware, which runs either way (docs/server.md, "WebSockets from the listener").
builder.WebHost.UseSocketIoTransport();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseSocketIoWebSockets()));
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);   // no line per request
// Payloads, auth and refusals are serialized with the contracts' context, never by reflection:
// the server also runs as a native AOT binary (docs/aot.md).
builder.Services.AddSocketIo(options =>
    options.JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = ChatJsonContext.Default });
var app = builder.Build();

app.UseDefaultFiles();
app.UseStaticFiles();

var io = app.MapSocketIo().Server;
var chat = io.Of<IChatClientEvents, IChatServerEvents>("/chat");

// Every client must say who it is: io("/chat", { auth: { name: "ada" } }).
chat.Use(async (socket, next) =>
{
    string? name = socket.Handshake.Auth.ValueKind == JsonValueKind.Object
        && socket.Handshake.Auth.TryGetProperty("name", out JsonElement value) && value.ValueKind == JsonValueKind.String
        ? value.GetString()?.Trim()
        : null;
    if (string.IsNullOrEmpty(name) || name.Length > 32)
    {
        throw new ConnectionRejectedException("name required", new ChatRefusal("NAME_REQUIRED", "connect with auth: { name } (1 to 32 characters)"));
    }

    socket.Data = new ChatUser(name);
    await next();
});

chat.OnConnection(socket =>
{
    var user = (ChatUser)socket.Data!;

    socket.On.Join(async room =>
    {
        room = room.Trim();
        if (room.Length is 0 or > 32)
        {
            return new JoinResult(false, room, [], "room names have 1 to 32 characters");
        }

        if (user.Room is { } previous && previous != room)
        {
            await socket.Leave(previous);
            user.Room = null;
            socket.To(previous).Emit.UserLeft(user.Name, previous, await CountAsync(previous));
        }

        await socket.Join(room);
        user.Room = room;
        string[] users = await UsersAsync(room);
        socket.To(room).Emit.UserJoined(user.Name, room, users.Length);
        return new JoinResult(true, room, users);
    });

    // Everyone else in the room gets the message; the sender gets its id and the server time as the ack.
    socket.On.SendMessage(text =>
    {
        if (user.Room is not { } room)
        {
            return new SendResult(false, null, DateTimeOffset.UtcNow, "join a room first");
        }

        if (string.IsNullOrWhiteSpace(text) || text.Length > 2000)
        {
            return new SendResult(false, null, DateTimeOffset.UtcNow, "messages have 1 to 2000 characters");
        }

        var message = new ChatMessage(Guid.NewGuid().ToString("N"), room, user.Name, text, DateTimeOffset.UtcNow);
        socket.To(room).Emit.Message(message);
        return new SendResult(true, message.Id, message.At);
    });

    // Typing indicators are volatile: one that cannot go out at once is dropped, the next one will do.
    socket.On.Typing(isTyping =>
    {
        if (user.Room is { } room)
        {
            socket.To(room).Volatile.Emit.Typing(user.Name, isTyping);
        }
    });

    socket.Untyped.Disconnected += async (_, _, _) =>
    {
        if (user.Room is { } room)
        {
            try
            {
                chat.To(room).Emit.Typing(user.Name, false);
                chat.To(room).Emit.UserLeft(user.Name, room, await CountAsync(room));
            }
            catch (Exception ex)
            {
                app.Logger.LogWarning(ex, "Could not announce that {Name} left {Room}", user.Name, room);
            }
        }
    };
});

app.Run();

async Task<int> CountAsync(string room) => (await chat.In(room).AllSockets()).Count;

async Task<string[]> UsersAsync(string room)
{
    var names = new List<string>();
    foreach (RemoteSocket socket in await chat.In(room).FetchSockets())
    {
        if (socket.Data is ChatUser user)
        {
            names.Add(user.Name);
        }
    }

    names.Sort(StringComparer.OrdinalIgnoreCase);
    return names.ToArray();
}

/// <summary>Who a connection is (from the handshake) and the room it is in.</summary>
internal sealed class ChatUser(string name)
{
    public string Name { get; } = name;

    public string? Room { get; set; }
}
