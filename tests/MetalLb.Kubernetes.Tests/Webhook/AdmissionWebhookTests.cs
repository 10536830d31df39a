using System.Text;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Kubernetes.Webhook;
using static BgpKit.MetalLb.Kubernetes.Tests.Controller.ClusterObjects;

namespace BgpKit.MetalLb.Kubernetes.Tests.Webhook;

public class AdmissionWebhookTests
{
    private const string PoolPath = "/validate-metallb-io-v1beta1-ipaddresspool";
    private const string PeerPath = "/validate-metallb-io-v1beta2-bgppeer";

    private static readonly ResourceSnapshot Cluster = Snapshot(Pool("existing", "192.0.2.0/28"),
        new ManifestDocument("BFDProfile/metallb-system/fast", """{"apiVersion":"metallb.io/v1beta1","kind":"BFDProfile","metadata":{"name":"fast","namespace":"metallb-system"},"spec":{"receiveInterval":100}}"""),
        new ManifestDocument("BGPPeer/metallb-system/router", """{"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"router","namespace":"metallb-system"},"spec":{"myASN":64513,"peerASN":64512,"peerAddress":"192.0.2.254","bfdProfile":"fast"}}"""));

    private static readonly AdmissionWebhook Webhook = new("metallb-system", () => Cluster);

    private static string Review(string operation, string? obj, string? oldObj = null, string ns = "metallb-system", string name = "new") => $$$"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"7f0b2891-9c1c-4a0c-a1b2-c3d4e5f60718",
         "operation":"{{{operation}}}","namespace":"{{{ns}}}","name":"{{{name}}}","object":{{{obj ?? "null"}}},"oldObject":{{{oldObj ?? "null"}}}}}
        """;

    private static string PoolObject(string name, string cidr, string extra = "") => $$$"""
        {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"{{{name}}}","namespace":"metallb-system"},
         "spec":{"addresses":["{{{cidr}}}"],"autoAssign":true,"avoidBuggyIPs":false{{{extra}}}}}
        """;

    private static JsonObject Answer(string path, string review)
    {
        var (status, body) = Webhook.Handle(path, Encoding.UTF8.GetBytes(review));
        Assert.Equal(200, status);
        var response = (JsonObject)JsonNode.Parse(body)!["response"]!;
        Assert.Equal("7f0b2891-9c1c-4a0c-a1b2-c3d4e5f60718", response["uid"]!.GetValue<string>());
        return response;
    }

    [Fact]
    public void A_pool_that_fits_is_allowed_with_the_servers_defaults_in_it()
    {
        var response = Answer(PoolPath, Review("CREATE", PoolObject("new", "198.51.100.0/24")));
        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void A_pool_overlapping_another_is_refused_with_the_plans_message()
    {
        var response = Answer(PoolPath, Review("CREATE", PoolObject("new", "192.0.2.8/29")));
        Assert.False(response["allowed"]!.GetValue<bool>());
        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.Contains("IPAddressPool", message, StringComparison.Ordinal);
        Assert.Contains("overlap", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(403, response["status"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public void An_update_is_judged_without_the_old_version_of_the_same_object()
    {
        var response = Answer(PoolPath, Review("UPDATE", PoolObject("existing", "192.0.2.0/27"), PoolObject("existing", "192.0.2.0/28"), name: "existing"));
        Assert.True(response["allowed"]!.GetValue<bool>(), response.ToJsonString());
    }

    [Fact]
    public void A_field_upstream_does_not_have_is_refused_naming_it()
    {
        var response = Answer(PoolPath, Review("CREATE", PoolObject("new", "198.51.100.0/24", ",\"autoassign\":true")));
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Contains("unknown field \"autoassign\"", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_as_the_server_defaults_it_is_allowed()
    {
        const string Peer = """
            {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"new","namespace":"metallb-system"},
             "spec":{"myASN":64513,"peerASN":64512,"peerAddress":"192.0.2.253","peerPort":179,"disableMP":false,"dualStackAddressFamily":false%BFD%}}
            """;
        Assert.True(Answer(PeerPath, Review("CREATE", Peer.Replace("%BFD%", "", StringComparison.Ordinal)))["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void A_bfd_profile_a_peer_uses_cannot_be_deleted()
    {
        var obj = """{"apiVersion":"metallb.io/v1beta1","kind":"BFDProfile","metadata":{"name":"fast","namespace":"metallb-system"}}""";
        var response = Answer("/validate-metallb-io-v1beta1-bfdprofile", Review("DELETE", null, obj, name: "fast"));
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal("failed to delete BFDProfile fast, used by BGPPeer router", response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void Configuration_outside_metallbs_namespace_is_refused_as_upstream_does()
    {
        var response = Answer(PoolPath, Review("CREATE", PoolObject("new", "198.51.100.0/24").Replace("metallb-system", "default", StringComparison.Ordinal), ns: "default"));
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal("resource must be created in metallb-system namespace", response["status"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"request\":{}}")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":7}}")]
    public void A_malformed_review_gets_400_and_a_reason(string body)
    {
        var (status, answer) = Webhook.Handle(PoolPath, Encoding.UTF8.GetBytes(body));
        Assert.Equal(400, status);
        Assert.Contains("AdmissionReview", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20261207);
        var valid = Encoding.UTF8.GetBytes(Review("CREATE", PoolObject("new", "198.51.100.0/24")));
        for (var i = 0; i < 2000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var j = random.Next(1, 6); j > 0; j--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var (status, _) = Webhook.Handle(PoolPath, bytes[..random.Next(bytes.Length + 1)]);
            Assert.True(status is 200 or 400, $"status {status}");
        }
    }

    [Fact]
    public void An_unknown_path_is_404()
    {
        Assert.Equal(404, Webhook.Handle("/validate-nothing", "{}"u8).Status);
    }

    // Found by libFuzzer (fuzz/regressions/admission/f5dac8178d1547fa.bin and three like it): a review without
    // request.namespace whose object's metadata was a string made the handler index a string as an object and
    // throw (a 500 to the API server). metadata that is not an object now names no namespace, and the review
    // is judged like any other outside metallb-system.
    [Theory]
    [InlineData("\"aiew\"")]
    [InlineData("[1]")]
    [InlineData("7")]
    public void An_object_whose_metadata_is_not_an_object_is_judged_as_naming_no_namespace(string metadata)
    {
        var review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"7002\",\"operation\":\"CREATE\",\"name\":\"tor\","
            + "\"object\":{\"apiVersion\":\"metallb.io/v1beta2\",\"kind\":\"BGPPeer\",\"metadata\":" + metadata + ",\"spec\":{\"peerAddress\":\"192.0.2.254\"}}}}";
        var (status, body) = Webhook.Handle(PeerPath, Encoding.UTF8.GetBytes(review));
        Assert.Equal(200, status);
        var response = JsonNode.Parse(body)!["response"]!;
        Assert.Equal("7002", response["uid"]!.GetValue<string>());
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal("resource must be created in metallb-system namespace", response["status"]!["message"]!.GetValue<string>());
    }

    // Found by AFL++ (fuzz/regressions/admission): JsonNode reads strings and object keys lazily, so invalid
    // UTF-8 in a string, a lone escaped surrogate or a duplicate key threw from the handler after Parse
    // had accepted the body. Each is now a 400 with a reason (a lone surrogate reads as a missing uid).
    [Theory]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"\u00ff\",\"operation\":\"CREATE\"}}", true)]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"\\ud800\",\"operation\":\"CREATE\"}}", false)]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"1\",\"uid\":\"2\",\"operation\":\"CREATE\"}}", false)]
    public void A_body_that_parses_but_cannot_be_read_is_refused_with_400(string review, bool latin1)
    {
        // latin1: the body carries the octet 0xFF raw, which is not UTF-8.
        var bytes = latin1 ? Encoding.Latin1.GetBytes(review) : Encoding.UTF8.GetBytes(review);
        var (status, body) = Webhook.Handle("/validate-metallb-io-v1beta1-ipaddresspool", bytes);
        Assert.Equal(400, status);
        Assert.Contains("AdmissionReview", body, StringComparison.Ordinal);
    }
}
