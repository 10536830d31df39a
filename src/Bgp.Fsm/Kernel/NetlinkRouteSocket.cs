using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// One AF_NETLINK / NETLINK_ROUTE socket (Linux) in the network namespace of the thread that opened it: sends a
/// request to the kernel and reads its replies. Requests are made one at a time (the caller serializes them); a
/// receive timeout bounds a lost reply. Extended ACKs are asked for so that refusals carry the kernel's reason.
/// </summary>
internal sealed class NetlinkRouteSocket : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const int SolNetlink = 270;
    private const int NetlinkExtAck = 11;
    private const int EIntr = 4;

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[65536];
    private uint _sequence;

    /// <summary>Opens the socket; throws <see cref="KernelRouteException"/> when netlink is not there (not Linux).</summary>
    public NetlinkRouteSocket(TimeSpan receiveTimeout)
    {
        try
        {
            _fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new KernelRouteException("rtnetlink is not available on this system", 0, null, null, e);
        }
        if (_fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new KernelRouteException($"cannot open a NETLINK_ROUTE socket: {Marshal.GetPInvokeErrorMessage(errno)}", errno, null, null);
        }
        var timeval = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(timeval, (long)receiveTimeout.TotalSeconds);
        BinaryPrimitives.WriteInt64LittleEndian(timeval.AsSpan(8), (long)(receiveTimeout.TotalMicroseconds % 1_000_000));
        _ = setsockopt(_fd, SolSocket, SoRcvTimeo, timeval, timeval.Length);
        var one = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(one, 1);
        _ = setsockopt(_fd, SolNetlink, NetlinkExtAck, one, one.Length);
    }

    /// <summary>The next sequence number for a request.</summary>
    public uint NextSequence() => ++_sequence;

    /// <summary>Sends one request to the kernel; false (with the errno) when the send failed.</summary>
    public bool Send(ReadOnlySpan<byte> request, out int errno)
    {
        var bytes = request.ToArray();
        // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: the kernel); u32 groups; }
        var kernel = new byte[12];
        kernel[0] = AfNetlink;
        var sent = sendto(_fd, bytes, (nuint)bytes.Length, 0, kernel, kernel.Length);
        errno = sent == bytes.Length ? 0 : Marshal.GetLastPInvokeError();
        return sent == bytes.Length;
    }

    /// <summary>Reads one buffer of replies; empty on timeout or error (errno set).</summary>
    public ReadOnlySpan<byte> Receive(out int errno)
    {
        while (true)
        {
            var received = recv(_fd, _buffer, (nuint)_buffer.Length, 0);
            if (received > 0)
            {
                errno = 0;
                return _buffer.AsSpan(0, (int)received);
            }
            errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (errno != EIntr)
            {
                return default;
            }
        }
    }

    public void Dispose() => _ = close(_fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, byte[] value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendto(int fd, byte[] buffer, nuint length, int flags, byte[] address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte[] buffer, nuint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
