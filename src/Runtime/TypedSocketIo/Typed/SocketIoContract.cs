using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace TypedSocketIo;

/// <summary>What the generator knows about one event of a contract.</summary>
/// <param name="Name">The wire name.</param>
/// <param name="MethodName">The contract method.</param>
/// <param name="ParameterCount">How many arguments travel (a trailing CancellationToken excluded).</param>
/// <param name="ExpectsAck">Whether the emitter waits for an acknowledgement.</param>
public sealed record SocketIoEventInfo(string Name, string MethodName, int ParameterCount, bool ExpectsAck);

/// <summary>
/// The generated code of the contract <typeparamref name="T"/>, registered by a module
/// initializer of the assembly the generator ran in: no reflection finds it.
/// </summary>
public static class SocketIoContract<T>
    where T : class
{
    private static Func<ISocketIoEmitTarget, T>? s_createEmitter;
    private static Func<Listeners<T>, T, IDisposable>? s_bind;
    private static IReadOnlyList<SocketIoEventInfo> s_events = Array.Empty<SocketIoEventInfo>();

    /// <summary>Called by generated code: registers the contract's emitter factory, binder and events.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(Func<ISocketIoEmitTarget, T> createEmitter, Func<Listeners<T>, T, IDisposable> bind, SocketIoEventInfo[] events)
    {
        s_events = events ?? throw new ArgumentNullException(nameof(events));
        s_bind = bind ?? throw new ArgumentNullException(nameof(bind));
        Volatile.Write(ref s_createEmitter, createEmitter ?? throw new ArgumentNullException(nameof(createEmitter)));
    }

    /// <summary>Whether generated code for <typeparamref name="T"/> is registered.</summary>
    public static bool IsRegistered => EnsureRegistered(throwIfMissing: false);

    /// <summary>The events of the contract.</summary>
    public static IReadOnlyList<SocketIoEventInfo> Events
    {
        get
        {
            EnsureRegistered(throwIfMissing: true);
            return s_events;
        }
    }

    /// <summary>The generated emitter of <typeparamref name="T"/> over <paramref name="target"/>.</summary>
    public static T CreateEmitter(ISocketIoEmitTarget target)
    {
        EnsureRegistered(throwIfMissing: true);
        return s_createEmitter!(target);
    }

    /// <summary>Adds every method of <paramref name="handler"/> as the handler of its event.</summary>
    public static IDisposable Bind(Listeners<T> listeners, T handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureRegistered(throwIfMissing: true);
        return s_bind!(listeners, handler);
    }

    private static bool EnsureRegistered(bool throwIfMissing)
    {
        if (Volatile.Read(ref s_createEmitter) is not null)
        {
            return true;
        }

        // Naming T as a type argument does not run its module's initializer; run it now (it
        // registers the contracts declared there). Contracts imported with [SocketIoContracts] are
        // registered by the importing assembly, whose initializer runs with its first code — the
        // application's, at the latest.
        RuntimeHelpers.RunModuleConstructor(typeof(T).Module.ModuleHandle);
        if (Volatile.Read(ref s_createEmitter) is not null)
        {
            return true;
        }

        if (System.Reflection.Assembly.GetEntryAssembly() is { } entry)
        {
            RuntimeHelpers.RunModuleConstructor(entry.ManifestModule.ModuleHandle);
            if (Volatile.Read(ref s_createEmitter) is not null)
            {
                return true;
            }
        }

        if (throwIfMissing)
        {
            throw new InvalidOperationException(
                $"No generated code is registered for {typeof(T).FullName}. Mark the interface with [SocketIoEvents] in a project that " +
                "references TypedSocketIo (its generator runs there), or import it with [assembly: SocketIoContracts(typeof(…))].");
        }

        return false;
    }
}
