using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Validation;

/// <summary>One row per rule of METALLB.md "Validation": the manifests, and the problem they must produce.</summary>
public class ValidationRuleTests
{
    private static string PeerWith(string spec, string name = "peer1") => $$"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {{{spec}}}
        """;

    private static string PoolWith(string addresses, string name = "pool1", string extra = "") => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {addresses: [{{addresses}}]{{extra}}}
        """;

    private static string AdvertisementWith(string spec, string name = "adv1") => $$"""
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {{{spec}}}
        """;

    private static string L2With(string spec, string name = "l2") => $$"""
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {{{spec}}}
        """;

    private static string Secret(string name, string type, string data) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: {{name}}, namespace: metallb-system}
        type: {{type}}
        stringData: {{{data}}}
        """;

    private const string Base = "peerAddress: 10.0.0.1";

    public static TheoryData<string, string, ProblemSeverity, string, string, string> Rules => new()
    {
        // BGPPeer
        { "myASN required", PeerWith($"peerASN: 1, {Base}"), ProblemSeverity.Error, "BGPPeer", "spec.myASN", "required" },
        { "peerASN or dynamicASN", PeerWith($"myASN: 1, {Base}"), ProblemSeverity.Error, "BGPPeer", "spec.peerASN", "one of peerASN or dynamicASN" },
        { "not both ASNs", PeerWith($"myASN: 1, peerASN: 2, dynamicASN: external, {Base}"), ProblemSeverity.Error, "BGPPeer", "spec.dynamicASN", "mutually exclusive" },
        { "dynamicASN values", PeerWith($"myASN: 1, dynamicASN: outside, {Base}"), ProblemSeverity.Error, "BGPPeer", "spec.dynamicASN", "\"internal\" or \"external\"" },
        { "ASN range", PeerWith($"myASN: 4294967296, peerASN: 2, {Base}"), ProblemSeverity.Error, "BGPPeer", "spec.myASN", "out of range" },
        { "peerAddress or interface", PeerWith("myASN: 1, peerASN: 2"), ProblemSeverity.Error, "BGPPeer", "spec.peerAddress", "one of peerAddress or interface is required" },
        { "not both peerAddress and interface", PeerWith($"myASN: 1, peerASN: 2, {Base}, interface: eth0"), ProblemSeverity.Error, "BGPPeer", "spec.interface", "mutually exclusive" },
        { "interface is an interface name", PeerWith("myASN: 1, peerASN: 2, interface: 'eth0 remote-as 1'"), ProblemSeverity.Error, "BGPPeer", "spec.interface", "invalid interface name" },
        { "interface name length", PeerWith("myASN: 1, peerASN: 2, interface: abcdefghijklmnop"), ProblemSeverity.Error, "BGPPeer", "spec.interface", "1-15 characters" },
        { "no password on an interface", PeerWith("myASN: 1, peerASN: 2, interface: eth0, password: x"), ProblemSeverity.Error, "BGPPeer", "spec.password", "not supported with interface" },
        { "no BFD on an interface", PeerWith("myASN: 1, peerASN: 2, interface: eth0, bfdProfile: p"), ProblemSeverity.Error, "BGPPeer", "spec.bfdProfile", "not supported with interface" },
        { "one peer per interface on a node", Join(PeerWith("myASN: 1, peerASN: 2, interface: eth0"), PeerWith("myASN: 1, peerASN: 3, interface: eth0", "peer2")), ProblemSeverity.Error, "BGPPeer", "spec.interface", "peer eth0 is already configured by BGPPeer peer1" },
        { "peerAddress parses", PeerWith("myASN: 1, peerASN: 2, peerAddress: 10.0.0.300"), ProblemSeverity.Error, "BGPPeer", "spec.peerAddress", "invalid peerAddress" },
        { "sourceAddress parses", PeerWith($"myASN: 1, peerASN: 2, {Base}, sourceAddress: nope"), ProblemSeverity.Error, "BGPPeer", "spec.sourceAddress", "invalid sourceAddress" },
        { "routerID parses", PeerWith($"myASN: 1, peerASN: 2, {Base}, routerID: 1.2.3"), ProblemSeverity.Error, "BGPPeer", "spec.routerID", "invalid routerID" },
        { "routerID is IPv4", PeerWith($"myASN: 1, peerASN: 2, {Base}, routerID: '2001:db8::1'"), ProblemSeverity.Error, "BGPPeer", "spec.routerID", "must be an IPv4 address" },
        { "peerPort range", PeerWith($"myASN: 1, peerASN: 2, {Base}, peerPort: 16385"), ProblemSeverity.Error, "BGPPeer", "spec.peerPort", "1..16384" },
        { "connectTime whole seconds", PeerWith($"myASN: 1, peerASN: 2, {Base}, connectTime: 1500ms"), ProblemSeverity.Error, "BGPPeer", "spec.connectTime", "whole seconds" },
        { "connectTime range", PeerWith($"myASN: 1, peerASN: 2, {Base}, connectTime: 20h"), ProblemSeverity.Error, "BGPPeer", "spec.connectTime", "1..65535" },
        { "hold whole seconds", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 4500ms"), ProblemSeverity.Error, "BGPPeer", "spec.holdTime", "whole seconds" },
        { "hold 0 or >= 3s", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 2s"), ProblemSeverity.Error, "BGPPeer", "spec.holdTime", "at least 3s" },
        { "keepalive not above hold", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 9s, keepaliveTime: 10s"), ProblemSeverity.Error, "BGPPeer", "spec.keepaliveTime", "longer than holdTime" },
        { "keepalive alone: hold = 3 x keepalive = 1.5s", PeerWith($"myASN: 1, peerASN: 2, {Base}, keepaliveTime: 500ms"), ProblemSeverity.Error, "BGPPeer", "spec.holdTime", "whole seconds" },
        { "password xor passwordSecret", PeerWith($"myASN: 1, peerASN: 2, {Base}, password: x, passwordSecret: {{name: s}}"), ProblemSeverity.Error, "BGPPeer", "spec.password", "mutually exclusive" },
        { "secret missing is pending", PeerWith($"myASN: 1, peerASN: 2, {Base}, passwordSecret: {{name: s}}"), ProblemSeverity.Pending, "BGPPeer", "spec.passwordSecret", "does not exist yet" },
        { "secret type basic-auth", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, passwordSecret: {{name: s, namespace: metallb-system}}"), Secret("s", "Opaque", "password: p")), ProblemSeverity.Error, "BGPPeer", "spec.passwordSecret", "kubernetes.io/basic-auth" },
        { "secret password key", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, passwordSecret: {{name: s}}"), Secret("s", "kubernetes.io/basic-auth", "username: u")), ProblemSeverity.Error, "BGPPeer", "spec.passwordSecret", "no \"password\" key" },
        { "password naming a Secret", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, password: s"), Secret("s", "Opaque", "password: p")), ProblemSeverity.Warning, "BGPPeer", "spec.password", "Did you mean passwordSecret" },
        { "ebgpMultiHop on iBGP", PeerWith($"myASN: 1, peerASN: 1, {Base}, ebgpMultiHop: true"), ProblemSeverity.Error, "BGPPeer", "spec.ebgpMultiHop", "iBGP" },
        { "BFD profile missing is pending", PeerWith($"myASN: 1, peerASN: 2, {Base}, bfdProfile: fast"), ProblemSeverity.Pending, "BGPPeer", "spec.bfdProfile", "does not exist yet" },
        { "routerID agreement on a node", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, routerID: 1.1.1.1"), PeerWith("myASN: 1, peerASN: 2, peerAddress: 10.0.0.2, routerID: 2.2.2.2", "peer2")), ProblemSeverity.Error, "BGPPeer", "spec.routerID", "differs" },
        { "myASN agreement on a node", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}"), PeerWith("myASN: 3, peerASN: 2, peerAddress: 10.0.0.2", "peer2")), ProblemSeverity.Error, "BGPPeer", "spec.myASN", "differs" },
        { "duplicate node selectors", PeerWith($"myASN: 1, peerASN: 2, {Base}, nodeSelectors: [{{matchLabels: {{a: b}}}}, {{matchLabels: {{a: b}}}}]"), ProblemSeverity.Error, "BGPPeer", "spec.nodeSelectors", "duplicate selector" },
        { "selector operator", PeerWith($"myASN: 1, peerASN: 2, {Base}, nodeSelectors: [{{matchExpressions: [{{key: a, operator: Equals, values: [b]}}]}}]"), ProblemSeverity.Error, "BGPPeer", "spec.nodeSelectors[0].matchExpressions[0].operator", "unknown operator" },
        // IPAddressPool
        { "at least one address", PoolWith(""), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "at least one" },
        { "CIDR parses", PoolWith("10.0.0.0/33"), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "invalid CIDR" },
        { "range start <= end", PoolWith("10.0.0.9-10.0.0.1"), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "start is after end" },
        { "range of one family", PoolWith("10.0.0.1-2001:db8::1"), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "different families" },
        { "no overlap within a pool", PoolWith("10.0.0.0/24, 10.0.0.128-10.0.0.130"), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "in the same pool" },
        { "no overlap across pools", Join(PoolWith("10.0.0.0/24"), PoolWith("10.0.0.40/29", "pool2")), ProblemSeverity.Error, "IPAddressPool", "spec.addresses", "of IPAddressPool pool1" },
        // BGPAdvertisement
        { "aggregation not wider than a CIDR", Join(PoolWith("10.0.0.0/24"), AdvertisementWith("ipAddressPools: [pool1], aggregationLength: 23")), ProblemSeverity.Error, "BGPAdvertisement", "spec.aggregationLength", "prefix 24 in this pool is more specific than the aggregation length for addresses 10.0.0.0/24 (IPAddressPool pool1); it must be at least 24" },
        { "aggregation not wider than a range's widest block", Join(PoolWith("3.3.3.2-3.3.3.254"), AdvertisementWith("ipAddressPools: [pool1], aggregationLength: 24")), ProblemSeverity.Error, "BGPAdvertisement", "spec.aggregationLength", "at least 26" },
        { "aggregationV6 not wider", Join(PoolWith("'2001:db8::/64'"), AdvertisementWith("aggregationLengthV6: 48")), ProblemSeverity.Error, "BGPAdvertisement", "spec.aggregationLengthV6", "at least 64" },
        { "aggregation max 32", AdvertisementWith("aggregationLength: 33"), ProblemSeverity.Error, "BGPAdvertisement", "spec.aggregationLength", "out of range" },
        { "community halves 16-bit", AdvertisementWith("communities: ['65536:1']"), ProblemSeverity.Error, "BGPAdvertisement", "spec.communities", "0..65535" },
        { "large community parts 32-bit", AdvertisementWith("communities: ['large:1:2:4294967296']"), ProblemSeverity.Error, "BGPAdvertisement", "spec.communities", "0..4294967295" },
        { "unknown alias", AdvertisementWith("communities: [gold]"), ProblemSeverity.Error, "BGPAdvertisement", "spec.communities", "gold" },
        { "at most 63 communities", AdvertisementWith("communities: [" + string.Join(",", Enumerable.Range(1, 64).Select(i => $"'1:{i}'")) + "]"), ProblemSeverity.Error, "BGPAdvertisement", "spec.communities", "at most 63" },
        { "dangling pool", Join(Peer, AdvertisementWith("ipAddressPools: [pool9]")), ProblemSeverity.Warning, "BGPAdvertisement", "spec.ipAddressPools", "no IPAddressPool named \"pool9\"" },
        { "dangling peer with suggestion", Join(Peer, AdvertisementWith("peers: [peer2]")), ProblemSeverity.Warning, "BGPAdvertisement", "spec.peers", "did you mean \"peer1\"" },
        { "reaching no peer", AdvertisementWith("ipAddressPools: []"), ProblemSeverity.Warning, "BGPAdvertisement", "spec.peers", "reaches no peer" },
        { "serviceSelectors need /32", Join(PoolWith("10.0.0.0/24"), AdvertisementWith("aggregationLength: 24, serviceSelectors: [{matchLabels: {a: b}}]")), ProblemSeverity.Error, "BGPAdvertisement", "spec.serviceSelectors", "aggregationLength 32" },
        { "duplicate pools", AdvertisementWith("ipAddressPools: [pool1, pool1]"), ProblemSeverity.Error, "BGPAdvertisement", "spec.ipAddressPools", "duplicate entry" },
        { "duplicate peers", AdvertisementWith("peers: [a, a]"), ProblemSeverity.Error, "BGPAdvertisement", "spec.peers", "duplicate entry" },
        { "duplicate communities", AdvertisementWith("communities: ['1:1', '1:1']"), ProblemSeverity.Error, "BGPAdvertisement", "spec.communities", "duplicate entry" },
        { "localPref conflict", Join(Peer, PoolWith("10.0.0.0/24"), AdvertisementWith("ipAddressPools: [pool1], localPref: 100"), AdvertisementWith("ipAddressPools: [pool1], localPref: 200", "adv2")), ProblemSeverity.Error, "BGPAdvertisement", "spec.localPref", "was already set for the same type of BGP update by BGPAdvertisement adv1" },
        // L2Advertisement: BgpKit never announces over layer 2, but MetalLB rejects these configurations
        { "L2 duplicate pools", L2With("ipAddressPools: [pool1, pool1]"), ProblemSeverity.Error, "L2Advertisement", "spec.ipAddressPools", "duplicate entry" },
        { "L2 duplicate pool selectors", L2With("ipAddressPoolSelectors: [{matchLabels: {a: b}}, {matchLabels: {a: b}}]"), ProblemSeverity.Error, "L2Advertisement", "spec.ipAddressPoolSelectors", "duplicate selector" },
        { "L2 duplicate node selectors", L2With("nodeSelectors: [{matchLabels: {a: b}}, {matchLabels: {a: b}}]"), ProblemSeverity.Error, "L2Advertisement", "spec.nodeSelectors", "duplicate selector" },
        { "L2 duplicate names", Join(L2With(""), L2With("")), ProblemSeverity.Error, "L2Advertisement", "metadata.name", "duplicate" },
        { "L2 dangling pool", Join(PoolWith("10.0.0.0/24"), L2With("ipAddressPools: [pool2]")), ProblemSeverity.Warning, "L2Advertisement", "spec.ipAddressPools", "did you mean \"pool1\"" },
        { "L2 duplicate interfaces", Join(PoolWith("10.0.0.0/24"), L2With("interfaces: [eth0, eth0]")), ProblemSeverity.Error, "L2Advertisement", "spec.interfaces", "duplicate" },
        // Community, BFDProfile
        { "duplicate alias", Join("apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c1}\nspec: {communities: [{name: gold, value: '1:1'}]}", "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c2}\nspec: {communities: [{name: gold, value: '1:2'}]}"), ProblemSeverity.Error, "Community", "spec.communities[0].name", "duplicate community alias" },
        { "alias value", "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c1}\nspec: {communities: [{name: gold, value: 'gold:1'}]}", ProblemSeverity.Error, "Community", "spec.communities[0].value", "invalid community" },
        { "BFD interval range", "apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {receiveInterval: 5}", ProblemSeverity.Error, "BFDProfile", "spec.receiveInterval", "10..60000" },
        { "BFD multiplier range", "apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {detectMultiplier: 1}", ProblemSeverity.Error, "BFDProfile", "spec.detectMultiplier", "2..255" },
        { "BFD minimumTtl range", "apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {minimumTtl: 255}", ProblemSeverity.Error, "BFDProfile", "spec.minimumTtl", "1..254" },
        { "echo mode with IPv6", Join("apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {echoMode: true}", PeerWith($"myASN: 1, peerASN: 2, {Base}, bfdProfile: b"), PoolWith("'2001:db8::/120'"), AdvertisementWith("ipAddressPools: [pool1]")), ProblemSeverity.Error, "BGPAdvertisement", "spec.peers", "echoMode" },
        { "duplicate names", Join(PoolWith("10.0.0.0/24"), PoolWith("10.0.1.0/24")), ProblemSeverity.Error, "IPAddressPool", "metadata.name", "duplicate" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_produces_its_problem(string rule, string yaml, ProblemSeverity severity, string kind, string field, string fragment)
    {
        var config = Validate(yaml);
        Assert.True(
            config.Problems.Any(p => p.Severity == severity && p.Kind == kind && p.Field == field && p.Message.Contains(fragment, StringComparison.Ordinal) && p.Line > 0 && p.File == "test.yaml"),
            $"{rule}: expected {severity} {kind} {field} ~ '{fragment}', got:\n{string.Join("\n", config.Problems)}");
        Assert.True(severity != ProblemSeverity.Error || !config.IsValid);
    }

    public static TheoryData<string, string> ValidConfigurations => new()
    {
        { "holdTime alone", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 9s") },
        { "hold 0 and keepalive 0", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 0s, keepaliveTime: 0s") },
        { "keepalive equal to hold", PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 9s, keepaliveTime: 9s") },
        { "dynamic ASN", PeerWith($"myASN: 1, dynamicASN: internal, {Base}") },
        { "BGP unnumbered", PeerWith("myASN: 1, dynamicASN: external, interface: eth0") },
        { "two interfaces", Join(PeerWith("myASN: 1, peerASN: 2, interface: eth0"), PeerWith("myASN: 1, peerASN: 2, interface: eth1", "peer2")) },
        { "range trimmed and summarized", Join(PoolWith("' 3.3.3.2 - 3.3.3.254 '"), AdvertisementWith("ipAddressPools: [pool1], aggregationLength: 26")) },
        { "host bits masked", Join(PoolWith("10.20.30.40/24"), PoolWith("10.20.31.0/24", "pool2")) },
        { "mixed families", PoolWith("10.0.0.0/24, '2001:db8::/64'") },
        { "well-known names", AdvertisementWith("communities: [no-export, NO_ADVERTISE, blackhole, graceful-shutdown, no-peer, no-export-subconfed, 'large:1:2:3', '65535:65281']") },
        { "same localPref twice", Join(Peer, PoolWith("10.0.0.0/24"), AdvertisementWith("ipAddressPools: [pool1], localPref: 100"), AdvertisementWith("ipAddressPools: [pool1], localPref: 100, communities: ['1:1']", "adv2")) },
        { "different localPref to different peers", Join(Peer, PoolWith("10.0.0.0/24"), AdvertisementWith("ipAddressPools: [pool1], localPref: 100, peers: [peer1]"), AdvertisementWith("ipAddressPools: [pool1], localPref: 200, peers: [peer2]", "adv2"), PeerWith("myASN: 64500, peerASN: 2, peerAddress: 10.0.0.2", "peer2")) },
        { "peers on disjoint nodes may differ in myASN", Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, nodeSelectors: [{{matchLabels: {{rack: a}}}}]"), PeerWith("myASN: 3, peerASN: 2, peerAddress: 10.0.0.2, nodeSelectors: [{matchLabels: {rack: b}}]", "peer2")) },
    };

    [Theory]
    [MemberData(nameof(ValidConfigurations))]
    public void Valid_configuration_has_no_error(string rule, string yaml)
    {
        var config = Validate(yaml);
        Assert.True(config.IsValid, $"{rule}:\n{string.Join("\n", config.Problems)}");
    }

    [Fact]
    public void Timers_default_and_derive()
    {
        var config = Validate(Join(
            PeerWith($"myASN: 1, peerASN: 2, {Base}, holdTime: 9s"),
            PeerWith("myASN: 1, peerASN: 2, peerAddress: 10.0.0.2, keepaliveTime: 20s", "peer2"),
            PeerWith("myASN: 1, peerASN: 2, peerAddress: 10.0.0.3", "peer3")));
        Assert.Equal((TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(3)), (config.Peers[0].HoldTime, config.Peers[0].KeepaliveTime));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(20)), (config.Peers[1].HoldTime, config.Peers[1].KeepaliveTime));
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30)), (config.Peers[2].HoldTime, config.Peers[2].KeepaliveTime));
    }

    [Fact]
    public void Password_from_secret_is_resolved_and_never_printed()
    {
        var config = Validate(Join(PeerWith($"myASN: 1, peerASN: 2, {Base}, passwordSecret: {{name: s, namespace: metallb-system}}"), Secret("s", "kubernetes.io/basic-auth", "password: hunter2")));
        Assert.True(config.IsValid);
        Assert.Equal("hunter2", config.Peers[0].Password);
        Assert.DoesNotContain("hunter2", config.Peers[0].ToString());
        Assert.DoesNotContain("hunter2", config.Manifests.Secrets[0].ToString());
        Assert.DoesNotContain("hunter2", BgpKit.MetalLb.Model.Planning.PlanState.ToSession(config.Peers[0]).ToString());
    }
}
