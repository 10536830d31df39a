using System.Text.Json.Nodes;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>Deliberately broken documents are refused by the schema, each with a message that names the field and says what is wrong.</summary>
public class SchemaVerdictTests
{
    private static IReadOnlyList<string> Verdict(string yaml)
    {
        var document = (JsonObject)YamlJson.Documents(yaml).Single();
        var schema = CrdSet.For(document) ?? throw new InvalidOperationException("no CRD serves " + document["apiVersion"] + " " + document["kind"]);
        return schema.Validate(document);
    }

    private static void Refused(string yaml, params string[] fragments)
    {
        var problems = Verdict(yaml);
        Assert.NotEmpty(problems);
        foreach (var fragment in fragments)
        {
            Assert.True(problems.Any(p => p.Contains(fragment, StringComparison.Ordinal)), $"no problem contains '{fragment}':\n{string.Join("\n", problems)}");
        }
    }

    [Theory]
    [InlineData("apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a, namespace: metallb-system}\nspec: {localpref: 100}",
        "spec.localpref: unknown field \"localpref\"; did you mean \"localPref\"?")]
    [InlineData("apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, peerPort: 70000}",
        "spec.peerPort: 70000 is out of range [1, 16384]")]
    [InlineData("apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {peerASN: 64501, peerAddress: 10.0.0.1}",
        "myASN")]
    [InlineData("apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: '64500', peerASN: 64501, peerAddress: 10.0.0.1}",
        "spec.myASN: \"64500\" is a string, must be integer")]
    [InlineData("apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, dynamicASN: sometimes}",
        "spec.dynamicASN: \"sometimes\" is not one of")]
    [InlineData("apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, labels: 1}\nspec: {addresses: [10.0.0.0/24]}",
        "metadata.labels: 1 is a number, must be object")]
    [InlineData("apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {addresses: 10.0.0.0/24}",
        "spec.addresses: \"10.0.0.0/24\" is a string, must be array")]
    [InlineData("apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a}\nspec: {aggregationLength: 0}",
        "spec.aggregationLength: 0 is out of range [1, inf]")]
    [InlineData("apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: f}\nspec: {bgp: {routers: [{asn: 64512, neighbors: [{address: 10.0.0.1, asn: 64512, toAdvertise: {allowed: {mode: everything}}}]}]}}",
        "spec.bgp.routers[0].neighbors[0].toAdvertise.allowed.mode: \"everything\" is not one of")]
    [InlineData("apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: f}\nspec: {bgp: {neighbors: []}}",
        "spec.bgp.neighbors: unknown field \"neighbors\"")]
    public void A_broken_document_is_refused_with_a_clear_message(string yaml, string fragment) => Refused(yaml, fragment);

    [Fact]
    public void A_minimal_document_of_every_configuration_kind_is_accepted()
    {
        string[] documents =
        [
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system, labels: {zone: east}}\nspec: {addresses: [192.0.2.0/24, '2001:db8::/120'], autoAssign: false}",
            "apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, holdTime: 90s}",
            "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, passwordSecret: {name: s}, bfdProfile: b, nodeSelectors: [{matchLabels: {a: b}}]}",
            "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: a}\nspec: {localPref: 100, communities: [65535:65282], ipAddressPools: [p]}",
            "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l}",
            "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec: {communities: [{name: no-advertise, value: '65535:65282'}]}",
            "apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {receiveInterval: 300, echoMode: true}",
            "apiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata: {name: f}\nspec: {bgp: {routers: [{asn: 64512, prefixes: [192.0.2.0/24], neighbors: [{address: 10.0.0.1, asn: 64512, toAdvertise: {allowed: {mode: all}}}]}]}}",
        ];
        Assert.All(documents, d => Assert.Empty(Verdict(d)));
    }
}
