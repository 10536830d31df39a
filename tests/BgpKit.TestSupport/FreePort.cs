using System.Net;
using System.Net.Sockets;

namespace BgpKit.TestSupport;

/// <summary>Per-test ports so that test projects and classes can run side by side.</summary>
public static class FreePort
{
    /// <summary>A TCP port that is free on <paramref name="address"/> right now (default 127.0.0.1).</summary>
    public static int Tcp(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port that is free on <paramref name="address"/> right now (default 127.0.0.1).</summary>
    public static int Udp(IPAddress? address = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
