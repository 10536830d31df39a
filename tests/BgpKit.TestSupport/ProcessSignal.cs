using System.Runtime.InteropServices;

namespace BgpKit.TestSupport;

/// <summary>
/// Sends SIGSTOP/SIGCONT with the kill(2) system call. Spawning /bin/kill costs hundreds of milliseconds on a
/// loaded CI machine, and a test that times failure detection from "before the freeze" would count that
/// spawn as detection latency.
/// </summary>
public static class ProcessSignal
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Freezes the process now; when this returns the process no longer runs.</summary>
    public static void Stop(int pid) => Send(pid, SigStop);

    /// <summary>Lets a stopped process run again.</summary>
    public static void Continue(int pid) => Send(pid, SigCont);

    private static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
