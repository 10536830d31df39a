using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>Structural-schema defaulting of custom resources, as the real server applies it on create and update.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>
    /// Default values per (apiVersion, kind), written as a partial object: a leaf is set where
    /// the object lacks it, and a nested object's defaults apply only where the object already has
    /// that object, as OpenAPI v3 structural defaulting does (a missing spec stays missing). The
    /// initial table holds the defaults of MetalLB 0.15's CRDs; replace entries to test others.
    /// </summary>
    public Dictionary<(string ApiVersion, string Kind), JsonObject> Defaults { get; } = new()
    {
        [("metallb.io/v1beta1", "IPAddressPool")] = new JsonObject
        {
            ["spec"] = new JsonObject { ["autoAssign"] = true, ["avoidBuggyIPs"] = false },
        },
        [("metallb.io/v1beta1", "BGPAdvertisement")] = new JsonObject
        {
            ["spec"] = new JsonObject { ["aggregationLength"] = 32, ["aggregationLengthV6"] = 128 },
        },
        // Only v1beta2 declares these; v1beta1 BGPPeer has no defaults. BFDProfile's defaults
        // live in MetalLB's code, not in its CRD, so the server leaves BFD profiles as sent.
        [("metallb.io/v1beta2", "BGPPeer")] = new JsonObject
        {
            ["spec"] = new JsonObject { ["disableMP"] = false, ["dualStackAddressFamily"] = false, ["peerPort"] = 179 },
        },
    };

    private void ApplyDefaults(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        JsonObject? defaults;
        lock (Defaults)
        {
            defaults = Defaults.TryGetValue((apiVersion, kind), out var found) ? (JsonObject)found.DeepClone() : null;
        }
        if (defaults is not null)
        {
            Fill(obj, defaults);
        }
    }

    private static void Fill(JsonObject target, JsonObject defaults)
    {
        foreach (var (key, value) in defaults)
        {
            if (value is JsonObject nested)
            {
                if (target[key] is JsonObject present)
                {
                    Fill(present, nested);
                }
            }
            else if (!target.ContainsKey(key) || target[key] is null)
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
