using System.Collections.Concurrent;
using System.Diagnostics;
using TypedSocketIo.Server.Engine;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

public sealed class TimerWheelTests
{
    [Fact]
    public async Task Timers_fire_once_no_earlier_than_due_including_past_a_full_turn_of_the_wheel()
    {
        // 2 ms ticks: one turn of the 1024-slot wheel is about 2 s, so 2.5 s wraps around.
        using var wheel = new TimerWheel(TimeSpan.FromMilliseconds(2));
        var fired = new ConcurrentDictionary<int, long>();
        var watch = Stopwatch.StartNew();
        int[] delays = [0, 5, 50, 120, 700, 2500];
        foreach (int delay in delays)
        {
            wheel.CreateTimer(s => fired.AddOrUpdate((int)s, watch.ElapsedMilliseconds, (_, _) => -1), delay).Schedule(TimeSpan.FromMilliseconds(delay));
        }

        await Wait.UntilAsync(() => fired.Count == delays.Length, TimeSpan.FromSeconds(10));
        await Task.Delay(100);

        foreach (int delay in delays)
        {
            Assert.InRange(fired[delay], delay, delay + 2000);
        }
    }

    [Fact]
    public async Task Cancelled_and_rescheduled_timers_fire_only_for_their_last_schedule()
    {
        using var wheel = new TimerWheel(TimeSpan.FromMilliseconds(2));
        int cancelled = 0, rescheduled = 0;
        WheelTimer a = wheel.CreateTimer(_ => Interlocked.Increment(ref cancelled), new object());
        WheelTimer b = wheel.CreateTimer(_ => Interlocked.Increment(ref rescheduled), new object());

        a.Schedule(TimeSpan.FromMilliseconds(30));
        a.Cancel();
        b.Schedule(TimeSpan.FromMilliseconds(30));
        b.Schedule(TimeSpan.FromMilliseconds(60));
        b.Schedule(TimeSpan.FromMilliseconds(90));
        await Task.Delay(400);

        Assert.Equal(0, cancelled);
        Assert.Equal(1, rescheduled);
    }

    [Fact]
    public async Task Wheel_sleeps_while_empty_and_wakes_for_the_next_timer()
    {
        using var wheel = new TimerWheel(TimeSpan.FromMilliseconds(2));
        int count = 0;
        WheelTimer timer = wheel.CreateTimer(_ => Interlocked.Increment(ref count), new object());

        timer.Schedule(TimeSpan.FromMilliseconds(10));
        await Wait.UntilAsync(() => Volatile.Read(ref count) == 1, TimeSpan.FromSeconds(5));
        await Task.Delay(300); // asleep now
        var watch = Stopwatch.StartNew();
        timer.Schedule(TimeSpan.FromMilliseconds(20));
        await Wait.UntilAsync(() => Volatile.Read(ref count) == 2, TimeSpan.FromSeconds(5));

        Assert.InRange(watch.ElapsedMilliseconds, 18, 2000);
    }
}
