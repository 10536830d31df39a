using System.Text.Json;
using System.Text.Json.Nodes;

namespace BgpKit.MetalLb.Kubernetes.Webhook;

/// <summary>
/// The BGPPeer conversion webhook (<c>/convert</c>, an <c>apiextensions.k8s.io/v1</c>
/// ConversionReview): v1beta1 (served, deprecated) to v1beta2 (stored) and back, field for field as
/// upstream converts. v1beta2 is a superset: going back to v1beta1 keeps only v1beta1's fields, and
/// metadata always travels whole.
/// </summary>
internal static class BgpPeerConversion
{
    /// <summary>The spec fields both versions have, by their JSON names.</summary>
    internal static readonly string[] SharedFields =
        ["myASN", "peerASN", "peerAddress", "sourceAddress", "peerPort", "holdTime", "keepaliveTime", "routerID", "password", "bfdProfile", "ebgpMultiHop", "nodeSelectors"];

    public static (int Status, string Body) Handle(ReadOnlySpan<byte> body)
    {
        JsonObject review;
        JsonObject request;
        string uid;
        string desired;
        JsonArray objects;
        try
        {
            review = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not a JSON object");
            request = review["request"] as JsonObject ?? throw new JsonException("no request");
            uid = request["uid"]?.GetValue<string>() ?? throw new JsonException("no request.uid");
            desired = request["desiredAPIVersion"]?.GetValue<string>() ?? throw new JsonException("no request.desiredAPIVersion");
            objects = request["objects"] as JsonArray ?? throw new JsonException("no request.objects");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return (400, new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["message"] = "not a ConversionReview: " + e.Message }.ToJsonString());
        }
        var converted = new JsonArray();
        string? failure = null;
        foreach (var node in objects)
        {
            if (node is not JsonObject obj || Convert(obj, desired) is not { } result)
            {
                failure = $"cannot convert {node?["apiVersion"]} {node?["kind"]} to {desired}: only metallb.io BGPPeer v1beta1 and v1beta2";
                break;
            }
            converted.Add((JsonNode)result); // the JsonNode overload: Add<T> would wrap it through reflection
        }
        var response = new JsonObject
        {
            ["uid"] = uid,
            ["result"] = failure is null ? new JsonObject { ["status"] = "Success" } : new JsonObject { ["status"] = "Failure", ["message"] = failure },
        };
        if (failure is null)
        {
            response["convertedObjects"] = converted;
        }
        return (200, new JsonObject
        {
            ["apiVersion"] = review["apiVersion"]?.GetValue<string>() ?? "apiextensions.k8s.io/v1",
            ["kind"] = "ConversionReview",
            ["response"] = response,
        }.ToJsonString());
    }

    /// <summary>One BGPPeer in <paramref name="desired"/> (metallb.io/v1beta1 or v1beta2); null when it is not a BGPPeer of those versions.</summary>
    internal static JsonObject? Convert(JsonObject peer, string desired)
    {
        var from = peer["apiVersion"]?.GetValue<string>();
        if (peer["kind"]?.GetValue<string>() != "BGPPeer" || from is not ("metallb.io/v1beta1" or "metallb.io/v1beta2") || desired is not ("metallb.io/v1beta1" or "metallb.io/v1beta2"))
        {
            return null;
        }
        var result = (JsonObject)peer.DeepClone();
        result["apiVersion"] = desired;
        if (from == desired || desired == "metallb.io/v1beta2" || result["spec"] is not JsonObject spec)
        {
            return result;
        }
        foreach (var key in spec.Select(p => p.Key).Where(k => !SharedFields.Contains(k, StringComparer.Ordinal)).ToArray())
        {
            spec.Remove(key);
        }
        return result;
    }
}
