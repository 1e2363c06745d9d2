using System.Text.Json.Serialization;

namespace TypedSocketIo.Server;

/// <summary>Source-generated JSON for the server's own payloads.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class SocketIoJsonContext : JsonSerializerContext;
