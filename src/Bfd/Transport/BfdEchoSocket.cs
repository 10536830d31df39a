using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// The echo function's sockets for one local address on Linux (RFC 5881 section 4). Echo packets are
/// addressed to ourselves, so a UDP socket would hand them to our own stack; they are written instead as
/// Ethernet frames on an AF_PACKET socket to the peer's MAC, the peer's forwarding plane routes them back,
/// and they arrive on a UDP socket bound to (local address, 3785). Needs CAP_NET_RAW, a non-loopback
/// interface holding the address, and, for IPv4 on our side, <c>net.ipv4.conf.IF.accept_local=1</c> (the
/// returning packets carry our own address as their source; IPv6 has no such check). The peer's MAC comes
/// from an rtnetlink neighbour dump of the interface (the ARP table for IPv4, the neighbour table for IPv6),
/// cached (see NeighbourCache). Returned packets crossed exactly one router, so only those with TTL / hop limit 254 count.
/// </summary>
internal sealed class BfdEchoSocket : IDisposable
{
    private const int AfPacket = 17;
    private const int SockRaw = 3;
    private const uint SiocGifFlags = 0x8913;
    private const uint SiocGifHwAddr = 0x8927;
    private const uint SiocGifIndex = 0x8933;
    private const int IffLoopback = 0x8;
    private const int EPerm = 1;
    private const int EAccess = 13;
    private const byte LinuxAfInet = 2;
    private const byte LinuxAfInet6 = 10;
    private const ushort EthernetIpv4 = 0x0800;
    private const ushort EthernetIpv6 = 0x86DD;
    private const int Ipv6UnicastHops = 16;      // IPV6_UNICAST_HOPS

    private readonly BfdEndpoint _endpoint;
    private readonly BfdLink _link;
    private readonly int _fd;
    private readonly Socket _receive;
    private readonly Thread _thread;
    private readonly string _interfaceName;
    private readonly int _interfaceIndex;
    private readonly byte[] _mac;
    private readonly byte[] _address;
    private readonly IPAddress _local;
    private readonly ushort _sourcePort;
    private readonly byte[] _frame = new byte[Math.Max(BfdEchoFrame.Length, BfdEchoFrame.Ipv6Length)];
    private readonly bool _ipv6;
    // Peers' MACs from the interface's ARP or neighbour table (rtnetlink), cached; read on the endpoint's loop.
    private readonly NeighbourCache _neighbours;
    private ushort _identification;
    private volatile bool _disposed;

    private BfdEchoSocket(BfdEndpoint endpoint, BfdLink link, IPAddress local, int fd, Socket receive, string interfaceName, int interfaceIndex, byte[] mac, ushort sourcePort)
    {
        _endpoint = endpoint;
        _link = link;
        _fd = fd;
        _receive = receive;
        _interfaceName = interfaceName;
        _interfaceIndex = interfaceIndex;
        _mac = mac;
        _address = local.GetAddressBytes();
        _local = local;
        _ipv6 = local.AddressFamily == AddressFamily.InterNetworkV6;
        var family = _ipv6 ? LinuxAfInet6 : LinuxAfInet;
        _neighbours = new NeighbourCache(endpoint.Time, table => NeighbourTable.TryRead(family, interfaceIndex, table));
        _sourcePort = sourcePort;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"bfd-echo {local}" };
        _thread.Start();
    }

    /// <summary>The interface echo packets leave through.</summary>
    public string InterfaceName => _interfaceName;

    /// <summary>
    /// Opens the echo sockets for <paramref name="link"/>'s address, or says why echo cannot run here. Call
    /// on a thread in the network namespace of the link (sockets belong to their creator's namespace).
    /// </summary>
    public static BfdEchoSocket? TryOpen(BfdEndpoint endpoint, BfdLink link, IPAddress local, int echoPort, out string? unavailable)
    {
        if (!OperatingSystem.IsLinux())
        {
            unavailable = "echo needs Linux (AF_PACKET)";
            return null;
        }
        if (local.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            unavailable = $"address family {local.AddressFamily}";
            return null;
        }
        if (local.IsIPv6LinkLocal)
        {
            // RFC 4291 section 2.5.6: routers do not forward link-local-sourced packets to other links; whether
            // a peer returns them on the same link is its own choice (Linux 6.x does, routers often do not).
            unavailable = "link-local address: a peer's forwarding plane need not return link-local-sourced echo packets; give the session a global or ULA address";
            return null;
        }
        if (IPAddress.IsLoopback(local))
        {
            unavailable = "loopback: echo packets cannot be forwarded back over lo";
            return null;
        }
        var name = InterfaceOf(local);
        if (name is null)
        {
            unavailable = $"no interface holds {local}";
            return null;
        }
        var fd = socket(AfPacket, SockRaw, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            unavailable = errno is EPerm or EAccess ? "no CAP_NET_RAW (echo frames need a packet socket)" : $"packet socket failed (errno {errno})";
            return null;
        }
        Socket? receive = null;
        try
        {
            Span<byte> request = stackalloc byte[40];
            if (!InterfaceRequest(fd, name, SiocGifFlags, request))
            {
                unavailable = $"interface {name} not found";
                return null;
            }
            if ((HostOrder.ReadInt16(request[16..]) & IffLoopback) != 0)
            {
                unavailable = $"{name} is a loopback interface: echo packets cannot be forwarded back over it";
                return null;
            }
            InterfaceRequest(fd, name, SiocGifIndex, request);
            var index = HostOrder.ReadInt32(request[16..]);
            InterfaceRequest(fd, name, SiocGifHwAddr, request);
            var mac = request.Slice(18, 6).ToArray();

            receive = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            receive.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            receive.Bind(new IPEndPoint(local, echoPort));
            // SO_RCVTIMEO (struct timeval, 200 ms) so the receive thread notices disposal; recvmsg ignores .NET's ReceiveTimeout.
            Span<byte> option = stackalloc byte[16];
            option.Clear();
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(option[8..], 200_000);
            receive.SetRawSocketOption(1, 20, option);
            HostOrder.WriteInt32(option, 1);
            if (local.AddressFamily == AddressFamily.InterNetwork)
            {
                receive.SetRawSocketOption(DatagramReceiver.SolIp, DatagramReceiver.IpRecvTtl, option[..4]);
            }
            else
            {
                receive.SetRawSocketOption(DatagramReceiver.SolIpv6, DatagramReceiver.Ipv6RecvHopLimit, option[..4]);
                // What this socket sends is a peer's echo packet going back (see ReceiveLoop): one hop used up.
                HostOrder.WriteInt32(option, BfdPorts.SingleHopTtl - 1);
                receive.SetRawSocketOption(DatagramReceiver.SolIpv6, Ipv6UnicastHops, option[..4]);
            }
            var port = (ushort)(BfdPorts.SourcePortFirst + endpoint.NextRandom(BfdPorts.SourcePortLast - BfdPorts.SourcePortFirst + 1));
            unavailable = null;
            var echo = new BfdEchoSocket(endpoint, link, local, fd, receive, name, index, mac, port);
            fd = -1;
            receive = null;
            return echo;
        }
        catch (SocketException e)
        {
            unavailable = $"echo port {echoPort} on {local}: {e.SocketErrorCode}";
            return null;
        }
        finally
        {
            if (fd >= 0)
            {
                _ = close(fd);
            }
            receive?.Dispose();
        }
    }

    private static string? InterfaceOf(IPAddress local)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.Equals(local))
                {
                    return nic.Name;
                }
            }
        }
        return null;
    }

    /// <summary>Sends one echo packet toward <paramref name="peer"/>; false when its MAC is not known yet or the send failed.</summary>
    public unsafe bool Send(IPAddress peer, ReadOnlySpan<byte> payload, out string? error)
    {
        if (_disposed)
        {
            error = "closed";
            return false;
        }
        Span<byte> peerMac = stackalloc byte[6];
        // The payload is ours (BfdEchoPacket): its discriminator names the session the cache waits on.
        BfdEchoPacket.TryRead(payload, out var session, out _);
        if (!_neighbours.TryGet(peer, session, peerMac))
        {
            // As FRR bfdd does, no echo until the neighbor's MAC is known (the control packets resolve it).
            error = _ipv6 ? $"no neighbour entry for {peer} on {_interfaceName}" : $"no ARP entry for {peer} on {_interfaceName}";
            return false;
        }
        var length = _ipv6
            ? BfdEchoFrame.WriteIpv6(_frame, _mac, peerMac, _address, _sourcePort, payload)
            : BfdEchoFrame.WriteIpv4(_frame, _mac, peerMac, _address, _sourcePort, unchecked(_identification++), payload);
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        Span<byte> address = stackalloc byte[20];
        address.Clear();
        HostOrder.WriteInt16(address, AfPacket);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(address[2..], _ipv6 ? EthernetIpv6 : EthernetIpv4);
        HostOrder.WriteInt32(address[4..], _interfaceIndex);
        address[11] = 6;
        peerMac.CopyTo(address[12..]);
        nint sent;
        fixed (byte* frame = _frame)
        fixed (byte* sockaddr = address)
        {
            sent = sendto(_fd, frame, (nuint)length, 0, sockaddr, 20);
        }
        if (sent < 0)
        {
            error = $"errno {Marshal.GetLastPInvokeError()}";
            // The neighbour may have moved: read the table again before the next packet.
            _neighbours.Invalidate();
            return false;
        }
        error = null;
        return true;
    }

    private static unsafe bool InterfaceRequest(int fd, string name, uint request, Span<byte> ifreq)
    {
        ifreq.Clear();
        Encoding.ASCII.GetBytes(name, ifreq[..15]);
        fixed (byte* p = ifreq)
        {
            return ioctl(fd, request, p) >= 0;
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[512];
        var name = new byte[128];
        var control = new byte[128];
        while (!_disposed)
        {
            try
            {
                var n = ReceiveWithHopLimit(buffer, name, control, out var hopLimit);
                if (n < 0)
                {
                    continue;
                }
                // sockaddr_in: family(2) port(2) addr(4); sockaddr_in6: family(2) port(2) flowinfo(4) addr(16) scope(4).
                var source = new IPAddress(_ipv6 ? name.AsSpan(8, 16) : name.AsSpan(4, 4));
                if (_ipv6 && hopLimit == BfdPorts.SingleHopTtl && !source.Equals(_local) && _endpoint.ReturnsPeerEcho(_link, _local, source))
                {
                    // FRR bfdd's IPv6 echo: sent from its neighbour (hop limit 255) to our address; send it back as a
                    // forwarding plane would (the socket's unicast hop limit is 254).
                    var port = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(name.AsSpan(2));
                    try
                    {
                        _receive.SendTo(buffer.AsSpan(0, n), SocketFlags.None, new IPEndPoint(source, port));
                    }
                    catch (SocketException)
                    {
                        // Lost like any echo packet: the peer's echo detection time deals with it.
                    }
                    continue;
                }
                if (source.Equals(_local) && hopLimit is -1 or BfdPorts.SingleHopTtl - 1
                    && BfdEchoPacket.TryRead(buffer.AsSpan(0, n), out var session, out _))
                {
                    // Back through the peer: its MAC is still good. A hint only; the endpoint checks the nonce.
                    _neighbours.Returned(session);
                }
                _endpoint.ReceiveEcho(_link, buffer.AsSpan(0, n), source, hopLimit);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_disposed)
                {
                    return;
                }
                _endpoint.ReportReceiveFailure(_link, e.SocketErrorCode.ToString());
            }
        }
    }

    // recvmsg, because .NET does not surface the TTL / hop limit of a datagram. Returns -1 on a timeout.
    private int ReceiveWithHopLimit(byte[] buffer, byte[] name, byte[] control, out int hopLimit)
    {
        var received = DatagramReceiver.Receive(_receive, buffer, name, control, out var controlLength);
        hopLimit = received < 0 ? -1 : DatagramReceiver.ReadControl(control.AsSpan(0, controlLength), []).Ttl;
        return received;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
        _receive.Dispose();
        _ = close(_fd);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int ioctl(int fd, nuint request, byte* argument);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    // Kernel structures are in host byte order (little-endian on the platforms .NET runs Linux on).
    private static class HostOrder
    {
        public static short ReadInt16(ReadOnlySpan<byte> s) => System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(s);
        public static int ReadInt32(ReadOnlySpan<byte> s) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(s);
        public static void WriteInt16(Span<byte> s, short v) => System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(s, v);
        public static void WriteInt32(Span<byte> s, int v) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(s, v);
    }
}
