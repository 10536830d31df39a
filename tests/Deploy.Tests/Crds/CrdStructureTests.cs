using System.Text.Json.Nodes;

namespace BgpKit.Deploy.Tests.Crds;

/// <summary>The CRDs serve exactly upstream's kinds and versions, namespaced with a status subresource, and every schema is structural.</summary>
public class CrdStructureTests
{
    // (group, kind, plural, served versions, storage version, deprecated versions): upstream MetalLB 0.15 and frr-k8s.
    private static readonly (string Group, string Kind, string Plural, string[] Served, string Storage, string[] Deprecated)[] Expected =
    [
        ("metallb.io", "IPAddressPool", "ipaddresspools", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "BGPPeer", "bgppeers", ["v1beta1", "v1beta2"], "v1beta2", ["v1beta1"]),
        ("metallb.io", "BGPAdvertisement", "bgpadvertisements", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "L2Advertisement", "l2advertisements", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "Community", "communities", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "BFDProfile", "bfdprofiles", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "ServiceBGPStatus", "servicebgpstatuses", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "ServiceL2Status", "servicel2statuses", ["v1beta1"], "v1beta1", []),
        ("metallb.io", "ConfigurationState", "configurationstates", ["v1beta1"], "v1beta1", []),
        ("frrk8s.metallb.io", "FRRConfiguration", "frrconfigurations", ["v1beta1"], "v1beta1", []),
        ("frrk8s.metallb.io", "BGPSessionState", "bgpsessionstates", ["v1beta1"], "v1beta1", []),
    ];

    private static IEnumerable<JsonObject> Crds => Manifests.OfKind("CustomResourceDefinition");

    public static TheoryData<string> CrdNames => new(Manifests.OfKind("CustomResourceDefinition").Select(Manifests.Name));

    [Fact]
    public void Exactly_upstreams_kinds_and_versions_are_served()
    {
        Assert.Equal(Expected.Select(e => $"{e.Plural}.{e.Group}").Order(), Crds.Select(Manifests.Name).Order());
        foreach (var e in Expected)
        {
            var spec = Manifests.Single("CustomResourceDefinition", $"{e.Plural}.{e.Group}")["spec"]!;
            Assert.Equal((e.Group, e.Kind, e.Plural, "Namespaced"),
                (spec["group"]!.GetValue<string>(), spec["names"]!["kind"]!.GetValue<string>(), spec["names"]!["plural"]!.GetValue<string>(), spec["scope"]!.GetValue<string>()));
            var versions = spec["versions"]!.AsArray().Select(v => v!.AsObject()).ToList();
            Assert.Equal(e.Served, versions.Where(v => v["served"]!.GetValue<bool>()).Select(v => v["name"]!.GetValue<string>()));
            Assert.Equal(e.Storage, Assert.Single(versions, v => v["storage"]!.GetValue<bool>())["name"]!.GetValue<string>());
            Assert.Equal(e.Deprecated, versions.Where(v => v["deprecated"]?.GetValue<bool>() == true).Select(v => v["name"]!.GetValue<string>()));
            Assert.All(versions, v => Assert.Equal("{}", v["subresources"]?["status"]?.ToJsonString()));
        }
    }

    [Fact]
    public void BGPPeer_versions_convert_through_the_controllers_webhook()
    {
        var conversion = Manifests.Single("CustomResourceDefinition", "bgppeers.metallb.io")["spec"]!["conversion"]!;
        Assert.Equal("Webhook", conversion["strategy"]!.GetValue<string>());
        var config = conversion["webhook"]!["clientConfig"]!;
        Assert.Equal(("bgpkit-webhook-service", "metallb-system", "/convert"),
            (config["service"]!["name"]!.GetValue<string>(), config["service"]!["namespace"]!.GetValue<string>(), config["service"]!["path"]!.GetValue<string>()));
        Assert.True(config.AsObject().ContainsKey("caBundle"), "caBundle is there for the controller (or cert-manager's cainjector) to patch");
        Assert.Contains("v1", conversion["webhook"]!["conversionReviewVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public void Kubectl_get_ipaddresspools_and_bgppeers_show_what_an_operator_looks_for()
    {
        static string[] Columns(string crd, string version) =>
            Manifests.Single("CustomResourceDefinition", crd)["spec"]!["versions"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == version)!["additionalPrinterColumns"]!
                .AsArray().Select(c => $"{c!["name"]!.GetValue<string>()}={c["jsonPath"]!.GetValue<string>()}").ToArray();
        Assert.Subset(Columns("ipaddresspools.metallb.io", "v1beta1").ToHashSet(),
            new HashSet<string> { "Auto Assign=.spec.autoAssign", "Avoid Buggy IPs=.spec.avoidBuggyIPs", "Addresses=.spec.addresses", "IPv4 Available=.status.availableIPv4", "Age=.metadata.creationTimestamp" });
        Assert.Subset(Columns("bgppeers.metallb.io", "v1beta2").ToHashSet(), new HashSet<string> { "Address=.spec.peerAddress", "ASN=.spec.peerASN", "BFD Profile=.spec.bfdProfile", "Multi Hops=.spec.ebgpMultiHop" });
        Assert.All(Crds, crd => Assert.All(crd["spec"]!["versions"]!.AsArray(), v => Assert.NotEmpty(v!["additionalPrinterColumns"]!.AsArray())));
    }

    [Theory]
    [MemberData(nameof(CrdNames))]
    public void Every_schema_is_structural(string crd)
    {
        foreach (var version in Manifests.Single("CustomResourceDefinition", crd)["spec"]!["versions"]!.AsArray())
        {
            var root = (JsonObject)version!["schema"]!["openAPIV3Schema"]!;
            var problems = new List<string>();
            Structural(root, "", problems, inJunctor: false);
            Assert.Equal("object", root["type"]?.GetValue<string>());
            // metadata at the root may only restrict name and generateName; it must not close ObjectMeta.
            var meta = root["properties"]?["metadata"] as JsonObject;
            Assert.True(meta is null || meta.Select(p => p.Key).All(k => k is "type"), $"{crd}: metadata schema {meta?.ToJsonString()}");
            Assert.True(problems.Count == 0, $"{crd} {version["name"]}:\n{string.Join("\n", problems)}");
        }
    }

    [Fact]
    public void Every_served_version_compiles_to_a_json_schema()
    {
        Assert.Equal(12, CrdSet.All.Count); // 11 kinds, BGPPeer in two versions
    }

    /// <summary>
    /// The rules of apiextensions' structural schemas: every field has a type (unless int-or-string or
    /// preserve-unknown-fields), lists have items, properties and additionalProperties never meet, and
    /// allOf/anyOf/oneOf/not carry only value validations (no type, default, description, nullable,
    /// additionalProperties, x-kubernetes-*). No $ref. Defaults have the field's type.
    /// </summary>
    private static void Structural(JsonObject s, string path, List<string> problems, bool inJunctor)
    {
        var type = s["type"]?.GetValue<string>();
        bool intOrString = s["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        bool preserve = s["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        if (s.ContainsKey("$ref") || s.ContainsKey("definitions") || s.ContainsKey("id"))
        {
            problems.Add($"{path}: $ref/definitions/id are not allowed");
        }
        if (inJunctor)
        {
            foreach (var forbidden in s.Select(p => p.Key).Where(k => k is "type" or "default" or "description" or "nullable" or "additionalProperties" || k.StartsWith("x-kubernetes-", StringComparison.Ordinal)))
            {
                problems.Add($"{path}: {forbidden} inside allOf/anyOf/oneOf/not");
            }
        }
        else if (string.IsNullOrEmpty(type) && !intOrString && !preserve)
        {
            problems.Add($"{path}: no type");
        }
        if (s.ContainsKey("properties") && s.ContainsKey("additionalProperties"))
        {
            problems.Add($"{path}: both properties and additionalProperties");
        }
        if (type == "array" && s["items"] is not JsonObject && !inJunctor)
        {
            problems.Add($"{path}: a list without items");
        }
        if (s["default"] is { } d && type is not null && !DefaultFits(type, d))
        {
            problems.Add($"{path}: default {d.ToJsonString()} is not a {type}");
        }
        foreach (var (name, child) in s["properties"] as JsonObject ?? [])
        {
            Structural((JsonObject)child!, $"{path}.{name}", problems, inJunctor);
        }
        if (s["items"] is JsonObject items)
        {
            Structural(items, path + "[]", problems, inJunctor);
        }
        if (s["additionalProperties"] is JsonObject additional)
        {
            Structural(additional, path + ".*", problems, inJunctor);
        }
        foreach (var junctor in new[] { "allOf", "anyOf", "oneOf" })
        {
            foreach (var branch in s[junctor] as JsonArray ?? [])
            {
                Structural((JsonObject)branch!, $"{path}({junctor})", problems, inJunctor: true);
            }
        }
        if (s["not"] is JsonObject not)
        {
            Structural(not, path + "(not)", problems, inJunctor: true);
        }
    }

    private static bool DefaultFits(string type, JsonNode value) => (type, value) switch
    {
        ("object", JsonObject) or ("array", JsonArray) => true,
        ("string", JsonValue v) => v.GetValueKind() == System.Text.Json.JsonValueKind.String,
        ("integer" or "number", JsonValue v) => v.GetValueKind() == System.Text.Json.JsonValueKind.Number,
        ("boolean", JsonValue v) => v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        _ => false,
    };
}
