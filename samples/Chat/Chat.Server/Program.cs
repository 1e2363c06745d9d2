// The chat sample server: Socket.IO at /socket.io/ (any official client connects), with rooms,
// typing indicators, acknowledgements and an auth middleware. It uses the untyped API for now;
// the typed contracts (Chat.Contracts) arrive with the source generator.
using System.Text.Json;
using TypedSocketIo.Server;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls("http://localhost:5000");
}

builder.Services.AddSocketIo(options => options.AllowEIO3 = true);
var app = builder.Build();
var io = app.MapSocketIo();

// Every client must say who it is: io("http://localhost:5000", { auth: { name: "ada" } }).
io.Use(async (socket, next) =>
{
    if (!socket.Handshake.Auth.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String
        || string.IsNullOrWhiteSpace(name.GetString()))
    {
        throw new ConnectionRejectedException("name required", new { hint = "connect with auth: { name }" });
    }

    socket.Data = name.GetString();
    await next();
});

io.OnConnection(async socket =>
{
    string name = (string)socket.Data!;
    await socket.Join("lobby");
    socket.To("lobby").Emit("user joined", name, io.Sockets.Sockets.Count);

    // join(room) → ack { ok, room }
    socket.On("join", async e =>
    {
        string room = e.Args.GetString(0) ?? "lobby";
        await socket.Join(room);
        socket.To(room).Emit("user joined", name, (await io.In(room).AllSockets()).Count);
        e.Ack(new { ok = true, room });
    });

    // message(room, text) → broadcast to the room, ack with the server time
    socket.On("message", e =>
    {
        string room = e.Args.GetString(0) ?? "lobby";
        string text = e.Args.GetString(1) ?? "";
        io.To(room).Emit("message", new { room, from = name, text, at = DateTimeOffset.UtcNow });
        e.Ack(DateTimeOffset.UtcNow);
    });

    socket.On("typing", e => socket.To(e.Args.GetString(0) ?? "lobby").Volatile.Emit("typing", name, e.Args.Get<bool>(1)));
    socket.Disconnecting += (s, reason) =>
    {
        foreach (string room in s.Rooms)
        {
            if (room != s.Id)
            {
                s.To(room).Emit("user left", name);
            }
        }
    };
});

app.MapGet("/", () => Results.Text(
    "TypedSocketIo chat sample: Socket.IO is served at /socket.io/. Connect with the official client:\n" +
    "  const socket = io(\"http://localhost:5000\", { auth: { name: \"ada\" } });\n" +
    "  socket.emit(\"message\", \"lobby\", \"hello\", (time) => console.log(\"sent at\", time));\n"));
app.Run();
