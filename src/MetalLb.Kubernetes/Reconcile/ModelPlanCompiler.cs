using System.Globalization;
using System.Net;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Model;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>
/// Compiles a snapshot with MetalLb.Model's stateful <see cref="ConfigurationState"/>: reads every
/// document, validates, allocates and plans for this node, then turns the node's plan into a
/// <see cref="NodeIntent"/>. The state keeps every service's addresses across changes, so adding a
/// service never moves another one (which would withdraw its route). Sessions the model marks
/// pending (a missing Secret or BFD profile) are left out until they can run.
/// </summary>
internal sealed class ModelPlanCompiler : IPlanCompiler
{
    private readonly string _node;
    private readonly ReadMode _mode;
    private readonly ConfigurationState _state;

    /// <param name="node">The node to plan for.</param>
    /// <param name="fromApiServer">
    /// True when the snapshots come from the API server: objects carry the CRDs' defaults, and
    /// Services' addresses are the ones the controller wrote to their status (the speaker does not
    /// allocate, as MetalLB's does not). False for manifest files: strict reading, local allocation.
    /// </param>
    public ModelPlanCompiler(string node, bool fromApiServer = false)
    {
        _node = node;
        _mode = fromApiServer ? ReadMode.ApiServer : ReadMode.Manifest;
        _state = new ConfigurationState(new PlanOptions
        {
            Node = node,
            Addresses = fromApiServer ? AddressSource.ServiceStatus : AddressSource.Allocate,
        });
    }

    public PlanOutcome Compile(ResourceSnapshot snapshot)
    {
        var manifests = new ManifestSet();
        foreach (var document in snapshot.Documents)
        {
            manifests.Add(ManifestSet.Parse(document.Text, document.Origin, _mode));
        }
        var result = _state.Apply(manifests);
        var plan = result.Candidate;
        var errors = plan.Errors.Select(View).ToArray();
        var pending = plan.Pending.Select(View).ToArray();
        var warnings = plan.Warnings.Select(View).Concat(plan.Notes.Select(n => new ConfigProblemView(null, 0, null, null, null, n))).ToArray();
        if (!result.Applied)
        {
            return new PlanOutcome(null, errors, pending, warnings, []);
        }
        var node = plan.Nodes.FirstOrDefault(n => n.Name == _node);
        var services = plan.Services.Select(s =>
        {
            var reason = s.Error ?? (s.Announced.TryGetValue(_node, out var r) ? r : "not announced: this node is not in the plan");
            return new ServiceView(s.Namespace, s.Name, s.Addresses.Select(a => a.ToString()).ToArray(), s.Pool,
                s.Error is null && reason.StartsWith("announced", StringComparison.Ordinal), reason);
        }).ToArray();
        if (node is null)
        {
            return new PlanOutcome(new NodeIntent([], []) { Layer2 = plan.Layer2 }, errors, pending, warnings, services);
        }
        var peers = node.Sessions.Where(s => s.Pending is null).Select(Peer).ToArray();
        var running = peers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var routes = node.Announcements.Where(a => running.Contains(a.Peer)).Select(Route).ToArray();
        return new PlanOutcome(new NodeIntent(peers, routes) { Layer2 = plan.Layer2 }, errors, pending, warnings, services);
    }

    private static ConfigProblemView View(Problem p) =>
        new(Empty(p.File), p.Line, Empty(p.Kind), Empty(p.Name), Empty(p.Field), p.Message);

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    internal static PeerIntent Peer(SessionPlan session) => new()
    {
        Name = session.Peer,
        Address = session.Address,
        Interface = session.Interface,
        Port = session.Port,
        MyAsn = session.MyAsn,
        PeerAsn = session.PeerAsn ?? 0,
        DynamicAsn = session.DynamicAsn,
        SourceAddress = session.SourceAddress,
        RouterId = session.RouterId,
        HoldTime = session.HoldTime,
        KeepaliveTime = session.KeepaliveTime,
        ConnectTime = session.ConnectTime ?? TimeSpan.FromSeconds(10),
        EbgpMultiHop = session.EbgpMultiHop,
        Vrf = session.Vrf.Length == 0 ? null : session.Vrf,
        SingleFamily = session.DisableMp,
        InstallReceived = session.ReceivesRoutes,
        GracefulRestart = session.GracefulRestart,
        Password = session.RevealPassword(),
        ToReceive = session.ToReceive,
        Bfd = session.Bfd is { } b ? new BfdIntent
        {
            ProfileName = session.BfdProfile ?? "default",
            ReceiveInterval = TimeSpan.FromMilliseconds(b.ReceiveInterval),
            TransmitInterval = TimeSpan.FromMilliseconds(b.TransmitInterval),
            DetectMultiplier = (byte)b.DetectMultiplier,
            EchoInterval = TimeSpan.FromMilliseconds(b.EchoInterval),
            EchoMode = b.EchoMode,
            PassiveMode = b.PassiveMode,
            MinimumTtl = (byte)b.MinimumTtl,
            Multihop = session.EbgpMultiHop,
        } : null,
    };

    internal static RouteIntent Route(Announcement announcement) => new(
        announcement.Peer,
        announcement.Prefix,
        announcement.LocalPref,
        announcement.Communities.Select(ParseCommunity),
        announcement.LargeCommunities.Select(ParseLargeCommunity));

    /// <summary>The model prints standard communities as <c>high:low</c>.</summary>
    internal static uint ParseCommunity(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2)
        {
            throw new FormatException($"community '{text}' is not high:low");
        }
        return ((uint)ushort.Parse(parts[0], CultureInfo.InvariantCulture) << 16) | ushort.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    internal static LargeCommunity ParseLargeCommunity(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3)
        {
            throw new FormatException($"large community '{text}' is not a:b:c");
        }
        return new LargeCommunity(uint.Parse(parts[0], CultureInfo.InvariantCulture), uint.Parse(parts[1], CultureInfo.InvariantCulture), uint.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
