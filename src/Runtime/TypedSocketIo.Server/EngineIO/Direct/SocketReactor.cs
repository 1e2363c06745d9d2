using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>
/// Readiness of the bare sockets' reads, from one epoll set the server keeps (Linux): one thread
/// waits on it for every socket, and tells each socket's stream when bytes (or its end) arrived.
/// </summary>
/// <remarks>
/// <para>
/// .NET's own wait for a socket's data (an asynchronous receive) keeps, for the socket's life, its
/// registration with .NET's epoll thread and a cached receive operation with its event arguments:
/// about 540 bytes per socket measured, besides the socket's async context. A socket registered
/// here keeps a slot in one array and the few fields its stream waits with.
/// </para>
/// <para>
/// Registrations are edge-triggered, made once for the socket's life: no system call per wait. A
/// readiness that comes while no read waits is kept by the stream (<see cref="IReady.OnReady"/>),
/// so none is lost between a read that found nothing and the wait that follows it. A slot is
/// reused after its socket left; a readiness still on its way to the old socket then reaches the
/// new one, whose read finds nothing and waits again.
/// </para>
/// <para>
/// A socket on the reactor is read and written with the system's own calls, in non-blocking mode
/// set on its descriptor (<see cref="TryReceive"/>, <see cref="Send"/>): .NET's non-blocking
/// mode, and its own reads and writes, would make the socket's async context (about 220 bytes)
/// though no operation of .NET waits.
/// </para>
/// <para>
/// A woken read goes on on the thread pool. With .NET's own opt-in for inline socket completions
/// (the environment variable <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, which makes
/// .NET's sockets complete on their epoll thread) it goes on on the reactor's thread, as .NET's
/// do: no thread hop per read, but a handler that blocks holds up every bare socket's reads.
/// </para>
/// <para>
/// Elsewhere than Linux on x64 or Arm64, or where epoll cannot be had, there is no reactor
/// (<see cref="Shared"/> is null) and the streams wait with .NET's receive. The AppContext switch
/// <c>TypedSocketIo.Server.UseSocketReactor</c> set to false does the same on Linux.
/// </para>
/// </remarks>
internal sealed unsafe partial class SocketReactor
{
    /// <summary>What a registered socket is told.</summary>
    internal interface IReady
    {
        /// <summary>Bytes, the peer's end or an error arrived: called on the reactor's thread, which it must not hold up (unless <see cref="Inline"/>).</summary>
        void OnReady();
    }

    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const uint EpollRdHup = 0x2000;
    private const uint EpollEt = 1u << 31;
    private const int EpollCloExec = 0x80000;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;
    private const int MsgPeek = 0x2;
    private const int MsgNoSignal = 0x4000;
    private const int BatchSize = 256;

    private static readonly Lazy<SocketReactor?> s_shared = new(Create);

    // epoll_event is packed on x64 (12 bytes, its data at 4), natural on Arm64 (16, at 8).
    private static readonly int s_eventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 ? 12 : 16;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private IReady?[] _slots = new IReady?[1024];
    private int[] _free = new int[1024];
    private int _freeCount;
    private int _used;

    private SocketReactor(int epoll)
    {
        _epoll = epoll;
        var thread = new Thread(Run) { IsBackground = true, Name = "TypedSocketIo socket reactor" };
        thread.Start();
    }

    /// <summary>Whether the server's streams have their woken reads go on on the reactor's thread (see the remarks).</summary>
    public static bool Inline { get; } = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";

    /// <summary>The server's reactor, started on first use; null where there is none (see the remarks).</summary>
    public static SocketReactor? Shared => s_shared.Value;

    private static SocketReactor? Create()
    {
        // The constants here (errno values, flags, epoll_event's layout) are Linux's on these.
        if (!OperatingSystem.IsLinux()
            || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)
            || (AppContext.TryGetSwitch("TypedSocketIo.Server.UseSocketReactor", out bool use) && !use))
        {
            return null;
        }

        try
        {
            int epoll = epoll_create1(EpollCloExec);
            return epoll < 0 ? null : new SocketReactor(epoll);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Registers <paramref name="socket"/> for <paramref name="ready"/>: its slot, or -1 when epoll refused it (the caller then waits with .NET's receive).</summary>
    public int Register(SafeSocketHandle socket, IReady ready)
    {
        int slot;
        lock (_lock)
        {
            if (_freeCount > 0)
            {
                slot = _free[--_freeCount];
            }
            else
            {
                if (_used == _slots.Length)
                {
                    // A new array, published before the socket is added: a readiness of the new
                    // slot is read after it, from the new array.
                    IReady?[] grown = new IReady?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                    Array.Resize(ref _free, grown.Length);
                }

                slot = _used++;
            }

            Volatile.Write(ref _slots[slot], ready);
        }

        byte* ev = stackalloc byte[16];
        *(uint*)ev = EpollIn | EpollRdHup | EpollEt;
        Unsafe.WriteUnaligned(ev + (s_eventSize - 8), (ulong)slot);
        if (epoll_ctl(_epoll, EpollCtlAdd, socket, ev) == 0)
        {
            return slot;
        }

        Free(slot);
        return -1;
    }

    /// <summary>
    /// The socket in <paramref name="slot"/> leaves: taken out of the set when it stays open
    /// (<paramref name="open"/>; a closed socket leaves the set with its descriptor), its slot free.
    /// </summary>
    public void Release(int slot, SafeSocketHandle? open)
    {
        if (open is not null)
        {
            byte* ev = stackalloc byte[16];
            _ = epoll_ctl(_epoll, EpollCtlDel, open, ev);
        }

        Free(slot);
    }

    private void Free(int slot)
    {
        lock (_lock)
        {
            _slots[slot] = null;
            _free[_freeCount++] = slot;
        }
    }

    private void Run()
    {
        int size = s_eventSize;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(BatchSize * size));
        while (true)
        {
            int count = epoll_wait(_epoll, events, BatchSize, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() != Eintr)
                {
                    Thread.Sleep(10); // not expected of a valid set: waits again, never spinning
                }

                continue;
            }

            IReady?[] slots = Volatile.Read(ref _slots);
            for (int i = 0; i < count; i++)
            {
                ulong slot = Unsafe.ReadUnaligned<ulong>(events + (i * size) + (size - 8));
                if (slot < (ulong)slots.Length || slot < (ulong)(slots = Volatile.Read(ref _slots)).Length)
                {
                    Volatile.Read(ref slots[(int)slot])?.OnReady();
                }
            }
        }
    }

    /// <summary>Puts the socket in non-blocking mode, or back: false when the system refused.</summary>
    public static bool TrySetNonBlocking(SafeSocketHandle socket, bool nonBlocking)
    {
        int flags = fcntl(socket, FGetFl, 0);
        if (flags < 0)
        {
            return false;
        }

        flags = nonBlocking ? flags | ONonBlock : flags & ~ONonBlock;
        return fcntl(socket, FSetFl, flags) == 0;
    }

    /// <summary>
    /// Reads what the non-blocking <paramref name="socket"/> has into <paramref name="buffer"/> (or
    /// looks, with <paramref name="peek"/>): false when it has nothing yet, else the count (0 at the
    /// peer's end) or the failure in <paramref name="error"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public static bool TryReceive(SafeSocketHandle socket, Span<byte> buffer, bool peek, out int count, out SocketError error)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                nint result = recv(socket, bytes, (nuint)buffer.Length, peek ? MsgPeek : 0);
                if (Done(result, out count, out error, out bool again))
                {
                    return true;
                }

                if (again)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>Sends what the non-blocking <paramref name="socket"/> takes now of <paramref name="buffer"/>: the count (0 when it takes nothing yet), or the failure in <paramref name="error"/>.</summary>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public static int Send(SafeSocketHandle socket, ReadOnlySpan<byte> buffer, out SocketError error)
    {
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                nint result = send(socket, bytes, (nuint)buffer.Length, MsgNoSignal);
                if (Done(result, out int count, out error, out bool again))
                {
                    return count;
                }

                if (again)
                {
                    error = SocketError.Success;
                    return 0;
                }
            }
        }
    }

    /// <summary>A call's result: done (a count or a failure), or to be tried again now (interrupted), or later (<paramref name="again"/>).</summary>
    private static bool Done(nint result, out int count, out SocketError error, out bool again)
    {
        again = false;
        if (result >= 0)
        {
            count = (int)result;
            error = SocketError.Success;
            return true;
        }

        count = 0;
        error = SocketError.Success;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Eintr)
        {
            return false;
        }

        if (errno == Eagain)
        {
            again = true;
            return false;
        }

        error = errno switch
        {
            104 => SocketError.ConnectionReset, // ECONNRESET
            32 => SocketError.Shutdown, // EPIPE
            103 => SocketError.ConnectionAborted, // ECONNABORTED
            107 => SocketError.NotConnected, // ENOTCONN
            110 => SocketError.TimedOut, // ETIMEDOUT
            113 => SocketError.HostUnreachable, // EHOSTUNREACH
            101 => SocketError.NetworkUnreachable, // ENETUNREACH
            12 or 105 => SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
            _ => SocketError.SocketError,
        };
        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(SafeSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(SafeSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeSocketHandle socket, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, SafeSocketHandle socket, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);
}
