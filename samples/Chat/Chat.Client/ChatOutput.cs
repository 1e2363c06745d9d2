using System.Text;
using System.Text.Json;
using Chat.Contracts;

namespace Chat.Client;

/// <summary>Writes what happens in the chat, one line per event: readable text, or with
/// <c>json</c> one JSON object per line (<c>{"event":"message",…}</c>, pure ASCII).</summary>
public sealed class ChatOutput(TextWriter writer, bool json)
{
    private readonly Lock _lock = new();

    public void Connected(string? id) =>
        Write("connected", $"connected ({id})", w => w.WriteString("sid", id));

    public void Joined(string room, string[] users) =>
        Write("joined", $"joined #{room}: {string.Join(", ", users)}", w =>
        {
            w.WriteString("room", room);
            w.WriteStartArray("users");
            foreach (string user in users)
            {
                w.WriteStringValue(user);
            }

            w.WriteEndArray();
        });

    public void Message(ChatMessage m) =>
        Write("message", $"[{m.At.ToLocalTime():HH:mm:ss}] {m.From}: {m.Text}", w =>
        {
            w.WriteString("id", m.Id);
            w.WriteString("room", m.Room);
            w.WriteString("from", m.From);
            w.WriteString("text", m.Text);
            w.WriteString("at", m.At);
        });

    public void Delivered(string id, DateTimeOffset at, string text) =>
        Write("delivered", $"\u2713 delivered at {at.ToLocalTime():HH:mm:ss}: {text}", w =>
        {
            w.WriteString("id", id);
            w.WriteString("at", at);
            w.WriteString("text", text);
        });

    public void NotDelivered(string text, string error) =>
        Write("not-delivered", $"\u2717 not delivered ({error}): {text}", w =>
        {
            w.WriteString("text", text);
            w.WriteString("error", error);
        });

    public void UserJoined(string name, string room, int online) =>
        Write("user-joined", $"* {name} joined #{room} ({online} online)", w => Who(w, name, room, online));

    public void UserLeft(string name, string room, int online) =>
        Write("user-left", $"* {name} left #{room} ({online} online)", w => Who(w, name, room, online));

    public void Typing(string name, bool isTyping) =>
        Write("typing", isTyping ? $"\u2026 {name} is typing" : $"\u2026 {name} stopped typing", w =>
        {
            w.WriteString("name", name);
            w.WriteBoolean("isTyping", isTyping);
        });

    public void Disconnected(string reason) =>
        Write("disconnected", $"disconnected ({reason})", w => w.WriteString("reason", reason));

    public void Refused(string message, string? data) =>
        Write("refused", $"refused by the server: {message} {data}", w =>
        {
            w.WriteString("message", message);
            if (data is null)
            {
                w.WriteNull("data");
            }
            else
            {
                w.WritePropertyName("data");
                w.WriteRawValue(data);
            }
        });

    public void Error(string message) =>
        Write("error", $"error: {message}", w => w.WriteString("message", message));

    private static void Who(Utf8JsonWriter w, string name, string room, int online)
    {
        w.WriteString("name", name);
        w.WriteString("room", room);
        w.WriteNumber("online", online);
    }

    private void Write(string kind, string text, Action<Utf8JsonWriter> fields)
    {
        string line = text;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("event", kind);
                fields(w);
                w.WriteEndObject();
            }

            line = Encoding.UTF8.GetString(buffer.ToArray());
        }

        lock (_lock)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
