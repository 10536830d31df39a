using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// BGP unnumbered (FRR's <c>neighbor IFNAME interface</c>): learns the peer's IPv6 link-local address on one interface
/// from the Router Advertisements it sends, and sends our own so the peer learns ours. FRR 8.4 bgpd has zebra send RAs
/// on such an interface and takes the source address of the RAs zebra receives there as the neighbor (zebra accepts
/// an RA only with hop limit 255 and a link-local source, RFC 4861 section 6.1.2); without our RAs FRR never learns us
/// and refuses our connection.
/// </summary>
/// <remarks>
/// Router Advertisement (RFC 4861 section 4.2), sent with Router Lifetime 0 so that nobody takes us as default router:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Type (134)   |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Cur Hop Limit |M|O|  Reserved |       Router Lifetime         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Reachable Time                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          Retrans Timer                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Router Solicitation (type 133, section 4.1) is the type, code, checksum and 4 reserved octets; we send one at
/// start so the peer answers with an RA at once instead of at its next interval. The kernel fills the checksum of
/// ICMPv6 raw sockets (RFC 3542 section 3.1).
/// </remarks>
internal sealed class RouterAdvertisementLink : IAsyncDisposable
{
    internal const byte RouterSolicitationType = 133;
    internal const byte RouterAdvertisementType = 134;

    private static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    private static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");

    private readonly Socket _socket;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private TaskCompletionSource<IPAddress> _neighbor = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RouterAdvertisementLink(string interfaceName, TimeProvider time, TimeSpan interval)
    {
        InterfaceName = interfaceName;
        InterfaceIndex = IndexOf(interfaceName);
        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            TcpSocketOptions.BindToDevice(_socket, interfaceName);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, InterfaceIndex);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            // Solicitations go to all-routers, which a host without forwarding has not joined (zebra joins it too).
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(AllRouters, InterfaceIndex));
            _socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _receiveLoop = ReceiveLoopAsync();
        Send(RouterSolicitationType, AllRouters);
        _timer = time.CreateTimer(static s => ((RouterAdvertisementLink)s!).Send(RouterAdvertisementType, AllNodes), this, TimeSpan.Zero, interval);
    }

    public string InterfaceName { get; }

    public int InterfaceIndex { get; }

    /// <summary>The peer's link-local address (with the interface as scope) once an RA or a connection showed it, else null.</summary>
    public IPAddress? Neighbor => _neighbor.Task.IsCompletedSuccessfully ? _neighbor.Task.Result : null;

    /// <summary>Completes with the peer's link-local address as soon as it is known.</summary>
    public Task<IPAddress> WaitNeighborAsync(CancellationToken cancel) => Volatile.Read(ref _neighbor).Task.WaitAsync(cancel);

    /// <summary>Records a neighbor learned another way (its TCP connection); a different address replaces the old one.</summary>
    public void Learn(IPAddress address)
    {
        if (!address.IsIPv6LinkLocal)
        {
            return;
        }
        var scoped = new IPAddress(address.GetAddressBytes(), InterfaceIndex);
        var current = Volatile.Read(ref _neighbor);
        if (current.Task.IsCompletedSuccessfully)
        {
            if (!current.Task.Result.Equals(scoped))
            {
                var replaced = new TaskCompletionSource<IPAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
                replaced.SetResult(scoped);
                Volatile.Write(ref _neighbor, replaced);
            }
            return;
        }
        current.TrySetResult(scoped);
    }

    /// <summary>The interface's index (the IPv6 scope id of its link-local addresses).</summary>
    /// <exception cref="ArgumentException">No interface has that name.</exception>
    public static int IndexOf(string interfaceName)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == interfaceName)
            ?? throw new ArgumentException($"no network interface named '{interfaceName}'", nameof(interfaceName));
        return nic.GetIPProperties().GetIPv6Properties().Index;
    }

    /// <summary>An RS or an RA with Router Lifetime 0 and no options (checksum left 0 for the kernel).</summary>
    internal static byte[] Build(byte type) => type == RouterAdvertisementType ? new byte[16] { type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } : new byte[8] { type, 0, 0, 0, 0, 0, 0, 0 };

    private void Send(byte type, IPAddress group)
    {
        try
        {
            _socket.SendTo(Build(type), new IPEndPoint(new IPAddress(group.GetAddressBytes(), InterfaceIndex), 0));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The link may be down or our link-local address still tentative; the next interval tries again.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                if (_stop.IsCancellationRequested || e is ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                continue;
            }
            if (received.ReceivedBytes < 8 || received.RemoteEndPoint is not IPEndPoint { Address: var source })
            {
                continue;
            }
            if (buffer[0] == RouterAdvertisementType && received.ReceivedBytes >= 16)
            {
                Learn(source);
            }
            else if (buffer[0] == RouterSolicitationType)
            {
                // RFC 4861 section 6.2.6: answer a solicitation (FRR's zebra sends one when RA starts on the interface).
                Send(RouterAdvertisementType, AllNodes);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _timer.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
