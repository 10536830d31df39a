using System.Diagnostics.Metrics;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>How a <see cref="KernelRouteTable"/> marks and installs its routes.</summary>
public sealed record KernelRouteTableOptions
{
    /// <summary>
    /// The rtm_protocol of every route installed, and the mark by which <see cref="KernelRouteTable.Flush"/> finds
    /// them again; routes of any other protocol are never changed. Default 186, RTPROT_BGP (linux/rtnetlink.h),
    /// the value FRR's zebra gives BGP routes, so <c>ip route</c> shows <c>proto bgp</c> as on an FRR-K8s node
    /// (BgpKit's speaker replaces FRR-K8s there: do not run zebra in the same namespace with the same protocol).
    /// </summary>
    public byte Protocol { get; init; } = KernelRouteTable.DefaultProtocol;

    /// <summary>The route metric (priority). Default 20, what zebra installs eBGP routes with.</summary>
    public uint Metric { get; init; } = 20;

    /// <summary>How long to wait for the kernel's answer to one request.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the <c>BgpKit.Bgp.Kernel</c> meter is created (optional).</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
