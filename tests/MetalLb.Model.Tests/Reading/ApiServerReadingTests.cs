using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Reading;

/// <summary>
/// <see cref="ReadMode.ApiServer"/>: objects as a MetalLB 0.15 API server returns them (schema defaults
/// written out, server metadata, status) read without errors and plan as the minimal manifests do.
/// </summary>
public class ApiServerReadingTests
{
    private const string Metadata = """
          namespace: metallb-system
          uid: 6f1c2a8e-3f0b-4b4e-9d55-0c1f3c2b9a11
          resourceVersion: "184467"
          generation: 3
          creationTimestamp: "2026-07-01T10:00:00Z"
          labels: {app.kubernetes.io/managed-by: helm}
          annotations: {meta.helm.sh/release-name: metallb}
          finalizers: [metallb.io/finalizer]
          ownerReferences:
          - {apiVersion: v1, kind: ConfigMap, name: owner, uid: 0a1b, controller: false}
          managedFields:
          - apiVersion: metallb.io/v1beta2
            fieldsType: FieldsV1
            fieldsV1: {f:spec: {.: {}, f:myASN: {}}}
            manager: kubectl-client-side-apply
            operation: Update
            time: "2026-07-01T10:00:00Z"
        """;

    private const string ServerPeer = $$"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata:
          name: peer1
        {{Metadata}}
        spec:
          myASN: 64500
          peerASN: 64501
          peerAddress: 10.0.0.1
          peerPort: 179
          holdTime: 1m30s
          keepaliveTime: 30s
          dualStackAddressFamily: false
          enableGracefulRestart: false
          disableMP: false
          ebgpMultiHop: false
          vrf: ""
          interface: ""
          localASN: 0
        status: {}
        """;

    private const string ServerPool = $$"""
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata:
          name: pool1
        {{Metadata}}
        spec:
          addresses: [192.0.2.0/24]
          autoAssign: true
          avoidBuggyIPs: false
        status: {assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0}
        """;

    private const string ServerAdvertisement = $$"""
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata:
          name: adv1
        {{Metadata}}
        spec:
          aggregationLength: 32
          aggregationLengthV6: 128
          ipAddressPools: [pool1]
          communities: [c1]
        status: {}
        """;

    private const string ServerL2 = $$"""
        apiVersion: metallb.io/v1beta1
        kind: L2Advertisement
        metadata:
          name: l2
        {{Metadata}}
        spec:
          ipAddressPools: [pool1]
          serviceSelectors: []
          preferredNodeSelectors: []
        status: {}
        """;

    private const string ServerBfd = $$"""
        apiVersion: metallb.io/v1beta1
        kind: BFDProfile
        metadata:
          name: bfd1
        {{Metadata}}
        spec:
          receiveInterval: 300
          transmitInterval: 300
          detectMultiplier: 3
          echoInterval: 50
          minimumTtl: 254
          passiveMode: false
          echoMode: false
        status: {}
        """;

    private const string ServerCommunity = $$"""
        apiVersion: metallb.io/v1beta1
        kind: Community
        metadata:
          name: communities
        {{Metadata}}
        spec:
          communities: [{name: c1, value: "64500:1"}]
        status: {}
        """;

    private const string MinimalPeer = "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: peer1}\nspec: {myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1}";
    private const string MinimalAdvertisement = "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: adv1}\nspec: {ipAddressPools: [pool1], communities: [c1]}";
    private const string MinimalL2 = "apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2}\nspec: {ipAddressPools: [pool1]}";
    private const string MinimalBfd = "apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: bfd1}\nspec: {}";
    private const string MinimalCommunity = "apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: communities}\nspec: {communities: [{name: c1, value: \"64500:1\"}]}";

    private static ManifestSet FromServer(string yaml) => ManifestSet.Parse(yaml, "apiserver", ReadMode.ApiServer);

    public static TheoryData<string> ServerObjects => new() { ServerPeer, ServerPool, ServerAdvertisement, ServerL2, ServerBfd, ServerCommunity };

    [Theory]
    [MemberData(nameof(ServerObjects))]
    public void Every_kind_as_the_server_returns_it_reads_without_a_problem(string yaml)
    {
        var set = FromServer(yaml);
        Assert.Empty(set.Problems);
        Assert.Equal(1, set.ResourceCount);
    }

    [Fact]
    public void Server_objects_plan_the_same_as_the_minimal_manifests()
    {
        var service = Service("web");
        var fromServer = MetalLbPlanner.Plan(FromServer(Join(ServerPeer, ServerPool, ServerAdvertisement, ServerL2, ServerBfd, ServerCommunity, service)), new PlanOptions { Node = "n1" });
        var minimal = MetalLbPlanner.Plan(Parse(Join(MinimalPeer, Pool, MinimalAdvertisement, MinimalL2, MinimalBfd, MinimalCommunity, service)), new PlanOptions { Node = "n1" });

        Assert.True(fromServer.Valid, string.Join("\n", fromServer.Errors));
        Assert.DoesNotContain(fromServer.Warnings, w => w.File == "apiserver");
        Assert.Equal(Summary(minimal), Summary(fromServer));
        Assert.Equal(["peer1 192.0.2.0/32 lp=- c=64500:1"], Summary(fromServer).Where(l => l.StartsWith("peer1", StringComparison.Ordinal)));
    }

    private static List<string> Summary(ClusterPlan plan) =>
    [
        .. plan.Nodes.SelectMany(n => n.Sessions.Select(s => $"session {n.Name} {s} hold={s.HoldTime} ka={s.KeepaliveTime} ct={s.ConnectTime} mh={s.EbgpMultiHop} vrf={s.Vrf} mp={s.DisableMp} gr={s.GracefulRestart}")),
        .. plan.Nodes.SelectMany(n => n.Announcements.Select(a => $"{a.Peer} {a.Prefix} lp={a.LocalPref?.ToString() ?? "-"} c={string.Join(",", a.Communities.Concat(a.LargeCommunities))}")),
        .. plan.Services.Select(s => $"service {s.Namespace}/{s.Name} {string.Join(",", s.Addresses)} {s.Pool} {s.Error} {string.Join(";", s.Announced.Select(p => $"{p.Key}={p.Value}"))}"),
    ];

    [Fact]
    public void A_list_returned_as_JSON_reads_like_YAML()
    {
        const string json = """
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeerList","metadata":{"resourceVersion":"9"},"items":[
              {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer",
               "metadata":{"name":"peer1","namespace":"metallb-system","uid":"u","generation":1,"managedFields":[{"manager":"kubectl","operation":"Update","fieldsV1":{"f:spec":{}}}]},
               "spec":{"myASN":64500,"peerASN":64501,"peerAddress":"10.0.0.1","peerPort":179,"disableMP":false,"dualStackAddressFamily":false,"vrf":""}}]}
            """;
        var set = FromServer(json);
        Assert.Empty(set.Problems);
        Assert.Equal(1, set.ResourceCount);
    }

    [Theory]
    [InlineData("BGPPeer", "localASN: 65000", "spec.localASN")]
    [InlineData("L2Advertisement", "serviceSelectors: [{matchLabels: {a: b}}]", "spec.serviceSelectors")]
    public void An_unimplemented_field_away_from_its_default_warns_naming_it(string kind, string field, string path)
    {
        string spec = kind == "BGPPeer" ? $"{{myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, {field}}}" : $"{{ipAddressPools: [pool1], {field}}}";
        string version = kind == "BGPPeer" ? "v1beta2" : "v1beta1";
        var set = FromServer($"apiVersion: metallb.io/{version}\nkind: {kind}\nmetadata: {{name: x, namespace: metallb-system}}\nspec: {spec}");

        var warning = Assert.Single(set.Problems);
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Equal(path, warning.Field);
        Assert.Equal(kind, warning.Kind);
        Assert.Equal("x", warning.Name);
        Assert.Equal("apiserver", warning.File);
        Assert.Equal(4, warning.Line);
        Assert.Contains("not implemented by BgpKit", warning.Message);
    }

    [Fact]
    public void An_unimplemented_FRRConfiguration_field_warns_with_its_full_path()
    {
        var set = FromServer("""
            apiVersion: frrk8s.metallb.io/v1beta1
            kind: FRRConfiguration
            metadata: {name: f, namespace: frr-k8s-system, generation: 2}
            spec:
              bgp:
                routers:
                - asn: 64500
                  vrf: ""
                  imports: []
                  neighbors:
                  - {address: 10.0.0.1, asn: 64501, port: 179, disableMP: false, dualStackAddressFamily: false, enableGracefulRestart: false,
                     addressFamilies: [unicast], toAdvertise: {allowed: {mode: filtered}}, toReceive: {allowed: {mode: filtered}}}
                  - {address: 10.0.0.2, asn: 64501, interface: eth1, toAdvertise: {nextHop: {ipv4: 10.1.1.1}}}
              nodeSelector: {}
            status: {}
            """);

        Assert.Equal(
            ["spec.bgp.routers[0].neighbors[1].interface", "spec.bgp.routers[0].neighbors[1].toAdvertise.nextHop"],
            set.Problems.Select(p => $"{p.Field}").Order(StringComparer.Ordinal));
        Assert.All(set.Problems, p => Assert.Equal(ProblemSeverity.Warning, p.Severity));
    }

    [Fact]
    public void A_field_upstream_does_not_have_is_a_warning_from_the_server_and_an_error_in_a_file()
    {
        const string yaml = "apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: adv1}\nspec: {localpref: 100}";

        var fromServer = Assert.Single(FromServer(yaml).Problems);
        Assert.Equal(ProblemSeverity.Warning, fromServer.Severity);
        Assert.Equal("spec.localpref", fromServer.Field);
        Assert.Contains("did you mean \"localPref\"", fromServer.Message);

        var fromFile = Assert.Single(Parse(yaml).Problems);
        Assert.Equal(ProblemSeverity.Error, fromFile.Severity);
    }

    [Theory]
    [InlineData("localASN: 0")]
    public void A_manifest_file_still_refuses_fields_BgpKit_does_not_read_even_at_their_default(string field)
    {
        var set = Parse($"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {{name: p}}\nspec: {{myASN: 64500, peerASN: 64501, peerAddress: 10.0.0.1, {field}}}");
        var error = Assert.Single(set.Problems);
        Assert.Equal(ProblemSeverity.Error, error.Severity);
        Assert.Equal("spec." + field[..field.IndexOf(':', StringComparison.Ordinal)], error.Field);
        Assert.StartsWith("unknown field", error.Message);
    }

    [Fact]
    public void Server_metadata_and_status_are_accepted_in_a_manifest_file_too()
    {
        var set = Parse(ServerPool.Replace("\nspec:", "\nspec:", StringComparison.Ordinal));
        Assert.Empty(set.Problems);
    }

    [Fact]
    public void Kinds_BgpKit_does_not_use_are_skipped_with_a_warning_from_the_server()
    {
        const string yaml = "apiVersion: metallb.io/v1beta1\nkind: ServiceBGPStatus\nmetadata: {name: s, namespace: metallb-system}\nstatus: {node: n1}";
        Assert.Equal(ProblemSeverity.Warning, Assert.Single(FromServer(yaml).Problems).Severity);
        Assert.Equal(ProblemSeverity.Error, Assert.Single(Parse(yaml).Problems).Severity);
    }

    [Fact]
    public void Type_errors_stay_errors_when_reading_from_the_server()
    {
        var set = FromServer("apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: b}\nspec: {receiveInterval: fast}");
        Assert.Equal(ProblemSeverity.Error, Assert.Single(set.Problems).Severity);
    }

    public static TheoryData<string, string, string, bool> TopLevelDefaults()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (var kind in Model.Reading.UpstreamFields.Kinds)
        {
            foreach (var field in Model.Reading.UpstreamFields.Of(kind).Where(f => f.Default is not null && f.Path.Count(c => c == '.') == 1))
            {
                data.Add(kind, field.Path["spec.".Length..], field.Default!, field.Implemented);
            }
        }
        return data;
    }

    /// <summary>The table agrees with the readers: BgpKit reads exactly the fields it marks implemented.</summary>
    [Theory]
    [MemberData(nameof(TopLevelDefaults))]
    public void The_upstream_table_agrees_with_the_readers(string kind, string field, string @default, bool implemented)
    {
        string apiVersion = kind switch { "BGPPeer" => "metallb.io/v1beta2", "FRRConfiguration" => "frrk8s.metallb.io/v1beta1", _ => "metallb.io/v1beta1" };
        string value = @default.Length == 0 ? "\"\"" : @default;
        string yaml = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{{field}: {value}}}";

        Assert.DoesNotContain(FromServer(yaml).Problems, p => p.Severity != ProblemSeverity.Error || p.Message.Contains("unknown", StringComparison.Ordinal));
        var unknown = Parse(yaml).Problems.Where(p => p.Message.StartsWith("unknown field", StringComparison.Ordinal));
        if (implemented)
        {
            Assert.Empty(unknown);
        }
        else
        {
            Assert.Equal($"spec.{field}", Assert.Single(unknown).Field);
        }
    }
}
