using TypedSocketIo.Protocol;
using TypedSocketIo.Server.Engine;
using TypedSocketIo.Threading;

namespace TypedSocketIo.Server.Cluster;

/// <summary>A request to the other nodes that waits for a number of answers, or fails when its time is up.</summary>
internal sealed class PendingRequest
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ScheduledTimer? _timer;
    private int _received;

    public PendingRequest(ClusterMessageType type, int expected)
    {
        Type = type;
        Expected = expected;
    }

    public ClusterMessageType Type { get; }

    public int Expected { get; }

    public int Received => Volatile.Read(ref _received);

    public List<RemoteSocket> Sockets { get; } = new();

    public List<SocketIoArgs> Answers { get; } = new();

    public HashSet<string> Rooms { get; } = new(StringComparer.Ordinal);

    public Task Task => _done.Task;

    /// <summary>Arms the timeout; <paramref name="onTimeout"/> runs once if it passes first.</summary>
    public void Start(TimeSpan timeout, Action<PendingRequest> onTimeout)
    {
        _timer = TimerScheduler.Shared.CreateTimer(static s =>
        {
            var (request, callback) = ((PendingRequest, Action<PendingRequest>))s;
            callback(request);
        }, (this, onTimeout));
        _timer.Schedule(timeout);
    }

    /// <summary>Counts one answer (its content already added under the lock of this object); true when it was the last.</summary>
    public bool CountAnswer()
    {
        if (Interlocked.Increment(ref _received) < Expected)
        {
            return false;
        }

        _timer?.Cancel();
        return _done.TrySetResult();
    }

    public bool Fail(Exception error)
    {
        _timer?.Cancel();
        return _done.TrySetException(error);
    }

    public bool Cancel(CancellationToken token)
    {
        _timer?.Cancel();
        return _done.TrySetCanceled(token);
    }
}
