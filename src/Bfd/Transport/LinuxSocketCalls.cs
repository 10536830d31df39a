using System.Runtime.InteropServices;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// The Linux system calls behind the batched transport (recvmmsg(2), sendmmsg(2), ppoll(2), eventfd(2)), for
/// x86-64 and arm64 (LP64: the structures below match glibc's there). Each returns -1 and leaves errno for
/// <see cref="Marshal.GetLastPInvokeError"/> on failure.
/// </summary>
internal static unsafe partial class LinuxSocketCalls
{
    public const int MsgDontWait = 0x40;    // MSG_DONTWAIT
    public const int MsgTrunc = 0x20;       // MSG_TRUNC (in msg_flags: the datagram was longer than the buffer)
    public const int EAgain = 11;
    public const int EIntr = 4;
    public const short PollIn = 0x1;
    private const int EfdNonBlock = 0x800;
    private const int EfdCloexec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct mmsghdr: one message of a batch and, after the call, its length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(nint socket, MMsgHdr* messages, uint count, int flags, TimeSpec* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(nint socket, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    public static partial int PPoll(PollFd* fds, nuint count, TimeSpec* timeout, void* signalMask);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>A non-blocking eventfd, or -1 when the call is unavailable (not Linux, or a seccomp filter says no).</summary>
    public static int TryCreateEventFd()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }
        try
        {
            return EventFd(0, EfdNonBlock | EfdCloexec);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Adds one to the eventfd's counter, waking a ppoll on it.</summary>
    public static void Signal(int eventFd)
    {
        ulong one = 1;
        Write(eventFd, &one, 8);
    }

    /// <summary>Resets the eventfd's counter to zero.</summary>
    public static void Drain(int eventFd)
    {
        ulong value;
        Read(eventFd, &value, 8);
    }

    /// <summary>
    /// Probes recvmmsg on a socket without waiting: true when the call exists (it returns data or EAGAIN),
    /// false when the C library lacks it or the kernel answers ENOSYS.
    /// </summary>
    public static bool RecvMMsgAvailable(nint socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            var probe = default(MMsgHdr);
            var result = RecvMMsg(socket, &probe, 0, MsgDontWait, null);
            return result >= 0 || Marshal.GetLastPInvokeError() != 38; // ENOSYS
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}
