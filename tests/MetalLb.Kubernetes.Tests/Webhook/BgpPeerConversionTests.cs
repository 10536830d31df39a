using System.Text;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Webhook;

namespace BgpKit.MetalLb.Kubernetes.Tests.Webhook;

public class BgpPeerConversionTests
{
    private const string V1beta2 = """
        {"apiVersion":"metallb.io/v1beta2","kind":"BGPPeer","metadata":{"name":"r","namespace":"metallb-system","uid":"u1"},
         "spec":{"myASN":64513,"peerASN":64512,"peerAddress":"192.0.2.1","holdTime":"90s","passwordSecret":{"name":"s"},"vrf":"red",
                 "nodeSelectors":[{"matchLabels":{"zone":"a"}}]}}
        """;

    private static JsonObject Convert(string desired, params string[] objects)
    {
        var list = string.Join(",", objects);
        var review = $$$"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"c1","desiredAPIVersion":"{{{desired}}}","objects":[{{{list}}}]}}
            """;
        var (status, body) = BgpPeerConversion.Handle(Encoding.UTF8.GetBytes(review));
        Assert.Equal(200, status);
        return (JsonObject)JsonNode.Parse(body)!["response"]!;
    }

    [Fact]
    public void Down_to_v1beta1_keeps_v1beta1s_fields_and_the_metadata()
    {
        var response = Convert("metallb.io/v1beta1", V1beta2);
        Assert.Equal("Success", response["result"]!["status"]!.GetValue<string>());
        var peer = response["convertedObjects"]![0]!;
        Assert.Equal("metallb.io/v1beta1", peer["apiVersion"]!.GetValue<string>());
        Assert.Equal("u1", peer["metadata"]!["uid"]!.GetValue<string>());
        var spec = (JsonObject)peer["spec"]!;
        Assert.Equal(["holdTime", "myASN", "nodeSelectors", "peerASN", "peerAddress"], spec.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Up_to_v1beta2_keeps_everything()
    {
        var v1beta1 = V1beta2.Replace("v1beta2", "v1beta1", StringComparison.Ordinal).Replace(",\"passwordSecret\":{\"name\":\"s\"},\"vrf\":\"red\"", "", StringComparison.Ordinal);
        var peer = Convert("metallb.io/v1beta2", v1beta1)["convertedObjects"]![0]!;
        Assert.Equal("metallb.io/v1beta2", peer["apiVersion"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(v1beta1)!["spec"]!.ToJsonString(), peer["spec"]!.ToJsonString());
    }

    [Fact]
    public void Another_kind_fails_the_review_with_a_reason()
    {
        var response = Convert("metallb.io/v1beta1", """{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p"}}""");
        Assert.Equal("Failure", response["result"]!["status"]!.GetValue<string>());
        Assert.Null(response["convertedObjects"]);
    }

    [Fact]
    public void A_malformed_review_is_400()
    {
        Assert.Equal(400, BgpPeerConversion.Handle("{\"request\":{\"uid\":\"x\"}}"u8).Status);
    }
}
