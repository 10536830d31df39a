using System.Net;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// The kernel refused a route change (its netlink ACK carried an error), or rtnetlink could not be reached. Names the
/// route (<see cref="Prefix"/>, <see cref="Table"/>) or the VRF device it concerns, the errno and the kernel's reason.
/// </summary>
public sealed class KernelRouteException : Exception
{
    /// <summary>Creates the error.</summary>
    public KernelRouteException(string message, int errno, IPNetwork? prefix, uint? table, Exception? inner = null)
        : base(message, inner)
    {
        Errno = errno;
        Prefix = prefix;
        Table = table;
    }

    /// <summary>The errno the kernel answered with (17 EEXIST, 101 ENETUNREACH, ...), 0 when none applies.</summary>
    public int Errno { get; }

    /// <summary>The route's prefix, when the error is about one route.</summary>
    public IPNetwork? Prefix { get; }

    /// <summary>The route's table, when the error is about one route.</summary>
    public uint? Table { get; }

    /// <summary>The VRF device the error is about (a failed table lookup), if any.</summary>
    public string? Vrf { get; init; }
}
