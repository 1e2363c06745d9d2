using System.Text.Json.Serialization;

namespace TypedSocketIo.NoReflection.Tests;

/// <summary>The client auth's metadata, for a process without reflection.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
