using System.Net;
using System.Net.Sockets;

namespace BgpKit.TestSupport;

/// <summary>Free TCP ports that MetalLB accepts as a BGPPeer's peerPort (1..16384; FreePort's ephemeral ones lie above).</summary>
public static class MetalLbPort
{
    /// <summary>A port in 11000..16383 that is free on <paramref name="address"/> right now.</summary>
    public static int Tcp(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var random = new Random(Environment.ProcessId ^ address.GetHashCode() ^ Environment.CurrentManagedThreadId);
        for (var attempt = 0; ; attempt++)
        {
            var port = random.Next(11000, 16384);
            try
            {
                using var listener = new TcpListener(address, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 200)
            {
            }
        }
    }
}
