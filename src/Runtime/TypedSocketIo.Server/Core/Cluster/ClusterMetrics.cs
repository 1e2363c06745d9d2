using System.Diagnostics.Metrics;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// The cluster adapters' metrics, on the <see cref="MeterName"/> meter: messages published,
/// received, failed to publish, unreadable, and requests that timed out, each tagged with the
/// message type.
/// </summary>
public sealed class ClusterMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "TypedSocketIo.Cluster";

    private readonly Counter<long> _published;
    private readonly Counter<long> _received;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _invalid;
    private readonly Counter<long> _timeouts;
    private long _publishFailureCount;

    /// <summary>Creates the metrics on a meter of <paramref name="meterFactory"/> (a meter of their own when null).</summary>
    public ClusterMetrics(IMeterFactory? meterFactory = null)
    {
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _published = meter.CreateCounter<long>("socketio.cluster.messages.published", "{message}", "Messages published to the other servers.");
        _received = meter.CreateCounter<long>("socketio.cluster.messages.received", "{message}", "Messages received from the other servers.");
        _publishFailures = meter.CreateCounter<long>("socketio.cluster.publish.failures", "{message}", "Messages that could not be published.");
        _invalid = meter.CreateCounter<long>("socketio.cluster.messages.invalid", "{message}", "Received messages that could not be read.");
        _timeouts = meter.CreateCounter<long>("socketio.cluster.requests.timeouts", "{request}", "Requests whose answers did not all arrive in time.");
    }

    /// <summary>How many messages could not be published so far (also a counter on the meter).</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailureCount);

    internal void Published(ClusterMessageType type) => _published.Add(1, new KeyValuePair<string, object?>("type", type.ToString()));

    internal void Received(ClusterMessageType type) => _received.Add(1, new KeyValuePair<string, object?>("type", type.ToString()));

    internal void PublishFailed(ClusterMessageType type)
    {
        Interlocked.Increment(ref _publishFailureCount);
        _publishFailures.Add(1, new KeyValuePair<string, object?>("type", type.ToString()));
    }

    internal void Invalid() => _invalid.Add(1);

    internal void TimedOut(ClusterMessageType type) => _timeouts.Add(1, new KeyValuePair<string, object?>("type", type.ToString()));
}
