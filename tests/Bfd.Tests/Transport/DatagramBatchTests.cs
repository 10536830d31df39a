using System.Net;
using System.Net.Sockets;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd.Tests.Transport;

/// <summary>recvmmsg / sendmmsg batches over real UDP on loopback (Linux).</summary>
public sealed class DatagramBatchTests
{
    private static Socket ReceiveSocket(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        var on = new byte[] { 1, 0, 0, 0 };
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            socket.SetRawSocketOption(DatagramReceiver.SolIp, DatagramReceiver.IpRecvTtl, on);
            socket.SetRawSocketOption(DatagramReceiver.SolIp, DatagramReceiver.IpPktInfo, on);
        }
        else
        {
            socket.SetRawSocketOption(DatagramReceiver.SolIpv6, DatagramReceiver.Ipv6RecvHopLimit, on);
            socket.SetRawSocketOption(DatagramReceiver.SolIpv6, DatagramReceiver.Ipv6RecvPktInfo, on);
        }
        return socket;
    }

    private static int ReceiveAll(ReceiveBatch batch, Socket socket, int expected, Action<int> each)
    {
        var total = 0;
        // Loopback delivery is synchronous with the send, so every datagram is queued already; a few
        // empty reads are tolerated in case the kernel defers.
        for (var attempt = 0; attempt < 1000 && total < expected; attempt++)
        {
            var n = batch.Receive(socket.SafeHandle);
            for (var i = 0; i < n; i++)
            {
                each(i);
            }
            total += n;
        }
        return total;
    }

    [Fact]
    public void One_call_reads_a_batch_with_each_datagram_s_source_TTL_and_destination()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var receiver = ReceiveSocket(IPAddress.Loopback);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Ttl = 255 };
        sender.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.7"), 0));
        for (var i = 0; i < 100; i++)
        {
            sender.SendTo(new byte[] { (byte)i, 1, 2, 3 }, receiver.LocalEndPoint!);
        }
        var batch = new ReceiveBatch(capacity: 64);
        var first = batch.Receive(receiver.SafeHandle);
        Assert.Equal(64, first);
        Span<byte> destination = stackalloc byte[16];
        for (var i = 0; i < first; i++)
        {
            Assert.Equal([(byte)i, 1, 2, 3], batch.Payload(i).ToArray());
            Assert.Equal([127, 0, 0, 7], batch.Source(i).ToArray());
            var (ttl, length) = DatagramReceiver.ReadControl(batch.Control(i), destination);
            Assert.Equal(255, ttl);
            Assert.Equal([127, 0, 0, 1], destination[..length].ToArray());
        }
        var seen = first;
        seen += ReceiveAll(batch, receiver, 100 - first, i => Assert.Equal((byte)(64 + i), batch.Payload(i)[0]));
        Assert.Equal(100, seen);
        // Nothing left: no wait, no error.
        Assert.Equal(0, batch.Receive(receiver.SafeHandle));
    }

    [Fact]
    public void A_datagram_longer_than_the_slot_is_flagged_truncated()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var receiver = ReceiveSocket(IPAddress.Loopback);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.SendTo(new byte[ReceiveBatch.DatagramLength + 10], receiver.LocalEndPoint!);
        var batch = new ReceiveBatch(capacity: 4);
        Assert.Equal(1, ReceiveAll(batch, receiver, 1, _ => { }));
        Assert.True(batch.Truncated(0));
        Assert.Equal(ReceiveBatch.DatagramLength, batch.Payload(0).Length);
    }

    private struct Reports : ISendReport
    {
        public List<(BfdSession Session, string? Error)> Seen;

        public void Report(BfdSession session, string? error) => Seen.Add((session, error));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.8", "127.0.0.9")]
    [InlineData("::1", "::1", "::1")]
    public async Task One_call_sends_a_batch_each_from_the_source_its_packet_info_names(string to, string from1, string from2)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var target = IPAddress.Parse(to);
        using var receiver = ReceiveSocket(target);
        var port = ((IPEndPoint)receiver.LocalEndPoint!).Port;
        // The sessions only lend their identity to the reports; the endpoint never runs them.
        await using var endpoint = new BfdEndpoint(TimeProvider.System, new Random(1), null, null, new MemoryNetwork().Factory, port, inline: true);
        var s1 = endpoint.StartSession(new BfdSessionOptions(IPAddress.Parse(from1), target) { Profile = new BfdProfile { PassiveMode = true } });
        var s2 = endpoint.StartSession(new BfdSessionOptions(IPAddress.Parse(from2), IPAddress.Parse(to == "::1" ? "::1" : "127.0.0.1")) { Profile = new BfdProfile { PassiveMode = true }, Multihop = true });

        using var send = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        send.Bind(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
        var batch = new SendBatch(capacity: 8);
        var destination = NativeSocketAddress.Encode(target, port);
        for (var i = 0; i < 10; i++)
        {
            var session = i % 2 == 0 ? s1 : s2;
            if (!batch.Add(session, new byte[] { (byte)i }, destination, session.NativeSourceInfo))
            {
                var early = new Reports { Seen = [] };
                batch.Flush(send.SafeHandle, ref early);
                Assert.Equal(8, early.Seen.Count);
                Assert.All(early.Seen, r => Assert.Null(r.Error));
                Assert.True(batch.Add(session, new byte[] { (byte)i }, destination, session.NativeSourceInfo));
            }
        }
        var reports = new Reports { Seen = [] };
        batch.Flush(send.SafeHandle, ref reports);
        Assert.Equal([s1, s2], reports.Seen.Select(r => r.Session));
        Assert.Equal(0, batch.Count);

        var receive = new ReceiveBatch(capacity: 16);
        var sources = new List<(byte Index, IPAddress Source)>();
        ReceiveAll(receive, receiver, 10, i => sources.Add((receive.Payload(i)[0], new IPAddress(receive.Source(i)))));
        Assert.Equal(10, sources.Count);
        Assert.All(sources, s => Assert.Equal(IPAddress.Parse(s.Index % 2 == 0 ? from1 : from2), s.Source));
    }

    [Fact]
    public void Native_socket_addresses_match_the_kernel_layout()
    {
        // sockaddr_in: AF_INET (2, host order), port 3784 (0x0EC8, network order), 192.0.2.1, 8 zero octets.
        Assert.Equal(Convert.FromHexString("02000EC8" + "C0000201" + "0000000000000000"), NativeSocketAddress.Encode(IPAddress.Parse("192.0.2.1"), 3784));
        // sockaddr_in6: AF_INET6 (10), port, flowinfo 0, 2001:db8::1, scope id 0.
        Assert.Equal(Convert.FromHexString("0A000EC80000000020010DB8000000000000000000000001" + "00000000"), NativeSocketAddress.Encode(IPAddress.Parse("2001:db8::1"), 3784));
        // cmsghdr (len 28, SOL_IP 0, IP_PKTINFO 8) then in_pktinfo { ifindex 0, spec_dst 192.0.2.1, addr 0 }, padded to 32.
        Assert.Equal(Convert.FromHexString("1C00000000000000" + "00000000" + "08000000" + "00000000" + "C0000201" + "00000000" + "00000000"),
            NativeSocketAddress.SourceInfo(IPAddress.Parse("192.0.2.1")));
    }
}
