using System.Diagnostics.Metrics;
using System.Net;
using BgpKit.MetalLb.Kubernetes.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes;

/// <summary>How a <see cref="SpeakerHost"/> runs: which manifests, which node, where it listens.</summary>
public sealed record SpeakerHostOptions
{
    /// <summary>The node to plan for (MetalLB's speaker runs once per node).</summary>
    public required string Node { get; init; }

    /// <summary>Manifest files and directories (YAML or JSON), watched for changes; empty when <see cref="KubernetesApi"/> is set.</summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = [];

    /// <summary>
    /// Read the resources from this Kubernetes API server (list and watch) instead of manifest files;
    /// <see cref="KubernetesApiOptions.InCluster()"/> inside a pod. Exactly one of this and <see cref="ConfigPaths"/> is set.
    /// </summary>
    public KubernetesApiOptions? KubernetesApi { get; init; }

    /// <summary>Where to accept BGP connections from routers (default [::]:179); null to only connect out.</summary>
    public IPEndPoint? BgpListen { get; init; } = new(IPAddress.IPv6Any, 179);

    /// <summary>Where to serve the status views and <c>/metrics</c> (default 127.0.0.1:7473); null for none.</summary>
    public IPEndPoint? StatusEndPoint { get; init; } = StatusServer.DefaultEndPoint;

    /// <summary>How often the manifests are re-read even without a file-system event.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With <see cref="KubernetesApi"/>: at most this many writes a second of the node's status
    /// objects (ServiceBGPStatus, BGPSessionState, ConfigurationState), after a burst of as many;
    /// changes in between are coalesced and the latest state is written.
    /// </summary>
    public int StatusWritesPerSecond { get; init; } = 5;

    /// <summary>
    /// Install the routes received from neighbors whose FRRConfiguration <c>toReceive</c> allows them into the node's
    /// kernel routing table (a VRF's table for a router with a vrf), as FRR-K8s does through zebra: ECMP across
    /// peers giving the same prefix, removed on withdraw and session loss, all removed at a clean stop and a crashed
    /// run's leftovers removed at start (rtm_protocol 186, <c>proto bgp</c>). Default true; Linux only.
    /// </summary>
    public bool InstallReceivedRoutes { get; init; } = true;

    /// <summary>
    /// Where the speaker keeps what graceful restart (BGPPeer <c>enableGracefulRestart</c>) needs across restarts of
    /// the process or pod: <c>graceful-restart.json</c> (restart count, last start, families with forwarding
    /// state). Found at start, the start is a restart: OPENs to those peers carry the R bit. Null (the default):
    /// nothing is kept, every start is cold; graceful restart still works except for the R bit.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>
    /// Layer 2 mode (answering ARP and NDP for the Services of pools an L2Advertisement selects, from
    /// the one elected node); on by default. Needs libpcap and CAP_NET_RAW.
    /// </summary>
    public bool Layer2 { get; init; } = true;

    /// <summary>
    /// With <see cref="KubernetesApi"/>: how long this speaker's Lease (<c>bgpkit-speaker-NODE</c>) stays
    /// valid without renewal; a speaker that stops renewing loses its layer 2 addresses within about
    /// this plus <see cref="Layer2RenewInterval"/>. Default 5 s; at least three renew intervals.
    /// </summary>
    public TimeSpan Layer2LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the speaker renews its Lease, reads the others' and re-elects layer 2 owners (default 1 s).</summary>
    public TimeSpan Layer2RenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of every timer (BGP, BFD, rescans).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where logs go.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where the BgpKit meters are created (optional).</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
