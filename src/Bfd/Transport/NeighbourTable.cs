using System.Net;
using System.Runtime.InteropServices;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Reads one interface's neighbours from the kernel's neighbour cache over rtnetlink (Linux): one RTM_GETNEIGH
/// dump of one family, parsed by <see cref="NeighbourDump"/>. Each call opens and closes its own netlink socket
/// in the calling thread's network namespace; <see cref="NeighbourCache"/> keeps the answer.
/// </summary>
internal static class NeighbourTable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const int EIntr = 4;
    private static int s_sequence;

    /// <summary>
    /// Adds to <paramref name="table"/> every <paramref name="family"/> neighbour (AF_INET: the ARP table, AF_INET6)
    /// on <paramref name="interfaceIndex"/> in a usable state (reachable, stale, delay, probe or permanent) with a
    /// 6-byte (Ethernet) address; false when the dump failed.
    /// </summary>
    public static unsafe bool TryRead(byte family, int interfaceIndex, Dictionary<IPAddress, byte[]> table)
    {
        var fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            return false;
        }
        try
        {
            // A dump of one interface's neighbours answers at once; the timeout only guards against a lost reply.
            Span<byte> timeval = stackalloc byte[16];
            // (It runs on the endpoint's loop, so it must never block for long.)
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval[8..], 100_000);
            fixed (byte* tv = timeval)
            {
                _ = setsockopt(fd, SolSocket, SoRcvTimeo, tv, 16);
            }
            var sequence = (uint)Interlocked.Increment(ref s_sequence);
            Span<byte> request = stackalloc byte[NeighbourDump.RequestLength];
            var length = NeighbourDump.WriteRequest(request, sequence, family, interfaceIndex);
            // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: the kernel); u32 groups; }
            Span<byte> kernel = stackalloc byte[12];
            kernel.Clear();
            kernel[0] = AfNetlink;
            fixed (byte* r = request)
            fixed (byte* k = kernel)
            {
                if (sendto(fd, r, (nuint)length, 0, k, 12) != length)
                {
                    return false;
                }
            }
            var buffer = new byte[16384];
            fixed (byte* b = buffer)
            {
                // Bounded: a dump that never ends (it cannot) would still stop here.
                for (var reads = 0; reads < 1024; reads++)
                {
                    var received = recv(fd, b, (nuint)buffer.Length, 0);
                    if (received < 0 && Marshal.GetLastPInvokeError() == EIntr)
                    {
                        continue;
                    }
                    if (received <= 0)
                    {
                        return false;
                    }
                    if (NeighbourDump.Collect(buffer.AsSpan(0, (int)received), sequence, interfaceIndex, table) == NeighbourDump.Progress.Ended)
                    {
                        return true;
                    }
                }
                return false;
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int setsockopt(int fd, int level, int name, byte* value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint recv(int fd, byte* buffer, nuint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
