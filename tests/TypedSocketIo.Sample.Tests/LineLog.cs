using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace TypedSocketIo.Sample.Tests;

/// <summary>
/// Lines written by a peer (a child process's stdout, the console client's output), waited for
/// with bounded waits and, when they are JSON objects with an <c>event</c>, matched as events.
/// Each line is taken once.
/// </summary>
public sealed class LineLog(string name, Func<bool>? ended = null)
{
    private readonly List<string> _lines = new();
    private readonly List<bool> _taken = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Adds one line.</summary>
    public void Add(string line)
    {
        TaskCompletionSource changed;
        lock (_lines)
        {
            _lines.Add(line);
            _taken.Add(false);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits (bounded) for the first line not yet taken that matches, and takes it.</summary>
    public async Task<string> NextLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        bool drained = false;
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                for (int i = 0; i < _lines.Count; i++)
                {
                    if (!_taken[i] && match(_lines[i]))
                    {
                        _taken[i] = true;
                        return _lines[i];
                    }
                }

                changed = _changed.Task;
            }

            TimeSpan left = timeout - watch.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{name}: no {what} within {timeout}.\n{Describe()}");
            }

            if (ended?.Invoke() == true)
            {
                // Let the reader drain what is left, once.
                if (drained)
                {
                    throw new InvalidOperationException($"{name} ended before {what}.\n{Describe()}");
                }

                drained = true;
                await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(300)));
                continue;
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits (bounded) for the next JSON line with that <c>event</c> that matches, and takes it.</summary>
    public async Task<JsonElement> NextEventAsync(string eventName, Func<JsonElement, bool>? match, TimeSpan timeout)
    {
        string line = await NextLineAsync(l => ParseEvent(l) is { } e && e.GetProperty("event").GetString() == eventName && (match?.Invoke(e) ?? true),
            timeout, $"\"{eventName}\" event");
        return ParseEvent(line)!.Value;
    }

    /// <summary>Whether such an event arrives within a short wait (and takes it).</summary>
    public async Task<bool> TakeEventAsync(string eventName, Func<JsonElement, bool>? match)
    {
        try
        {
            await NextEventAsync(eventName, match, TimeSpan.FromMilliseconds(300));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static JsonElement? ParseEvent(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            JsonElement e = JsonDocument.Parse(line).RootElement.Clone();
            return e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out JsonElement n) && n.ValueKind == JsonValueKind.String ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The last lines, for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"--- {name}:\n");
        lock (_lines)
        {
            foreach (string line in _lines.TakeLast(80))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }
}
