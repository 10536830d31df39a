using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The Linux socket options a BGP transport needs and .NET does not wrap: TCP MD5 signatures
/// (RFC 2385, <c>TCP_MD5SIG</c>), GTSM's minimum TTL (RFC 5082, <c>IP_MINTTL</c> /
/// <c>IPV6_MINHOPCOUNT</c>) and binding to a VRF device (<c>SO_BINDTODEVICE</c>).
/// The MD5 key is written into a buffer that is cleared straight after the call; it never
/// appears in an exception message.
/// </summary>
internal static class TcpSocketOptions
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int IpProtoIp = 0;
    private const int IpMinTtl = 21;
    private const int IpProtoIpv6 = 41;
    private const int Ipv6MinHopCount = 73;
    private const int IpProtoTcp = 6;
    private const int TcpMd5Sig = 14;
    private const int TcpSaveSyn = 27;
    private const int TcpSavedSyn = 28;
    private const int TcpMd5MaxKeyLength = 80;
    private const int SockaddrStorageSize = 128;

    /// <summary>
    /// Installs (or with a null/empty key removes) the RFC 2385 key for <paramref name="peer"/> on
    /// <paramref name="socket"/>: on a connecting socket before connect, or on a listener for each peer.
    /// </summary>
    public static void SetMd5Key(Socket socket, IPAddress peer, string? key)
    {
        // struct tcp_md5sig { sockaddr_storage tcpm_addr; u8 flags; u8 prefixlen; u16 keylen; u32 ifindex; u8 key[80]; }
        Span<byte> opt = stackalloc byte[SockaddrStorageSize + 8 + TcpMd5MaxKeyLength];
        opt.Clear();
        try
        {
            if (socket.AddressFamily == AddressFamily.InterNetworkV6 && peer.AddressFamily == AddressFamily.InterNetwork)
            {
                peer = peer.MapToIPv6();
            }
            WriteSockaddr(opt, peer);
            var keyLength = 0;
            if (!string.IsNullOrEmpty(key))
            {
                keyLength = Encoding.UTF8.GetByteCount(key);
                if (keyLength > TcpMd5MaxKeyLength)
                {
                    throw new ArgumentException("TCP MD5 key is longer than 80 octets", nameof(key));
                }
                Encoding.UTF8.GetBytes(key, opt.Slice(SockaddrStorageSize + 8));
            }
            BinaryPrimitives.WriteUInt16LittleEndian(opt.Slice(SockaddrStorageSize + 2), (ushort)keyLength);
            SetRaw(socket, IpProtoTcp, TcpMd5Sig, opt, "TCP_MD5SIG");
        }
        finally
        {
            opt.Clear();
        }
    }

    /// <summary>GTSM (RFC 5082): drop segments that arrive with a TTL (hop limit) below <paramref name="minimumTtl"/>.</summary>
    public static void SetMinimumTtl(Socket socket, int minimumTtl)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(value, minimumTtl);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            SetRaw(socket, IpProtoIpv6, Ipv6MinHopCount, value, "IPV6_MINHOPCOUNT");
        }
        else
        {
            SetRaw(socket, IpProtoIp, IpMinTtl, value, "IP_MINTTL");
        }
    }

    /// <summary>
    /// Asks the kernel to keep each accepted connection's SYN (<c>TCP_SAVE_SYN</c>) so that GTSM can check the TTL
    /// the peer opened with: a minimum TTL set on an accepted socket comes too late for the segments that arrived
    /// before it (the peer's OPEN among them). Best effort: false where the kernel refuses.
    /// </summary>
    public static bool SaveSyn(Socket listener)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        Span<byte> on = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(on, 1);
        try
        {
            listener.SetRawSocketOption(IpProtoTcp, TcpSaveSyn, on);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The TTL (IPv4) or hop limit (IPv6) of the SYN that opened an accepted connection, when the listener saved it.</summary>
    public static bool TryGetSynTtl(Socket accepted, out int ttl)
    {
        ttl = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        // The saved SYN starts at its IP header: IPv4 TTL at octet 8, IPv6 Hop Limit at octet 7.
        Span<byte> syn = stackalloc byte[512];
        int length;
        try
        {
            length = accepted.GetRawSocketOption(IpProtoTcp, TcpSavedSyn, syn);
        }
        catch (SocketException)
        {
            return false;
        }
        if (length >= 20 && syn[0] >> 4 == 4)
        {
            ttl = syn[8];
            return true;
        }
        if (length >= 40 && syn[0] >> 4 == 6)
        {
            ttl = syn[7];
            return true;
        }
        return false;
    }

    /// <summary>Binds the socket to a network device (a VRF master device or an interface).</summary>
    public static void BindToDevice(Socket socket, string device)
    {
        var name = new byte[Encoding.ASCII.GetByteCount(device) + 1];
        Encoding.ASCII.GetBytes(device, name);
        SetRaw(socket, SolSocket, SoBindToDevice, name, "SO_BINDTODEVICE");
    }

    private static void WriteSockaddr(Span<byte> target, IPAddress address)
    {
        // sa_family is host order (little-endian here); the port stays zero: the key is per address.
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(target, 2);
            address.TryWriteBytes(target.Slice(4, 4), out _);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(target, 10);
            address.TryWriteBytes(target.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(target.Slice(24), (uint)address.ScopeId);
        }
    }

    private static void SetRaw(Socket socket, int level, int name, ReadOnlySpan<byte> value, string what)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(what + " is supported on Linux only");
        }
        try
        {
            socket.SetRawSocketOption(level, name, value);
        }
        catch (SocketException e)
        {
            // The message names the option, never the value (an MD5 key may be in it).
            throw new SocketException(e.ErrorCode, what + " failed: " + e.SocketErrorCode);
        }
    }
}
