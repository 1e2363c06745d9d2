using TypedSocketIo.Protocol;

namespace TypedSocketIo.Server.Cluster;

/// <summary>
/// An acknowledged broadcast across the cluster: adds up the client counts of this node and of
/// every other node, and reports the total once all are known (the operator then waits for that
/// many answers). Answers themselves go straight through.
/// </summary>
internal sealed class AckRequest(Action<int> clientCount, Action<Socket?, SocketIoArgs> onAck)
{
    private readonly object _lock = new();
    private int? _local;
    private int? _expectedNodes;
    private int _nodes;
    private int _total;
    private bool _reported;

    public Action<Socket?, SocketIoArgs> OnAck { get; } = onAck;

    public void SetLocal(int count)
    {
        lock (_lock)
        {
            _local = count;
            _total += count;
        }

        TryReport();
    }

    public void SetExpectedNodes(int nodes)
    {
        lock (_lock)
        {
            _expectedNodes ??= Math.Max(0, nodes);
        }

        TryReport();
    }

    public void AddRemote(int count)
    {
        lock (_lock)
        {
            _nodes++;
            _total += count;
        }

        TryReport();
    }

    private void TryReport()
    {
        int total;
        lock (_lock)
        {
            if (_reported || _local is null || _expectedNodes is not int expected || _nodes < expected)
            {
                return;
            }

            _reported = true;
            total = _total;
        }

        clientCount(total);
    }
}
