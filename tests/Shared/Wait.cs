using System.Diagnostics;

namespace TypedSocketIo.Testing;

/// <summary>Bounded polling for a condition.</summary>
public static class Wait
{
    /// <summary>Waits until <paramref name="condition"/> holds; throws TimeoutException after <paramref name="limit"/> (10 s).</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        TimeSpan max = limit ?? TimeSpan.FromSeconds(10);
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > max)
            {
                throw new TimeoutException($"Condition not met within {max}.");
            }

            await Task.Delay(5);
        }
    }
}
