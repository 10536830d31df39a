using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.MetalLb.Model.Tests;

/// <summary>Short YAML building blocks for table-driven tests.</summary>
internal static class TestManifests
{
    public const string Peer = """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: peer1, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1}
        """;

    /// <summary><see cref="Peer"/> with <c>dualStackAddressFamily: true</c>: its IPv4 session carries IPv6 too.</summary>
    public const string DualStackPeer = """
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {name: peer1, namespace: metallb-system}
        spec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, dualStackAddressFamily: true}
        """;

    public const string Pool = """
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {name: pool1, namespace: metallb-system}
        spec: {addresses: [192.0.2.0/24]}
        """;

    public const string Advertisement = """
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {name: adv1, namespace: metallb-system}
        spec: {ipAddressPools: [pool1]}
        """;

    public static string Join(params string[] documents) => string.Join("\n---\n", documents);

    public static string Service(string name, string ns = "default", string? annotations = null, string extraSpec = "", string? labels = null) => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
          namespace: {{ns}}
          annotations: {{{annotations ?? ""}}}
          labels: {{{labels ?? ""}}}
        spec:
          type: LoadBalancer
          ports: [{port: 80, protocol: TCP}]
        {{Indent(extraSpec)}}
        """;

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));

    public static ManifestSet Parse(string yaml) => ManifestSet.Parse(yaml, "test.yaml");

    public static ValidatedConfig Validate(string yaml) => ConfigValidator.Validate(Parse(yaml));

    public static ClusterPlan Plan(string yaml, string? node = null) => MetalLbPlanner.Plan(Parse(yaml), new PlanOptions { Node = node });

    public static PlanState State(string yaml) => PlanState.Build(Validate(yaml));
}
