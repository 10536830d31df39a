using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// UDP for one local address: a receive socket on port 3784 (single-hop) or 4784 (multihop) and a send
/// socket on a port in 49152..65535 with TTL/hop limit 255 (RFC 5881 sections 4 and 5, RFC 5883 section 5).
/// On Linux the receive thread reads each datagram's TTL (IP_RECVTTL / IPV6_RECVHOPLIMIT through recvmsg),
/// because .NET does not surface it and the kernel's IP_MINTTL does not apply to UDP.
/// Batched (Linux, the default): no thread of its own; the endpoint's loop polls the receive socket, reads
/// everything queued with recvmmsg and sends each turn's packets with one sendmmsg. In wildcard mode the
/// batched link sends every session's packets through one socket, choosing each source address with
/// IP_PKTINFO / IPV6_PKTINFO, so one call carries packets from many local addresses. Elsewhere (or when
/// recvmmsg is unavailable) a receive thread per link and one sendto per packet.
/// </summary>
internal sealed unsafe class BfdUdpLink : BfdLink
{

    private readonly BfdEndpoint _endpoint;
    private readonly Socket _receive;
    private readonly Socket _send;
    private readonly bool _wildcard;
    // Wildcard mode: one send socket per local address, created on the endpoint's loop (its only user).
    private readonly Dictionary<IPAddress, Socket> _sendByAddress = new();
    // Echo sockets by local address, opened by the first session that wants echo (null: unavailable, with the reason).
    private readonly Dictionary<IPAddress, (BfdEchoSocket? Socket, string? Unavailable)> _echo = new();
    private readonly int _echoPort;
    private readonly Thread? _thread;
    private volatile bool _disposed;
    // Batched mode only.
    private readonly ReceiveBatch? _receiveBatch;
    private readonly SendBatch? _sendBatch;
    private readonly object _sendGate = new();

    public BfdUdpLink(BfdEndpoint endpoint, IPAddress localAddress, bool multihop, int controlPort, bool wildcard = false,
        int echoPort = BfdPorts.Echo, bool batched = false)
        : base(localAddress, multihop)
    {
        _echoPort = echoPort;
        _endpoint = endpoint;
        _wildcard = wildcard;
        var family = localAddress.AddressFamily;
        _receive = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        _send = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // FRR bfdd binds the wildcard address on the same port; address reuse lets both coexist.
            _receive.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _receive.Bind(new IPEndPoint(localAddress, controlPort));
            // SO_RCVTIMEO (struct timeval, 200 ms) so the receive thread notices disposal.
            Span<byte> timeval = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeval[8..], 200_000);
            if (OperatingSystem.IsLinux())
            {
                _receive.SetRawSocketOption(1, 20, timeval);
                EnlargeReceiveBuffer(_receive);
            }
            else
            {
                _receive.ReceiveTimeout = 200;
            }
            if (OperatingSystem.IsLinux())
            {
                if (family == AddressFamily.InterNetwork)
                {
                    _receive.SetRawSocketOption(DatagramReceiver.SolIp, DatagramReceiver.IpRecvTtl, BitsOf(1));
                    _receive.SetRawSocketOption(DatagramReceiver.SolIp, DatagramReceiver.IpPktInfo, BitsOf(1));
                }
                else
                {
                    _receive.SetRawSocketOption(DatagramReceiver.SolIpv6, DatagramReceiver.Ipv6RecvHopLimit, BitsOf(1));
                    _receive.SetRawSocketOption(DatagramReceiver.SolIpv6, DatagramReceiver.Ipv6RecvPktInfo, BitsOf(1));
                }
            }
            _send.Ttl = BfdPorts.SingleHopTtl;
            batched = batched && LinuxSocketCalls.RecvMMsgAvailable(_receive.Handle);
            if (!wildcard || batched)
            {
                // Batched wildcard: one send socket on the wildcard address; IP_PKTINFO picks each packet's source.
                BindSourcePort(_send, localAddress, endpoint);
            }
        }
        catch
        {
            _receive.Dispose();
            _send.Dispose();
            throw;
        }
        if (batched)
        {
            _receiveBatch = new ReceiveBatch();
            _sendBatch = new SendBatch();
            return;
        }
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"bfd-rx {localAddress}:{controlPort}" };
        _thread.Start();
    }

    public override bool Queues => _sendBatch is not null;

    public override SafeHandle? PolledSocket => _receiveBatch is null ? null : _receive.SafeHandle;

    /// <summary>
    /// Room for about 8,000 queued datagrams (each costs about 1 KiB of buffer in the kernel's accounting) instead
    /// of the default ~200: thousands of sessions that start together, or a loop that a loaded machine does not
    /// schedule for some milliseconds, must not overflow the queue and lose packets. SO_RCVBUFFORCE passes
    /// net.core.rmem_max with CAP_NET_ADMIN; without it SO_RCVBUF gets what rmem_max allows.
    /// </summary>
    internal const int ReceiveBufferBytes = 8 << 20;

    private static void EnlargeReceiveBuffer(Socket socket)
    {
        Span<byte> size = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(size, ReceiveBufferBytes);
        try
        {
            socket.SetRawSocketOption(1, 33, size); // SOL_SOCKET, SO_RCVBUFFORCE
        }
        catch (SocketException)
        {
            socket.SetRawSocketOption(1, 8, size);  // SO_RCVBUF
        }
    }

    /// <summary>The source port of our packets.</summary>
    public int SourcePort => ((IPEndPoint)_send.LocalEndPoint!).Port;

    private static ReadOnlySpan<byte> BitsOf(int value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    // RFC 5881 section 4: a source port in 49152..65535, the same for every packet of a session.
    private static void BindSourcePort(Socket socket, IPAddress localAddress, BfdEndpoint endpoint)
    {
        const int span = BfdPorts.SourcePortLast - BfdPorts.SourcePortFirst + 1;
        var start = endpoint.NextRandom(span);
        for (var i = 0; i < span; i++)
        {
            var port = BfdPorts.SourcePortFirst + (start + i) % span;
            try
            {
                socket.Bind(new IPEndPoint(localAddress, port));
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
            }
        }
        throw new InvalidOperationException($"no free UDP source port in 49152..65535 on {localAddress}");
    }

    private Socket SendSocketFor(IPAddress local)
    {
        if (!_wildcard)
        {
            return _send;
        }
        if (!_sendByAddress.TryGetValue(local, out var socket))
        {
            socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Ttl = BfdPorts.SingleHopTtl };
            BindSourcePort(socket, local, _endpoint);
            _sendByAddress.Add(local, socket);
        }
        return socket;
    }

    public override bool Send(BfdSession session, ReadOnlySpan<byte> packet, out string? error)
    {
        if (_sendBatch is { } batch)
        {
            error = null;
            var source = _wildcard ? session.NativeSourceInfo : ReadOnlySpan<byte>.Empty;
            lock (_sendGate)
            {
                if (!batch.Add(session, packet, session.NativePeerAddress, source))
                {
                    FlushLocked(batch);
                    batch.Add(session, packet, session.NativePeerAddress, source);
                }
            }
            return true;
        }
        try
        {
            SendSocketFor(session.LocalAddress).SendTo(packet, SocketFlags.None, session.PeerSocketAddress);
            error = null;
            return true;
        }
        catch (SocketException e)
        {
            error = e.SocketErrorCode.ToString();
            return false;
        }
        catch (ObjectDisposedException)
        {
            error = "closed";
            return false;
        }
    }

    public override string? PrepareEcho(IPAddress localAddress)
    {
        if (Multihop)
        {
            return "multihop link";
        }
        lock (_echo)
        {
            if (!_echo.TryGetValue(localAddress, out var entry))
            {
                var socket = BfdEchoSocket.TryOpen(_endpoint, this, localAddress, _echoPort, out var unavailable);
                entry = (socket, unavailable);
                _echo.Add(localAddress, entry);
            }
            return entry.Unavailable;
        }
    }

    public override bool SendEcho(BfdSession session, ReadOnlySpan<byte> payload, out string? error)
    {
        (BfdEchoSocket? Socket, string? Unavailable) entry;
        lock (_echo)
        {
            _echo.TryGetValue(session.LocalAddress, out entry);
        }
        if (entry.Socket is null)
        {
            error = entry.Unavailable ?? "echo not prepared";
            return false;
        }
        return entry.Socket.Send(session.PeerAddress, payload, out error);
    }

    public override void Flush()
    {
        if (_sendBatch is { Count: > 0 } batch)
        {
            lock (_sendGate)
            {
                FlushLocked(batch);
            }
        }
    }

    private void FlushLocked(SendBatch batch)
    {
        var report = new SendReport(_endpoint);
        batch.Flush(_send.SafeHandle, ref report);
    }

    private readonly struct SendReport(BfdEndpoint endpoint) : ISendReport
    {
        public void Report(BfdSession session, string? error) => endpoint.Sent(session, error);
    }

    // Batches are read until one comes back short, at most this many per turn so that timers and sends
    // are not starved by a flood.
    private const int MaximumBatchesPerTurn = 16;

    public override void ReceiveQueued()
    {
        if (_receiveBatch is not { } batch)
        {
            return;
        }
        Span<byte> destination = stackalloc byte[16];
        for (var round = 0; round < MaximumBatchesPerTurn; round++)
        {
            int received;
            try
            {
                received = batch.Receive(_receive.SafeHandle);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (!_disposed)
                {
                    _endpoint.ReportReceiveFailure(this, e.SocketErrorCode.ToString());
                }
                return;
            }
            for (var i = 0; i < received; i++)
            {
                Dispatch(batch, i, destination);
            }
            if (received < batch.Capacity)
            {
                return;
            }
        }
    }

    /// <summary>Hands the <paramref name="index"/>th datagram of a received batch to the endpoint, as <see cref="ReceiveWithTtl"/> does for one.</summary>
    internal void Dispatch(ReceiveBatch batch, int index, Span<byte> destination)
    {
        var (ttl, destinationLength) = DatagramReceiver.ReadControl(batch.Control(index), destination);
        if (!_wildcard)
        {
            destinationLength = 0;
        }
        else if (destinationLength == 0)
        {
            return;
        }
        _endpoint.Receive(this, batch.Payload(index), batch.Source(index), destination[..destinationLength], ttl);
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        var name = new byte[128];
        var control = new byte[256];
        while (!_disposed)
        {
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    ReceiveWithTtl(buffer, name, control);
                }
                else
                {
                    ReceivePortable(buffer);
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
            }
            catch (SocketException e)
            {
                if (_disposed)
                {
                    return;
                }
                _endpoint.ReportReceiveFailure(this, e.SocketErrorCode.ToString());
            }
        }
    }

    private void ReceivePortable(byte[] buffer)
    {
        EndPoint from = new IPEndPoint(LocalAddress.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        var n = _receive.ReceiveFrom(buffer, ref from);
        var source = ((IPEndPoint)from).Address.GetAddressBytes();
        // Without recvmsg the TTL is unknown here; -1 tells the endpoint to skip the TTL check.
        _endpoint.Receive(this, buffer.AsSpan(0, n), source, ttl: -1);
    }

    private void ReceiveWithTtl(byte[] buffer, byte[] name, byte[] control)
    {
        var received = DatagramReceiver.Receive(_receive, buffer, name, control, out var controlLength);
        if (received < 0)
        {
            return;
        }
        Span<byte> destination = stackalloc byte[16];
        var (ttl, destinationLength) = DatagramReceiver.ReadControl(control.AsSpan(0, controlLength), destination);
        if (!_wildcard)
        {
            destinationLength = 0;
        }
        // sockaddr_in: family(2) port(2) addr(4); sockaddr_in6: family(2) port(2) flowinfo(4) addr(16) scope(4).
        var family = name[0] | (name[1] << 8);
        ReadOnlySpan<byte> source = family == 10 ? name.AsSpan(8, 16) : name.AsSpan(4, 4);
        if (_wildcard && destinationLength == 0)
        {
            return;
        }
        _endpoint.Receive(this, buffer.AsSpan(0, received), source, destination[..destinationLength], ttl);
    }

    public override void Dispose()
    {
        _disposed = true;
        // An AdminDown queued by the last session's stop still goes out.
        Flush();
        _send.Dispose();
        foreach (var socket in _sendByAddress.Values)
        {
            socket.Dispose();
        }
        lock (_echo)
        {
            foreach (var (socket, _) in _echo.Values)
            {
                socket?.Dispose();
            }
            _echo.Clear();
        }
        // The receive thread wakes within its 200 ms receive timeout and sees _disposed.
        if (_thread is not null && Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
        _receive.Dispose();
    }
}
