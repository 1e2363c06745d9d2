namespace TypedSocketIo.Client;

/// <summary>Exponential backoff with jitter (the reference's backo2).</summary>
internal sealed class Backoff(TimeSpan min, TimeSpan max, double jitter)
{
    public int Attempts { get; private set; }

    public TimeSpan Duration()
    {
        double ms = min.TotalMilliseconds * Math.Pow(2, Attempts++);
        if (jitter > 0)
        {
            double rand = Random.Shared.NextDouble();
            double deviation = Math.Floor(rand * jitter * ms);
            ms = ((int)Math.Floor(rand * 10) & 1) == 0 ? ms - deviation : ms + deviation;
        }

        return TimeSpan.FromMilliseconds(Math.Max(0, Math.Min(ms, max.TotalMilliseconds)));
    }

    public void Reset() => Attempts = 0;
}
