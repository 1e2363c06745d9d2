// The chat sample's console client, on the typed .NET client and the contracts the server uses:
//
//   dotnet run --project samples/Chat/Chat.Client -- [--json] [server-url] <name> [room]
//
// It joins the room (default "lobby"), prints what happens there and sends each line read from
// stdin. Lines starting with "/" are commands: /typing, /typing off, /join <room>, /quit.
// With --json every output line is one JSON object ({"event":"message",...}), for scripts and tests.
using Chat.Client;
using Chat.Contracts;
using TypedSocketIo.Client;

bool json = args.Contains("--json");
string[] positional = args.Where(a => a != "--json").ToArray();
if (positional.Length is 0 or > 3 || positional[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Chat.Client [--json] [server-url] <name> [room]   (default server http://localhost:5000, room lobby)");
    return 1;
}

bool hasUrl = Uri.TryCreate(positional[0], UriKind.Absolute, out Uri? given) && given.Scheme is "http" or "https" or "ws" or "wss";
Uri server = hasUrl ? given! : new Uri("http://localhost:5000");
string[] rest = hasUrl ? positional[1..] : positional;
if (rest.Length is 0 or > 2)
{
    Console.Error.WriteLine("usage: Chat.Client [--json] [server-url] <name> [room]");
    return 1;
}

// The chat lives in the /chat namespace: a server URL without a path means that namespace.
Uri uri = server.AbsolutePath is "" or "/" ? new Uri(server, "/chat") : server;
var output = new ChatOutput(Console.Out, json);
var session = new ChatSession(uri, rest[0], rest.Length > 1 ? rest[1] : "lobby", output);
return await session.RunAsync(Console.In);
