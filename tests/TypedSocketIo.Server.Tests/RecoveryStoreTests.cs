using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TypedSocketIo.Protocol;
using TypedSocketIo.Testing;

namespace TypedSocketIo.Server.Tests;

/// <summary>The in-memory adapter's sessions and event log for connection state recovery: bounded, expiring, filtered (the reference's adapter tests).</summary>
public sealed class RecoveryStoreTests
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private static BroadcastOptions To(params string[] rooms) => new(new HashSet<string>(rooms), None, default);

    private static JsonPayload Event(int n) => new(Encoding.UTF8.GetBytes($"[\"e\",{n}]"), []);

    private static string Text(JsonPayload payload) => Encoding.UTF8.GetString(payload.Json.Span);

    [Fact]
    public void The_log_gives_back_what_came_after_an_offset_for_the_sessions_rooms_with_each_offset_appended()
    {
        var log = new PacketLog(100, TimeSpan.FromMinutes(1));
        string first = log.Add(To(), Event(0), 0);
        log.Add(To("r1"), Event(1), 0);
        log.Add(To("r2"), Event(2), 0);
        string third = log.Add(new BroadcastOptions(None, new HashSet<string> { "r1" }, default), Event(3), 0);
        log.Add(To(), Event(4), 0);

        List<JsonPayload> missed = log.After(first, ["sid", "r1"])!;

        Assert.Equal(2, missed.Count); // r1's event and the one to everybody; not r2's, not the one excepting r1
        Assert.StartsWith("[\"e\",1,\"", Text(missed[0]));
        Assert.StartsWith("[\"e\",4,\"", Text(missed[1]));
        Assert.NotEqual(third, first);
        Assert.Null(log.After("unknown", ["sid"]));
    }

    [Fact]
    public void The_log_keeps_at_most_its_cap_and_an_offset_that_left_it_is_unknown()
    {
        var log = new PacketLog(3, TimeSpan.FromMinutes(1));
        string oldest = log.Add(To(), Event(0), 0);
        string kept = log.Add(To(), Event(1), 0);
        log.Add(To(), Event(2), 0);
        log.Add(To(), Event(3), 0);

        Assert.Equal(3, log.Count);
        Assert.Null(log.After(oldest, ["sid"]));
        Assert.Equal(2, log.After(kept, ["sid"])!.Count);
    }

    [Fact]
    public void Log_entries_and_sessions_expire_on_time()
    {
        var log = new PacketLog(100, TimeSpan.FromMilliseconds(1000));
        log.Add(To(), Event(0), nowMs: 0);
        log.Add(To(), Event(1), nowMs: 900);
        log.Expire(nowMs: 1500);
        Assert.Equal(1, log.Count);

        var sessions = new SessionStore(100, TimeSpan.FromMilliseconds(1000));
        sessions.Add(new RecoverySession("a", "pa", ["a"], null), nowMs: 0);
        sessions.Add(new RecoverySession("b", "pb", ["b"], null), nowMs: 900);
        sessions.Expire(nowMs: 1500);
        Assert.Equal(1, sessions.Count);
        Assert.Null(sessions.Take("pb", nowMs: 2000)); // expired by the time it is asked for
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void Sessions_are_capped_oldest_first_and_given_back_once()
    {
        var sessions = new SessionStore(2, TimeSpan.FromMinutes(1));
        sessions.Add(new RecoverySession("a", "pa", ["a"], null), 0);
        sessions.Add(new RecoverySession("b", "pb", ["b"], null), 1);
        sessions.Add(new RecoverySession("c", "pc", ["c"], null), 2);

        Assert.Equal(2, sessions.Count);
        Assert.Null(sessions.Take("pa", 3));
        Assert.Equal("b", sessions.Take("pb", 3)!.Sid);
        Assert.Null(sessions.Take("pb", 3));
    }

    [Fact]
    public void The_ConnectionStateRecovery_section_turns_recovery_on_with_its_values_and_Enabled_false_turns_it_off()
    {
        static SocketIoServerOptions Bind(Dictionary<string, string?> values)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
            services.AddSocketIo();
            return services.BuildServiceProvider().GetRequiredService<IOptions<SocketIoServerOptions>>().Value;
        }

        SocketIoServerOptions on = Bind(new() { ["SocketIo:ConnectionStateRecovery:MaxDisconnectionDuration"] = "00:00:30", ["SocketIo:ConnectionStateRecovery:MaxSessions"] = "5" });
        Assert.Equal(TimeSpan.FromSeconds(30), on.ConnectionStateRecovery!.MaxDisconnectionDuration);
        Assert.Equal(5, on.ConnectionStateRecovery.MaxSessions);
        Assert.True(on.ConnectionStateRecovery.SkipMiddlewares);
        Assert.Equal(10_000, on.ConnectionStateRecovery.MaxLoggedPackets);
        Assert.Null(Bind(new() { ["SocketIo:ConnectionStateRecovery:Enabled"] = "false" }).ConnectionStateRecovery);
        Assert.Null(Bind(new() { ["SocketIo:PingInterval"] = "00:00:10" }).ConnectionStateRecovery);
    }
}
