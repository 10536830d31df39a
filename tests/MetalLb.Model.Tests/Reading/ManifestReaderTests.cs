namespace BgpKit.MetalLb.Model.Tests.Reading;

public class ManifestReaderTests
{
    [Theory]
    [InlineData("localpref", "localPref")]
    [InlineData("nodeSelector", "nodeSelectors")]
    [InlineData("ipaddresspools", "ipAddressPools")]
    [InlineData("aggregationLenght", "aggregationLength")]
    public void Unknown_advertisement_field_is_reported_with_the_closest_name(string field, string suggestion)
    {
        var set = TestManifests.Parse($"""
            apiVersion: metallb.io/v1beta1
            kind: BGPAdvertisement
            metadata: {"{"}name: adv1{"}"}
            spec:
              {field}: 100
            """);
        var problem = Assert.Single(set.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("BGPAdvertisement", problem.Kind);
        Assert.Equal("adv1", problem.Name);
        Assert.Equal($"spec.{field}", problem.Field);
        Assert.Equal(5, problem.Line);
        Assert.Equal("test.yaml", problem.File);
        Assert.Contains($"did you mean \"{suggestion}\"", problem.Message);
    }

    [Fact]
    public void Peer_nodeSelector_suggests_nodeSelectors()
    {
        var set = TestManifests.Parse("""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: p}
            spec:
              myASN: 1
              peerASN: 2
              peerAddress: 10.0.0.1
              nodeSelector: {matchLabels: {a: b}}
            """);
        Assert.Contains(set.Problems, p => p.Field == "spec.nodeSelector" && p.Message.Contains("\"nodeSelectors\"") && p.Line == 8);
    }

    [Fact]
    public void Documents_lists_and_json_are_read_with_lines()
    {
        var yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: metallb.io/v1beta1
              kind: IPAddressPool
              metadata: {name: a}
              spec: {addresses: [10.0.0.0/24]}
            - apiVersion: metallb.io/v1beta1
              kind: IPAddressPool
              metadata: {name: b}
              spec: {addresses: [10.0.1.0/24]}
            ---
            {"apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool", "metadata": {"name": "c"}, "spec": {"addresses": ["10.0.2.0/24"], "autoAssign": false}}
            """;
        var set = TestManifests.Parse(yaml);
        Assert.Empty(set.Problems);
        Assert.Equal(["a", "b", "c"], set.Pools.Select(p => p.Name));
        Assert.Equal(4, set.Pools[0].Source.Line);
        Assert.Equal(13, set.Pools[2].Source.Line);
        Assert.False(set.Pools[2].AutoAssign);
    }

    [Fact]
    public void Broken_yaml_is_a_read_failure_with_a_line()
    {
        var set = TestManifests.Parse("kind: BGPPeer\nspec: [unclosed\n");
        Assert.True(set.HasReadFailure);
        Assert.True(Assert.Single(set.Problems).Line > 0);
    }

    [Fact]
    public void Wrong_types_are_errors_naming_the_field()
    {
        var set = TestManifests.Parse("""
            apiVersion: metallb.io/v1beta2
            kind: BGPPeer
            metadata: {name: p}
            spec: {myASN: "64500", peerASN: 1, peerAddress: 10.0.0.1, ebgpMultiHop: yes-please, holdTime: 90}
            """);
        Assert.Contains(set.Problems, p => p.Field == "spec.myASN" && p.Message.Contains("integer"));
        Assert.Contains(set.Problems, p => p.Field == "spec.ebgpMultiHop");
        Assert.Contains(set.Problems, p => p.Field == "spec.holdTime" && p.Message.Contains("\"90s\""));
    }

    [Fact]
    public void Other_kinds_are_skipped_with_a_warning_and_secret_values_never_appear()
    {
        var set = TestManifests.Parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: metallb-system}
            type: kubernetes.io/basic-auth
            data: {password: "not base64!!"}
            """);
        Assert.Contains(set.Problems, p => p.Severity == ProblemSeverity.Warning && p.Message.Contains("Deployment"));
        var secretProblem = Assert.Single(set.Problems, p => p.Kind == "Secret");
        Assert.DoesNotContain("not base64!!", secretProblem.ToString());
    }

    [Fact]
    public void Missing_path_is_a_read_failure()
    {
        var set = ManifestSet.Load(["/nonexistent/manifests"]);
        Assert.True(set.HasReadFailure);
    }

    // Found by AFL++ (fuzz/regressions/manifest, which keeps the %TAG and "no more tokens" cases too):
    // YamlDotNet throws ArgumentException or InvalidOperationException, not YamlException, for some
    // damaged streams, and they escaped the reader.
    [Theory]
    [InlineData("a: \"\\ud800\\u0041\"\n")]
    public void Yaml_the_parser_rejects_with_an_unusual_exception_is_a_problem_naming_the_file(string text)
    {
        var set = ManifestSet.Parse(text, "bad.yaml");
        Assert.True(set.HasReadFailure);
        var problem = Assert.Single(set.Problems);
        Assert.Equal("bad.yaml", problem.File);
        Assert.StartsWith("not valid YAML", problem.Message, StringComparison.Ordinal);
    }
}
