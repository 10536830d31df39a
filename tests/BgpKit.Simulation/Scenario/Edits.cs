using System.Text.Json.Nodes;

namespace BgpKit.Simulation.Scenario;

/// <summary>One user action: what it did, in words, and the objects to apply (or keys to delete), in order.</summary>
internal sealed record Edit(string Description, IReadOnlyList<JsonObject> Apply, IReadOnlyList<string> Delete, bool Invalid = false);

/// <summary>
/// The configuration edits a seed draws, valid and invalid: Services added, removed and changed (traffic
/// policy, sharing key, requested address, ports, type, selector), endpoints moved, node labels (zone, the
/// exclusion label), pools grown, shrunk, added and removed, advertisements' node selectors, peers and
/// communities, peers' hold time, graceful restart and node selectors; and three invalid forms (a BGPPeer with
/// myASN 0, pools that overlap, a community out of range).
/// </summary>
internal static class Edits
{
    private static readonly PortSpec[] PortChoices = [new(80, "TCP"), new(443, "TCP"), new(53, "UDP"), new(53, "TCP")];
    private static readonly string[] RequestChoices = ["198.51.100.3", "198.51.100.20", "203.0.113.2", "192.0.2.1", "10.9.9.9"];
    private static readonly string[] BlueChoices = ["198.51.100.0/28", "198.51.100.0/27", "198.51.100.0/29"];
    private static readonly string[] GreenChoices = ["203.0.113.0/29", "203.0.113.0/28", "203.0.113.0/30"];
    private static readonly string[] CommunityChoices = ["64512:100", "64512:200", "no-export"];

    public static ClusterSpec Initial(Random rng, int nodes)
    {
        var spec = new ClusterSpec();
        for (var i = 1; i <= nodes; i++)
        {
            var name = $"node-{i}";
            spec.Nodes[name] = new NodeSpec(name, new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["kubernetes.io/hostname"] = name,
                ["zone"] = rng.Next(2) == 0 ? "a" : "b",
            });
        }
        spec.Peers["r1"] = new PeerSpec("r1", "10.255.0.1", 64512, Pick(rng, ["9s", "30s", "90s"]), rng.Next(2) == 0, null);
        spec.Peers["r2"] = new PeerSpec("r2", "10.255.0.2", rng.Next(2) == 0 ? 64512u : 64513u, Pick(rng, ["9s", "30s", "90s"]), rng.Next(2) == 0, Pick(rng, [null, "a", "b"]));
        spec.Pools["blue"] = new PoolSpec("blue", [BlueChoices[0]], true);
        spec.Pools["green"] = new PoolSpec("green", [GreenChoices[0]], true);
        spec.Advertisements["adv-blue"] = new AdvertisementSpec("adv-blue", ["blue"], null, [], ["64512:100"]);
        spec.Advertisements["adv-green"] = new AdvertisementSpec("adv-green", ["green"], Pick(rng, [null, "a", "b"]), rng.Next(2) == 0 ? [] : ["r1"], []);
        var services = rng.Next(3, 9);
        for (var i = 0; i < services; i++)
        {
            var s = NewService(rng, spec, $"svc-{i}");
            spec.Services[s.Name] = s;
        }
        return spec;
    }

    /// <summary>Every object of <paramref name="spec"/>, in the order a user would apply them.</summary>
    public static IEnumerable<JsonObject> All(ClusterSpec spec)
    {
        yield return ClusterSpec.Namespace("default");
        yield return ClusterSpec.Namespace(ClusterSpec.Ns);
        foreach (var n in spec.Nodes.Values)
        {
            yield return ClusterSpec.Render(n);
        }
        foreach (var p in spec.Pools.Values)
        {
            yield return ClusterSpec.Render(p);
        }
        foreach (var p in spec.Peers.Values)
        {
            yield return ClusterSpec.Render(p);
        }
        foreach (var a in spec.Advertisements.Values)
        {
            yield return ClusterSpec.Render(a);
        }
        // Without any EndpointSlice the model counts every Service as served everywhere: a ClusterIP Service with one keeps slices present.
        var dns = new ServiceSpec("kube-dns", 254, "ClusterIP", false, null, null, [new(53, "UDP")], "kube-dns", [new("node-1", true)]);
        yield return ClusterSpec.Render(dns);
        yield return ClusterSpec.RenderEndpoints(dns);
        foreach (var s in spec.Services.Values)
        {
            yield return ClusterSpec.Render(s);
            yield return ClusterSpec.RenderEndpoints(s);
        }
    }

    public static Edit Valid(Random rng, ClusterSpec spec)
    {
        switch (rng.Next(10))
        {
            case 0 or 1:
                return AddOrRemoveService(rng, spec);
            case 2 or 3:
            {
                if (spec.Services.Count == 0)
                {
                    return AddOrRemoveService(rng, spec);
                }
                var old = Pick(rng, spec.Services.Values.ToArray());
                var s = rng.Next(6) switch
                {
                    0 => old with { Local = !old.Local },
                    1 => old with { SharingKey = Pick(rng, [null, "k1", "k2"]) },
                    2 => old with { Requested = Pick(rng, [null, .. RequestChoices]) },
                    3 => old with { Ports = Ports(rng) },
                    4 => old with { Type = old.Type == "LoadBalancer" ? "ClusterIP" : "LoadBalancer" },
                    _ => old with { App = rng.Next(2) == 0 ? "web" : old.Name },
                };
                spec.Services[s.Name] = s;
                return new Edit($"change Service default/{s.Name}: {Describe(s)}", [ClusterSpec.Render(s)], []);
            }
            case 4:
            {
                if (spec.Services.Count == 0)
                {
                    return AddOrRemoveService(rng, spec);
                }
                var s = Pick(rng, spec.Services.Values.ToArray());
                s = s with { Endpoints = Endpoints(rng, spec) };
                spec.Services[s.Name] = s;
                return new Edit($"endpoints of default/{s.Name}: {string.Join(",", s.Endpoints.Select(e => e.Node + (e.Ready ? "" : "(not ready)")))}", [ClusterSpec.RenderEndpoints(s)], []);
            }
            case 5:
            {
                var n = Pick(rng, spec.Nodes.Values.ToArray());
                var labels = new SortedDictionary<string, string>(n.Labels, StringComparer.Ordinal);
                string what;
                if (rng.Next(3) == 0)
                {
                    const string Exclude = "node.kubernetes.io/exclude-from-external-load-balancers";
                    what = labels.Remove(Exclude) ? "no longer excluded" : "excluded";
                    if (what == "excluded")
                    {
                        labels[Exclude] = "";
                    }
                }
                else
                {
                    labels["zone"] = labels["zone"] == "a" ? "b" : "a";
                    what = "zone " + labels["zone"];
                }
                spec.Nodes[n.Name] = n with { Labels = labels };
                return new Edit($"node {n.Name} {what}", [ClusterSpec.Render(spec.Nodes[n.Name])], []);
            }
            case 6:
            {
                switch (rng.Next(3))
                {
                    case 0:
                        spec.Pools["blue"] = spec.Pools["blue"] with { Addresses = [Pick(rng, BlueChoices)] };
                        return new Edit($"pool blue {spec.Pools["blue"].Addresses[0]}", [ClusterSpec.Render(spec.Pools["blue"])], []);
                    case 1:
                        spec.Pools["green"] = spec.Pools["green"] with { Addresses = [Pick(rng, GreenChoices)], AutoAssign = rng.Next(4) != 0 };
                        return new Edit($"pool green {spec.Pools["green"].Addresses[0]} autoAssign={spec.Pools["green"].AutoAssign}", [ClusterSpec.Render(spec.Pools["green"])], []);
                    default:
                        if (spec.Pools.Remove("red"))
                        {
                            spec.Advertisements.Remove("adv-red");
                            return new Edit("remove pool red and adv-red", [], [$"BGPAdvertisement/{ClusterSpec.Ns}/adv-red", $"IPAddressPool/{ClusterSpec.Ns}/red"]);
                        }
                        spec.Pools["red"] = new PoolSpec("red", ["192.0.2.0/30"], rng.Next(2) == 0);
                        spec.Advertisements["adv-red"] = new AdvertisementSpec("adv-red", ["red"], null, [], []);
                        return new Edit($"add pool red autoAssign={spec.Pools["red"].AutoAssign} and adv-red", [ClusterSpec.Render(spec.Pools["red"]), ClusterSpec.Render(spec.Advertisements["adv-red"])], []);
                }
            }
            case 7:
            {
                var a = Pick(rng, spec.Advertisements.Values.ToArray());
                a = rng.Next(3) switch
                {
                    0 => a with { Zone = Pick(rng, [null, "a", "b"]) },
                    1 => a with { Peers = Pick<IReadOnlyList<string>>(rng, [[], ["r1"], ["r2"]]) },
                    _ => a with { Communities = rng.Next(2) == 0 ? [] : [Pick(rng, CommunityChoices)] },
                };
                spec.Advertisements[a.Name] = a;
                return new Edit($"advertisement {a.Name}: zone={a.Zone ?? "*"} peers=[{string.Join(",", a.Peers)}] communities=[{string.Join(",", a.Communities)}]", [ClusterSpec.Render(a)], []);
            }
            default:
            {
                var p = Pick(rng, spec.Peers.Values.ToArray());
                p = rng.Next(3) switch
                {
                    0 => p with { HoldTime = Pick(rng, ["9s", "30s", "90s"]) },
                    1 => p with { GracefulRestart = !p.GracefulRestart },
                    _ => p with { Zone = p.Name == "r1" ? null : Pick(rng, [null, "a", "b"]) },
                };
                spec.Peers[p.Name] = p;
                return new Edit($"peer {p.Name}: hold {p.HoldTime} gr={p.GracefulRestart} zone={p.Zone ?? "*"}", [ClusterSpec.Render(p)], []);
            }
        }
    }

    /// <summary>An edit the validation refuses; the spec keeps the valid form, and the next edit of that object (or the heal) repairs it.</summary>
    public static Edit Invalid(Random rng, ClusterSpec spec)
    {
        switch (rng.Next(3))
        {
            case 0:
            {
                var p = spec.Peers["r1"];
                spec.Broken = $"BGPPeer/{ClusterSpec.Ns}/r1";
                return new Edit("INVALID: BGPPeer r1 with myASN 0", [ClusterSpec.Render(p with { BrokenAsn = true })], [], Invalid: true);
            }
            case 1:
            {
                var blue = spec.Pools["blue"];
                spec.Broken = $"IPAddressPool/{ClusterSpec.Ns}/blue";
                return new Edit("INVALID: pool blue overlapping green", [ClusterSpec.Render(blue with { Addresses = [.. blue.Addresses, "203.0.113.0/30"] })], [], Invalid: true);
            }
            default:
            {
                var a = spec.Advertisements["adv-blue"];
                spec.Broken = $"BGPAdvertisement/{ClusterSpec.Ns}/adv-blue";
                return new Edit("INVALID: adv-blue community 70000:1", [ClusterSpec.Render(a with { Communities = ["70000:1"] })], [], Invalid: true);
            }
        }
    }

    /// <summary>Puts the broken object back to its valid form.</summary>
    public static Edit? Repair(ClusterSpec spec)
    {
        if (spec.Broken is not { } key)
        {
            return null;
        }
        var name = key[(key.LastIndexOf('/') + 1)..];
        JsonObject obj = key.StartsWith("BGPPeer/", StringComparison.Ordinal) ? ClusterSpec.Render(spec.Peers[name])
            : key.StartsWith("IPAddressPool/", StringComparison.Ordinal) ? ClusterSpec.Render(spec.Pools[name])
            : ClusterSpec.Render(spec.Advertisements[name]);
        spec.Broken = null;
        return new Edit($"repair {key}", [obj], []);
    }

    private static Edit AddOrRemoveService(Random rng, ClusterSpec spec)
    {
        var name = $"svc-{rng.Next(12)}";
        if (spec.Services.ContainsKey(name))
        {
            spec.Services.Remove(name);
            return new Edit($"delete Service default/{name}", [], [$"Service/default/{name}", $"EndpointSlice/default/{name}-eps"]);
        }
        var s = NewService(rng, spec, name);
        spec.Services[name] = s;
        return new Edit($"add Service default/{name} {Describe(s)}", [ClusterSpec.Render(s), ClusterSpec.RenderEndpoints(s)], []);
    }

    private static ServiceSpec NewService(Random rng, ClusterSpec spec, string name) => new(
        name,
        int.Parse(name.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture) + 10,
        "LoadBalancer",
        rng.Next(3) == 0,
        Pick(rng, [null, null, "k1", "k2"]),
        rng.Next(4) == 0 ? Pick(rng, RequestChoices) : null,
        Ports(rng),
        rng.Next(2) == 0 ? "web" : name,
        Endpoints(rng, spec));

    private static IReadOnlyList<PortSpec> Ports(Random rng)
    {
        var ports = PortChoices.Where(_ => rng.Next(3) == 0).ToList();
        return ports.Count > 0 ? ports : [PortChoices[rng.Next(PortChoices.Length)]];
    }

    private static IReadOnlyList<EndpointSpec> Endpoints(Random rng, ClusterSpec spec)
    {
        var nodes = spec.Nodes.Keys.ToArray();
        var count = rng.Next(0, 4);
        return Enumerable.Range(0, count).Select(_ => new EndpointSpec(nodes[rng.Next(nodes.Length)], rng.Next(5) != 0)).ToList();
    }

    private static string Describe(ServiceSpec s) =>
        $"{s.Type} etp={(s.Local ? "Local" : "Cluster")} share={s.SharingKey ?? "-"} ip={s.Requested ?? "-"} ports={string.Join(",", s.Ports.Select(p => $"{p.Protocol}/{p.Port}"))} app={s.App}";

    private static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];
}
