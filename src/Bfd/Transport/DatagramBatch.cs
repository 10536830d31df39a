using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static BgpKit.Bfd.Transport.LinuxSocketCalls;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// Buffers for one recvmmsg(2) call: up to <see cref="Capacity"/> datagrams with their source addresses and
/// ancillary data (TTL / hop limit, destination address), in arrays pinned once, so a batch costs one system
/// call and no allocation. The loop thread is its only user; the arrays stay valid (pinned, referenced) even
/// if the link is disposed while a call is in progress.
/// </summary>
internal sealed unsafe class ReceiveBatch
{
    /// <summary>Room for one datagram: a BFD Control packet is at most 52 octets; longer ones are truncated and fail the length check.</summary>
    public const int DatagramLength = 256;
    private const int NameLength = 32;        // sockaddr_in6 is 28 octets
    private const int ControlLength = 128;    // IP_TTL + IP_PKTINFO, or IPV6_HOPLIMIT + IPV6_PKTINFO, with headers

    private readonly MMsgHdr[] _messages;
    private readonly IoVec[] _iov;
    private readonly byte[] _data;
    private readonly byte[] _names;
    private readonly byte[] _control;

    public ReceiveBatch(int capacity = 64)
    {
        Capacity = capacity;
        _messages = GC.AllocateArray<MMsgHdr>(capacity, pinned: true);
        _iov = GC.AllocateArray<IoVec>(capacity, pinned: true);
        _data = GC.AllocateArray<byte>(capacity * DatagramLength, pinned: true);
        _names = GC.AllocateArray<byte>(capacity * NameLength, pinned: true);
        _control = GC.AllocateArray<byte>(capacity * ControlLength, pinned: true);
        var data = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        var names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_names));
        var control = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_control));
        var iov = (IoVec*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_iov));
        for (var i = 0; i < capacity; i++)
        {
            iov[i] = new IoVec { Base = data + i * DatagramLength, Length = DatagramLength };
            _messages[i].Header = new MsgHdr
            {
                Name = names + i * NameLength,
                Iov = iov + i,
                IovLength = 1,
                Control = control + i * ControlLength,
            };
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// Receives what is queued on <paramref name="socket"/> without waiting, up to <see cref="Capacity"/>
    /// datagrams; returns how many (0 when none).
    /// </summary>
    /// <exception cref="SocketException">A receive error other than "nothing queued" or an interrupted call.</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed.</exception>
    public int Receive(SafeHandle socket)
    {
        for (var i = 0; i < Capacity; i++)
        {
            // The kernel writes back the lengths it used; each call starts from the full buffers.
            ref var header = ref _messages[i].Header;
            header.NameLength = NameLength;
            header.ControlLength = ControlLength;
            header.Flags = 0;
        }
        int received;
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            fixed (MMsgHdr* messages = _messages)
            {
                received = RecvMMsg(socket.DangerousGetHandle(), messages, (uint)Capacity, MsgDontWait, null);
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
        if (received < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is EAgain or EIntr)
            {
                return 0;
            }
            throw new SocketException(errno);
        }
        return received;
    }

    /// <summary>The <paramref name="index"/>th datagram's payload (cut to the buffer when it was longer).</summary>
    public ReadOnlySpan<byte> Payload(int index) =>
        _data.AsSpan(index * DatagramLength, (int)Math.Min(_messages[index].Length, DatagramLength));

    /// <summary>The <paramref name="index"/>th datagram was longer than <see cref="DatagramLength"/>.</summary>
    public bool Truncated(int index) => (_messages[index].Header.Flags & MsgTrunc) != 0;

    /// <summary>The source address octets (4 or 16), from the datagram's sockaddr.</summary>
    public ReadOnlySpan<byte> Source(int index)
    {
        var name = _names.AsSpan(index * NameLength, NameLength);
        // sockaddr_in: family(2) port(2) addr(4); sockaddr_in6: family(2) port(2) flowinfo(4) addr(16) scope(4).
        var family = name[0] | (name[1] << 8);
        return family == NativeSocketAddress.Inet6 ? name.Slice(8, 16) : name.Slice(4, 4);
    }

    /// <summary>The ancillary data the kernel returned for the <paramref name="index"/>th datagram.</summary>
    public ReadOnlySpan<byte> Control(int index) =>
        _control.AsSpan(index * ControlLength, (int)Math.Min(_messages[index].Header.ControlLength, (nuint)ControlLength));

    // For testing: fills slot index as the kernel would, so dispatch can be driven without a socket.
    internal void Fill(int index, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> sockaddr, ReadOnlySpan<byte> control)
    {
        payload.CopyTo(_data.AsSpan(index * DatagramLength));
        _messages[index].Length = (uint)payload.Length;
        sockaddr.CopyTo(_names.AsSpan(index * NameLength));
        control.CopyTo(_control.AsSpan(index * ControlLength));
        _messages[index].Header.ControlLength = (nuint)control.Length;
        _messages[index].Header.Flags = 0;
    }
}

/// <summary>
/// Packets waiting for one sendmmsg(2) call, each with its destination sockaddr and, when the socket is not
/// bound to the source address, an IP_PKTINFO / IPV6_PKTINFO header that chooses it. Filled and flushed by the
/// loop thread; <see cref="Add"/> returns false when full (flush first).
/// </summary>
internal sealed unsafe class SendBatch
{
    private const int DatagramLength = 64;    // a BFD Control packet is at most 52 octets
    private const int NameLength = 32;
    private const int ControlLength = 40;     // CMSG_SPACE(sizeof(struct in6_pktinfo))

    private readonly MMsgHdr[] _messages;
    private readonly IoVec[] _iov;
    private readonly byte[] _data;
    private readonly byte[] _names;
    private readonly byte[] _control;
    private readonly BfdSession?[] _sessions;
    private readonly byte* _dataPointer;
    private readonly byte* _controlPointer;

    public SendBatch(int capacity = 128)
    {
        Capacity = capacity;
        _messages = GC.AllocateArray<MMsgHdr>(capacity, pinned: true);
        _iov = GC.AllocateArray<IoVec>(capacity, pinned: true);
        _data = GC.AllocateArray<byte>(capacity * DatagramLength, pinned: true);
        _names = GC.AllocateArray<byte>(capacity * NameLength, pinned: true);
        _control = GC.AllocateArray<byte>(capacity * ControlLength, pinned: true);
        _sessions = new BfdSession?[capacity];
        _dataPointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        _controlPointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_control));
        var names = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_names));
        var iov = (IoVec*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_iov));
        for (var i = 0; i < capacity; i++)
        {
            iov[i] = new IoVec { Base = _dataPointer + i * DatagramLength };
            _messages[i].Header = new MsgHdr { Name = names + i * NameLength, Iov = iov + i, IovLength = 1 };
        }
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>Queues one packet; false when the batch is full.</summary>
    public bool Add(BfdSession session, ReadOnlySpan<byte> packet, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> sourceInfo)
    {
        if (Count == Capacity)
        {
            return false;
        }
        var i = Count++;
        packet.CopyTo(_data.AsSpan(i * DatagramLength, DatagramLength));
        _iov[i].Length = (nuint)packet.Length;
        destination.CopyTo(_names.AsSpan(i * NameLength, NameLength));
        ref var header = ref _messages[i].Header;
        header.NameLength = (uint)destination.Length;
        if (sourceInfo.IsEmpty)
        {
            header.Control = null;
            header.ControlLength = 0;
        }
        else
        {
            sourceInfo.CopyTo(_control.AsSpan(i * ControlLength, ControlLength));
            header.Control = _controlPointer + i * ControlLength;
            header.ControlLength = (nuint)sourceInfo.Length;
        }
        _sessions[i] = session;
        return true;
    }

    /// <summary>
    /// Sends every queued packet with as few sendmmsg calls as the kernel allows and reports each packet's
    /// fate to <paramref name="report"/> (error null when sent). The batch is empty afterwards.
    /// </summary>
    public void Flush<TReport>(SafeHandle socket, ref TReport report) where TReport : struct, ISendReport
    {
        var start = 0;
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = socket.DangerousGetHandle();
            while (start < Count)
            {
                int sent;
                fixed (MMsgHdr* messages = _messages)
                {
                    sent = SendMMsg(fd, messages + start, (uint)(Count - start), 0);
                }
                if (sent < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EIntr)
                    {
                        continue;
                    }
                    // The first packet of the rest failed: report it and go on with the next.
                    report.Report(_sessions[start]!, new SocketException(errno).SocketErrorCode.ToString());
                    start++;
                    continue;
                }
                for (var i = start; i < start + sent; i++)
                {
                    report.Report(_sessions[i]!, null);
                }
                start += sent;
            }
        }
        catch (ObjectDisposedException)
        {
            for (var i = start; i < Count; i++)
            {
                report.Report(_sessions[i]!, "closed");
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
            Array.Clear(_sessions, 0, Count);
            Count = 0;
        }
    }
}

/// <summary>What happened to each packet of a flushed <see cref="SendBatch"/>.</summary>
internal interface ISendReport
{
    void Report(BfdSession session, string? error);
}

/// <summary>Native socket address and packet-info encodings (Linux, LP64) for the batched calls.</summary>
internal static class NativeSocketAddress
{
    public const int Inet = 2;
    public const int Inet6 = 10;
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int IpPktInfo = 8;
    private const int Ipv6PktInfo = 50;

    /// <summary>struct sockaddr_in or sockaddr_in6 for <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static byte[] Encode(IPAddress address, int port)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var bytes = new byte[v6 ? 28 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(v6 ? Inet6 : Inet));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)port);
        if (v6)
        {
            address.TryWriteBytes(bytes.AsSpan(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), (uint)address.ScopeId);
        }
        else
        {
            address.TryWriteBytes(bytes.AsSpan(4, 4), out _);
        }
        return bytes;
    }

    /// <summary>
    /// One control message that makes the kernel send from <paramref name="source"/>: IP_PKTINFO with
    /// ipi_spec_dst, or IPV6_PKTINFO with ipi6_addr (and the scope's interface for a link-local address).
    /// </summary>
    public static byte[] SourceInfo(IPAddress source)
    {
        var v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        // cmsghdr { size_t len; int level; int type; } then in_pktinfo (12) or in6_pktinfo (20), padded to 8.
        var dataLength = v6 ? 20 : 12;
        var bytes = new byte[16 + ((dataLength + 7) & ~7)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(16 + dataLength));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), v6 ? SolIpv6 : SolIp);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), v6 ? Ipv6PktInfo : IpPktInfo);
        if (v6)
        {
            source.TryWriteBytes(bytes.AsSpan(16, 16), out _);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(32), (int)source.ScopeId);
        }
        else
        {
            // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
            source.TryWriteBytes(bytes.AsSpan(20, 4), out _);
        }
        return bytes;
    }
}
