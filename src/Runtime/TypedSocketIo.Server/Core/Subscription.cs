namespace TypedSocketIo.Server;

/// <summary>Runs an action once, when disposed (a handler registration to undo).</summary>
internal sealed class Subscription(Action dispose) : IDisposable
{
    private Action? _dispose = dispose;

    public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
}
