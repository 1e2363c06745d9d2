using System.Text.Json;

namespace TypedSocketIo.Client.Tests;

/// <summary>What the scenario servers answer to whoami.</summary>
public sealed record WhoAmI(string Nsp, string Id, string Transport, JsonElement Auth, string? Query, string? Header);

/// <summary>The client's answer to the server's question.</summary>
public sealed record Answer(string Got, byte[] Data);

/// <summary>Events the scenario servers send to clients.</summary>
[SocketIoEvents]
public interface IScenarioServerEvents
{
    /// <summary>The answer is the client's acknowledgement.</summary>
    Task<Answer> Question(string question);

    /// <summary>The server sends echo back with the client's arguments.</summary>
    void Echo(string text, int number, byte[] data);
}

/// <summary>Events clients send to the scenario servers.</summary>
[SocketIoEvents]
public interface IScenarioClientEvents
{
    Task<WhoAmI> Whoami();

    void Echo(string text, int number, byte[] data);

    /// <summary>The server asks the client "question" and acknowledges with the answer.</summary>
    Task<Answer> Ask(string question);

    /// <summary>Acknowledged from the third try on, with the try's number.</summary>
    Task<int> Flaky(string key);

    /// <summary>Never acknowledged.</summary>
    Task Never(string value);

    void Record(string value);
}
