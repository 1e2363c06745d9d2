// The chat sample server. For now it serves the bare Engine.IO layer: every text or binary
// message a client sends is relayed to every connected client (an Engine.IO "chat room").
// The Socket.IO chat with its browser page replaces this as the Socket.IO server lands.
using TypedSocketIo.Server.Engine;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls("http://localhost:5000");
}

var app = builder.Build();

EngineIOServer? engine = null;
engine = app.MapEngineIo("/engine.io/", socket =>
{
    socket.MessageReceived += (_, message) =>
    {
        foreach (EngineSocket client in engine!.Clients)
        {
            client.Send(message);
        }
    };
}).Server;

app.MapGet("/", () => Results.Text(
    "TypedSocketIo chat sample: an Engine.IO relay is served at /engine.io/ " +
    "(every message is sent to every connected client).\n"));
app.Run();
