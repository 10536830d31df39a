using BgpKit.MetalLb.Model;

namespace BgpKit.MetalLb.Model.Tests.Validation;

public class AdmissionCheckTests
{
    private static string Pool(string name, string cidr) => $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: {{name}}, namespace: metallb-system}
        spec: {addresses: ["{{cidr}}"], autoAssign: true, avoidBuggyIPs: false}
        """;

    private static ManifestSet Api(params string[] documents) =>
        documents.Aggregate(new ManifestSet(), (set, d) => set.Add(ManifestSet.Parse(d, "api", ReadMode.ApiServer)));

    [Fact]
    public void A_configuration_broken_elsewhere_does_not_block_an_unrelated_change_or_its_fix()
    {
        // a and b already overlap (written before the webhook existed, say).
        var current = Api(Pool("a", "192.0.2.0/24"), Pool("b", "192.0.2.128/25"));
        var unrelated = AdmissionCheck.Judge(current, current, ManifestSet.Parse(Pool("c", "198.51.100.0/24"), "c", ReadMode.Admission), "IPAddressPool", "c");
        Assert.True(unrelated.Allowed, unrelated.Message);
        var fix = AdmissionCheck.Judge(current, Api(Pool("a", "192.0.2.0/24")), ManifestSet.Parse(Pool("b", "203.0.113.0/24"), "b", ReadMode.Admission), "IPAddressPool", "b");
        Assert.True(fix.Allowed, fix.Message);
        var worse = AdmissionCheck.Judge(current, current, ManifestSet.Parse(Pool("d", "192.0.2.64/26"), "d", ReadMode.Admission), "IPAddressPool", "d");
        Assert.False(worse.Allowed);
        Assert.Contains("IPAddressPool d", worse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Admission_reads_upstreams_defaults_but_refuses_fields_upstream_does_not_have()
    {
        var peer = """
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: p, namespace: metallb-system}
            spec: {myASN: 64513, peerASN: 64512, peerAddress: 192.0.2.1, dualStackAddressFamily: false, disableMP: false}
            """;
        Assert.DoesNotContain(ManifestSet.Parse(peer, "p", ReadMode.Admission).Problems, p => p.Severity == ProblemSeverity.Error);
        var typo = ManifestSet.Parse(peer.Replace("disableMP", "disableMp", StringComparison.Ordinal), "p", ReadMode.Admission);
        var error = Assert.Single(typo.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Contains("unknown field \"disableMp\"; did you mean \"disableMP\"?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_webhook_admits_an_interface_peer_and_refuses_one_that_also_has_an_address()
    {
        static string Peer(string where) => $$"""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: tor, namespace: metallb-system}
            spec: {myASN: 64513, peerASN: 64512, {{where}}}
            """;
        var empty = new ManifestSet();
        var unnumbered = AdmissionCheck.Judge(empty, empty, ManifestSet.Parse(Peer("interface: eth1"), "tor", ReadMode.Admission), "BGPPeer", "tor");
        Assert.True(unnumbered.Allowed, unnumbered.Message);
        Assert.Empty(unnumbered.Warnings);
        var both = AdmissionCheck.Judge(empty, empty, ManifestSet.Parse(Peer("interface: eth1, peerAddress: 192.0.2.1"), "tor", ReadMode.Admission), "BGPPeer", "tor");
        Assert.False(both.Allowed);
        Assert.Equal("BGPPeer tor spec.interface: peerAddress and interface are mutually exclusive", both.Message);
    }
}
