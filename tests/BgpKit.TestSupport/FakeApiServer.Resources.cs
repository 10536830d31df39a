using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>Resource paths, the resource table, and the discovery documents kubectl reads before anything else.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>The resources discovery lists and whose write rules apply; add to it before the first request that needs a new kind.</summary>
    public List<FakeApiResource> Resources { get; } = [.. FakeApiResource.Defaults];

    private FakeApiResource? ResourceOf(string apiVersion, string plural)
    {
        lock (Resources)
        {
            return Resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Plural == plural);
        }
    }

    private FakeApiResource? ResourceOfKind(string apiVersion, string kind)
    {
        lock (Resources)
        {
            return Resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
        }
    }

    /// <summary>
    /// What the table says of a path's resource, or, for one it does not know, what a CRD of that
    /// group would be: a status subresource for MetalLB's groups, none elsewhere.
    /// </summary>
    private FakeApiResource Describe(ResourcePath path) =>
        ResourceOf(path.ApiVersion, path.Plural)
        ?? new FakeApiResource(path.Group, path.Version, path.Plural, "", path.Namespace is not null, path.Group.EndsWith("metallb.io", StringComparison.Ordinal))
        {
            ReturnsDeletedObject = path.Group.Contains('.', StringComparison.Ordinal),
            Custom = path.Group.Contains('.', StringComparison.Ordinal) && !path.Group.EndsWith("k8s.io", StringComparison.Ordinal),
        };

    /// <summary>
    /// /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]] and the same under /apis/GROUP/VERSION.
    /// Namespaces are themselves a resource: /api/v1/namespaces/NAME[/status|/finalize].
    /// </summary>
    private static bool TryParse(string path, out ResourcePath parsed)
    {
        parsed = null!;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        string group;
        string version;
        string[] rest;
        if (segments is ["api", var core, .. var r])
        {
            (group, version, rest) = ("", core, r);
        }
        else if (segments is ["apis", var g, var v, .. var r2])
        {
            (group, version, rest) = (g, v, r2);
        }
        else
        {
            return false;
        }
        parsed = rest switch
        {
            ["namespaces", var name, "status" or "finalize"] => new ResourcePath(group, version, "namespaces", null, name, rest[2]),
            ["namespaces", var ns, var plural, .. var tail] when tail.Length <= 2 => new ResourcePath(group, version, plural, ns, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1)),
            [var plural, .. var tail] when tail.Length <= 2 => new ResourcePath(group, version, plural, null, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1)),
            _ => null!,
        };
        return parsed is not null;
    }

    /// <summary>
    /// The legacy (unaggregated) discovery documents: kubectl asks for the aggregated form first
    /// and, seeing plain application/json, reads these instead. Null for paths that are not discovery.
    /// </summary>
    private JsonNode? Discovery(string path)
    {
        FakeApiResource[] resources;
        lock (Resources)
        {
            resources = [.. Resources];
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                return new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0-fake", ["platform"] = "linux/amd64" };
            case ["api"]:
                return new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = Url.Authority }),
                };
            case ["apis"]:
                var groups = new JsonArray();
                foreach (var group in resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group))
                {
                    var versions = group.Select(r => r.Version).Distinct().OrderDescending(StringComparer.Ordinal)
                        .Select(v => (JsonNode)new JsonObject { ["groupVersion"] = group.Key + "/" + v, ["version"] = v }).ToArray();
                    groups.Add(new JsonObject
                    {
                        ["name"] = group.Key,
                        ["versions"] = new JsonArray(versions),
                        ["preferredVersion"] = versions[0].DeepClone(),
                    });
                }
                return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
            case ["api", var version]:
                return ResourceList("", version, resources);
            case ["apis", var group, var version]:
                return ResourceList(group, version, resources);
            default:
                return OpenApi(segments, resources);
        }
    }

    private static JsonObject? ResourceList(string group, string version, FakeApiResource[] all)
    {
        var served = all.Where(r => r.Group == group && r.Version == version).ToArray();
        if (served.Length == 0)
        {
            return null;
        }
        var list = new JsonArray();
        foreach (var resource in served)
        {
            list.Add(new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Kind.ToLowerInvariant(),
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray([.. resource.ShortNames.Select(s => (JsonNode)s)]),
            });
            if (resource.HasStatus)
            {
                list.Add(new JsonObject
                {
                    ["name"] = resource.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = resource.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = list,
        };
    }

    /// <summary>A request's resource: where it is and, for one object, its name and subresource.</summary>
    private sealed record ResourcePath(string Group, string Version, string Plural, string? Namespace, string? Name, string? Subresource)
    {
        public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

        public string Collection => ApiVersion + "|" + Plural;

        public string Key => Namespace is null ? Name! : Namespace + "/" + Name;

        /// <summary>How the real server names a resource in messages: "services", "ipaddresspools.metallb.io".</summary>
        public string Qualified => Group.Length == 0 ? Plural : Plural + "." + Group;
    }
}
