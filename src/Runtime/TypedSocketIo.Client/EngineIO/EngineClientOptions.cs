using System.Net.WebSockets;

namespace TypedSocketIo.Client.EngineIO;

/// <summary>Where and how an Engine.IO client session connects (taken from the Manager's options).</summary>
internal sealed class EngineClientOptions
{
    public required Uri Uri { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Query { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; }

    public required IReadOnlyList<string> Transports { get; init; }

    public bool Upgrade { get; init; } = true;

    public bool TimestampRequests { get; init; } = true;

    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; init; }

    public HttpMessageHandler? HttpHandler { get; init; }
}
