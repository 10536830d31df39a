using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// recvmsg(2) on Linux for the control and echo sockets, because .NET surfaces neither a datagram's TTL / hop
/// limit nor the address it was sent to. The sockets ask for them with IP_RECVTTL / IPV6_RECVHOPLIMIT and
/// IP_PKTINFO / IPV6_RECVPKTINFO; <see cref="ReadControl"/> reads them back from the ancillary data.
/// </summary>
internal static unsafe class DatagramReceiver
{
    public const int SolIp = 0;
    public const int SolIpv6 = 41;
    public const int IpRecvTtl = 12;            // IP_RECVTTL
    public const int IpPktInfo = 8;             // IP_PKTINFO (option and cmsg type)
    public const int Ipv6RecvHopLimit = 51;     // IPV6_RECVHOPLIMIT
    public const int Ipv6RecvPktInfo = 49;      // IPV6_RECVPKTINFO
    private const int IpTtl = 2;                // IP_TTL (the cmsg type)
    private const int Ipv6PktInfo = 50;         // IPV6_PKTINFO (the cmsg type)
    private const int Ipv6HopLimit = 52;        // IPV6_HOPLIMIT (the cmsg type)
    private const int CmsgHeaderLength = 16;    // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } on 64-bit

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/>, its source socket address into
    /// <paramref name="name"/> and its ancillary data into <paramref name="control"/>. Returns the datagram's
    /// length, or -1 when the receive timed out (SO_RCVTIMEO) or was interrupted.
    /// </summary>
    /// <exception cref="SocketException">Any other receive error.</exception>
    public static int Receive(Socket socket, byte[] buffer, byte[] name, byte[] control, out int controlLength)
    {
        nint received;
        fixed (byte* data = buffer)
        fixed (byte* namePtr = name)
        fixed (byte* controlPtr = control)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new MsgHdr
            {
                Name = namePtr,
                NameLength = (uint)name.Length,
                Iov = &iov,
                IovLength = 1,
                Control = controlPtr,
                ControlLength = (nuint)control.Length,
            };
            var handle = socket.SafeHandle;
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                received = recvmsg(handle.DangerousGetHandle(), &message, 0);
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
            controlLength = (int)Math.Min(message.ControlLength, (nuint)control.Length);
        }
        if (received < 0)
        {
            controlLength = 0;
            var errno = Marshal.GetLastPInvokeError();
            // EAGAIN/EWOULDBLOCK (11) after SO_RCVTIMEO, EINTR (4).
            if (errno is 11 or 4)
            {
                return -1;
            }
            throw new SocketException(errno);
        }
        return (int)received;
    }

    /// <summary>
    /// Reads the TTL / hop limit (-1 when absent) and the datagram's destination address (4 or 16 octets into
    /// <paramref name="destination"/>, 0 when absent) from ancillary data. Stops at the first malformed header.
    /// </summary>
    public static (int Ttl, int DestinationLength) ReadControl(ReadOnlySpan<byte> control, Span<byte> destination)
    {
        var ttl = -1;
        var destinationLength = 0;
        var offset = 0;
        while (control.Length - offset >= CmsgHeaderLength)
        {
            var length = MemoryMarshal.Read<ulong>(control[offset..]);
            if (length < CmsgHeaderLength || length > (ulong)(control.Length - offset))
            {
                break;
            }
            var level = MemoryMarshal.Read<int>(control[(offset + 8)..]);
            var type = MemoryMarshal.Read<int>(control[(offset + 12)..]);
            var data = control.Slice(offset + CmsgHeaderLength, (int)length - CmsgHeaderLength);
            if (((level == SolIp && type == IpTtl) || (level == SolIpv6 && type == Ipv6HopLimit)) && data.Length >= 4)
            {
                ttl = MemoryMarshal.Read<int>(data);
            }
            else if (level == SolIp && type == IpPktInfo && data.Length >= 12 && destination.Length >= 4)
            {
                // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }: the header's destination.
                data.Slice(8, 4).CopyTo(destination);
                destinationLength = 4;
            }
            else if (level == SolIpv6 && type == Ipv6PktInfo && data.Length >= 16 && destination.Length >= 16)
            {
                // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }.
                data[..16].CopyTo(destination);
                destinationLength = 16;
            }
            // CMSG_ALIGN: each header starts on an 8-octet boundary.
            offset += (int)((length + 7) & ~7UL);
        }
        return (ttl, destinationLength);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint recvmsg(nint socket, MsgHdr* message, int flags);
}
