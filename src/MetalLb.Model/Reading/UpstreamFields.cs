using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace BgpKit.MetalLb.Model.Reading;

/// <summary>
/// One field of an upstream CRD: its path below the object (list items drop their index, so
/// <c>spec.bgp.routers.neighbors.port</c>), the value an API server returns when nobody set it (the
/// schema default, else Go's zero value, which <c>omitempty</c> makes the same as absent; null when any
/// value means something), and whether BgpKit reads it.
/// </summary>
internal sealed record UpstreamField(string Path, string? Default, bool Implemented);

/// <summary>
/// The fields upstream's CRDs define for each kind BgpKit reads, in one place: metallb.io v1beta1
/// (IPAddressPool, BGPAdvertisement, L2Advertisement, Community, BFDProfile), BGPPeer v1beta2 (a superset
/// of v1beta1) and frrk8s.metallb.io v1beta1 FRRConfiguration, as in metallb/metallb and metallb/frr-k8s
/// main (2026-07, MetalLB 0.15). <c>metadata</c> and <c>status</c> are not listed: the server writes them
/// and they are accepted whole in every mode. Selectors (matchLabels, matchExpressions) are read in full.
/// <para>
/// Reading objects from an API server (<see cref="ReadMode.ApiServer"/>) consults the table for each field
/// no reader asked for: an unimplemented field at its default is silent, at another value a warning.
/// </para>
/// </summary>
internal static partial class UpstreamFields
{
    private static UpstreamField F(string path, string? @default = null) => new(path, @default, Implemented: true);

    private static UpstreamField Unimplemented(string path, string? @default) => new(path, @default, Implemented: false);

    private static readonly UpstreamField[] BgpPeer =
    [
        F("spec"),
        F("spec.myASN"),
        F("spec.peerASN"),
        F("spec.dynamicASN"),
        Unimplemented("spec.localASN", "0"),
        F("spec.peerAddress"),
        F("spec.interface", ""),
        F("spec.sourceAddress"),
        F("spec.peerPort", "179"),
        F("spec.holdTime"),
        F("spec.keepaliveTime"),
        F("spec.connectTime"),
        F("spec.routerID"),
        F("spec.password"),
        F("spec.passwordSecret"),
        F("spec.passwordSecret.name"),
        F("spec.passwordSecret.namespace"),
        F("spec.bfdProfile"),
        F("spec.nodeSelectors", "[]"),
        F("spec.ebgpMultiHop", "false"),
        F("spec.vrf", ""),
        F("spec.enableGracefulRestart", "false"),
        F("spec.disableMP", "false"),
        F("spec.dualStackAddressFamily", "false"),
    ];

    private static readonly UpstreamField[] IpAddressPool =
    [
        F("spec"),
        F("spec.addresses"),
        F("spec.autoAssign", "true"),
        F("spec.avoidBuggyIPs", "false"),
        F("spec.serviceAllocation"),
        F("spec.serviceAllocation.priority"),
        F("spec.serviceAllocation.namespaces", "[]"),
        F("spec.serviceAllocation.namespaceSelectors", "[]"),
        F("spec.serviceAllocation.serviceSelectors", "[]"),
    ];

    private static readonly UpstreamField[] BgpAdvertisement =
    [
        F("spec"),
        F("spec.aggregationLength", "32"),
        F("spec.aggregationLengthV6", "128"),
        F("spec.localPref"),
        F("spec.communities", "[]"),
        F("spec.ipAddressPools", "[]"),
        F("spec.ipAddressPoolSelectors", "[]"),
        F("spec.nodeSelectors", "[]"),
        F("spec.peers", "[]"),
        F("spec.serviceSelectors", "[]"),
    ];

    private static readonly UpstreamField[] L2Advertisement =
    [
        F("spec"),
        F("spec.ipAddressPools", "[]"),
        F("spec.ipAddressPoolSelectors", "[]"),
        F("spec.nodeSelectors", "[]"),
        F("spec.interfaces", "[]"),
        // BgpKit announces over BGP only; layer 2 placement is not planned.
        Unimplemented("spec.serviceSelectors", "[]"),
        Unimplemented("spec.preferredNodeSelectors", "[]"),
        Unimplemented("spec.preferredNodeSelectors.weight", null),
        Unimplemented("spec.preferredNodeSelectors.preference", null),
    ];

    private static readonly UpstreamField[] Community =
    [
        F("spec"),
        F("spec.communities", "[]"),
        F("spec.communities.name"),
        F("spec.communities.value"),
    ];

    // The BFDProfile schema has no defaults; MetalLB applies these when a field is absent, and a server
    // that went through MetalLB's webhook or an older chart returns them written out.
    private static readonly UpstreamField[] BfdProfile =
    [
        F("spec"),
        F("spec.receiveInterval", "300"),
        F("spec.transmitInterval", "300"),
        F("spec.detectMultiplier", "3"),
        F("spec.echoInterval", "50"),
        F("spec.minimumTtl", "254"),
        F("spec.echoMode", "false"),
        F("spec.passiveMode", "false"),
    ];

    private const string Router = "spec.bgp.routers";
    private const string Neighbor = "spec.bgp.routers.neighbors";

    private static readonly UpstreamField[] FrrConfiguration =
    [
        F("spec"),
        F("spec.bgp"),
        F("spec.nodeSelector"),
        F("spec.raw"),
        F("spec.raw.priority"),
        F("spec.raw.rawConfig"),
        F(Router, "[]"),
        F($"{Router}.asn"),
        F($"{Router}.id"),
        F($"{Router}.vrf", ""),
        F($"{Router}.prefixes", "[]"),
        Unimplemented($"{Router}.imports", "[]"),
        Unimplemented($"{Router}.imports.vrf", null),
        Unimplemented($"{Router}.evpn", null),
        Unimplemented($"{Router}.evpn.advertiseSVI", null),
        Unimplemented($"{Router}.evpn.advertiseVNIs", null),
        Unimplemented($"{Router}.evpn.l2vnis", null),
        Unimplemented($"{Router}.evpn.l2vnis.vni", null),
        Unimplemented($"{Router}.evpn.l2vnis.rd", null),
        Unimplemented($"{Router}.evpn.l2vnis.importRTs", null),
        Unimplemented($"{Router}.evpn.l2vnis.exportRTs", null),
        Unimplemented($"{Router}.evpn.l3vni", null),
        Unimplemented($"{Router}.evpn.l3vni.vni", null),
        Unimplemented($"{Router}.evpn.l3vni.rd", null),
        Unimplemented($"{Router}.evpn.l3vni.importRTs", null),
        Unimplemented($"{Router}.evpn.l3vni.exportRTs", null),
        Unimplemented($"{Router}.evpn.l3vni.advertisePrefixes", null),
        F($"{Router}.neighbors", "[]"),
        F($"{Neighbor}.asn"),
        F($"{Neighbor}.dynamicASN"),
        Unimplemented($"{Neighbor}.localASN", "0"),
        F($"{Neighbor}.address"),
        Unimplemented($"{Neighbor}.interface", ""),
        F($"{Neighbor}.port", "179"),
        F($"{Neighbor}.password"),
        F($"{Neighbor}.passwordSecret"),
        F($"{Neighbor}.passwordSecret.name"),
        F($"{Neighbor}.passwordSecret.namespace"),
        F($"{Neighbor}.sourceaddress"),
        F($"{Neighbor}.holdTime"),
        F($"{Neighbor}.keepaliveTime"),
        F($"{Neighbor}.connectTime"),
        F($"{Neighbor}.ebgpMultiHop", "false"),
        F($"{Neighbor}.bfdProfile"),
        F($"{Neighbor}.enableGracefulRestart", "false"),
        F($"{Neighbor}.disableMP", "false"),
        F($"{Neighbor}.dualStackAddressFamily", "false"),
        Unimplemented($"{Neighbor}.addressFamilies", "[unicast]"),
        F($"{Neighbor}.toAdvertise"),
        F($"{Neighbor}.toAdvertise.allowed"),
        F($"{Neighbor}.toAdvertise.allowed.mode", "filtered"),
        F($"{Neighbor}.toAdvertise.allowed.prefixes", "[]"),
        Unimplemented($"{Neighbor}.toAdvertise.nextHop", null),
        Unimplemented($"{Neighbor}.toAdvertise.nextHop.ipv4", ""),
        Unimplemented($"{Neighbor}.toAdvertise.nextHop.ipv6", ""),
        F($"{Neighbor}.toAdvertise.withLocalPref", "[]"),
        F($"{Neighbor}.toAdvertise.withLocalPref.localPref"),
        F($"{Neighbor}.toAdvertise.withLocalPref.prefixes", "[]"),
        F($"{Neighbor}.toAdvertise.withCommunity", "[]"),
        F($"{Neighbor}.toAdvertise.withCommunity.community"),
        F($"{Neighbor}.toAdvertise.withCommunity.prefixes", "[]"),
        F($"{Neighbor}.toReceive"),
        F($"{Neighbor}.toReceive.allowed"),
        F($"{Neighbor}.toReceive.allowed.mode", "filtered"),
        F($"{Neighbor}.toReceive.allowed.prefixes", "[]"),
        F($"{Neighbor}.toReceive.allowed.prefixes.prefix"),
        F($"{Neighbor}.toReceive.allowed.prefixes.ge"),
        F($"{Neighbor}.toReceive.allowed.prefixes.le"),
        F("spec.bgp.bfdProfiles", "[]"),
        F("spec.bgp.bfdProfiles.name"),
        F("spec.bgp.bfdProfiles.receiveInterval", "300"),
        F("spec.bgp.bfdProfiles.transmitInterval", "300"),
        F("spec.bgp.bfdProfiles.detectMultiplier", "3"),
        F("spec.bgp.bfdProfiles.echoInterval", "50"),
        F("spec.bgp.bfdProfiles.minimumTtl", "254"),
        F("spec.bgp.bfdProfiles.echoMode", "false"),
        F("spec.bgp.bfdProfiles.passiveMode", "false"),
    ];

    private static readonly Dictionary<string, Dictionary<string, UpstreamField>> ByKind = new(StringComparer.Ordinal)
    {
        ["BGPPeer"] = Index(BgpPeer),
        ["IPAddressPool"] = Index(IpAddressPool),
        ["BGPAdvertisement"] = Index(BgpAdvertisement),
        ["L2Advertisement"] = Index(L2Advertisement),
        ["Community"] = Index(Community),
        ["BFDProfile"] = Index(BfdProfile),
        ["FRRConfiguration"] = Index(FrrConfiguration),
    };

    private static Dictionary<string, UpstreamField> Index(UpstreamField[] fields) => fields.ToDictionary(f => f.Path, StringComparer.Ordinal);

    /// <summary>The kinds the table covers.</summary>
    public static IEnumerable<string> Kinds => ByKind.Keys;

    /// <summary>Upstream's fields of one kind, in the table's order (empty for a kind not covered).</summary>
    public static IReadOnlyCollection<UpstreamField> Of(string kind) =>
        ByKind.TryGetValue(kind, out var fields) ? fields.Values : [];

    /// <summary>The field at <paramref name="schemaPath"/> (no list indexes) of <paramref name="kind"/>, or null.</summary>
    public static UpstreamField? Find(string kind, string schemaPath) =>
        ByKind.TryGetValue(kind, out var fields) ? fields.GetValueOrDefault(schemaPath) : null;

    /// <summary><c>spec.bgp.routers[0].neighbors[2].port</c> becomes <c>spec.bgp.routers.neighbors.port</c>.</summary>
    public static string SchemaPath(string fieldPath) => ListIndex().Replace(fieldPath, "");

    /// <summary>
    /// Whether <paramref name="value"/> is what the server returns for <paramref name="field"/> when nobody
    /// set it: null, an empty list or object (what <c>omitempty</c> drops), the default written out, or an
    /// object whose every field is at its own default.
    /// </summary>
    public static bool IsDefault(string kind, UpstreamField field, YamlNode value) => value switch
    {
        YamlScalarNode { Value: null or "null" or "~", Style: YamlDotNet.Core.ScalarStyle.Plain } => true,
        YamlScalarNode scalar => scalar.Value == field.Default || (scalar.Value?.Length == 0 && field.Default is null),
        YamlSequenceNode { Children.Count: 0 } => true,
        YamlSequenceNode sequence => field.Default == $"[{string.Join(",", sequence.Children.Select(c => (c as YamlScalarNode)?.Value ?? "?"))}]",
        YamlMappingNode map => map.Children.All(child =>
            child.Key is YamlScalarNode { Value: { } key }
            && Find(kind, $"{field.Path}.{key}") is { } inner
            && IsDefault(kind, inner, child.Value)),
        _ => false,
    };

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex ListIndex();
}
