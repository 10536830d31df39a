using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Fsm;

/// <summary>Opens the outgoing TCP connection of a session with every option applied before SYN.</summary>
internal static class TcpConnector
{
    public static async Task<Socket> ConnectAsync(IPAddress remote, TransportOptions options, bool external, TimeProvider time, CancellationToken cancel)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            Prepare(socket, remote, options, external);
            if (options.LocalAddress is not null || options.LocalPort != 0)
            {
                socket.Bind(new IPEndPoint(options.LocalAddress ?? (remote.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any), options.LocalPort));
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), timeout, options.ConnectTimeout, Timeout.InfiniteTimeSpan);
            await socket.ConnectAsync(new IPEndPoint(remote, options.RemotePort), timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Applies MD5, TTL/GTSM, device binding and no-delay to a socket before it connects (or once accepted).</summary>
    public static void Prepare(Socket socket, IPAddress remote, TransportOptions options, bool external)
    {
        socket.NoDelay = true;
        if (options.BindDevice is { Length: > 0 } device)
        {
            TcpSocketOptions.BindToDevice(socket, device);
        }
        if (!string.IsNullOrEmpty(options.Password))
        {
            TcpSocketOptions.SetMd5Key(socket, remote, options.Password);
        }
        ApplyTtl(socket, options, external);
    }

    /// <summary>RFC 5082 GTSM wins; else the configured multihop TTL; else TTL 1 for eBGP (single hop) and the default for iBGP.</summary>
    public static void ApplyTtl(Socket socket, TransportOptions options, bool external)
    {
        if (options.TtlSecurityHops is int hops)
        {
            socket.Ttl = 255;
            TcpSocketOptions.SetMinimumTtl(socket, 255 - hops + 1);
        }
        else if (options.Ttl is int ttl)
        {
            socket.Ttl = (short)ttl;
        }
        else if (external)
        {
            socket.Ttl = 1;
        }
    }
}
