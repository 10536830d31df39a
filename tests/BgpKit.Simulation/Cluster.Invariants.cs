using System.Net;
using System.Text.Json.Nodes;
using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.MetalLb.Kubernetes.Sources;
using BgpKit.MetalLb.Model;
using BgpKit.Simulation.Checks;
using BgpKit.Simulation.Roles;

namespace BgpKit.Simulation;

/// <summary>
/// The invariants, checked after every step (and on every controller write):
/// <list type="number">
/// <item>no address is held by two Services unless MetalLB's sharing rules allow it (same allow-shared-ip key,
/// no protocol+port used twice, equal selectors with externalTrafficPolicy Local);</item>
/// <item>no node announces a route that METALLB.md's rule (<see cref="AnnouncementOracle"/>) forbids it, and a
/// speaker's plan equals a fresh plan of the same snapshot;</item>
/// <item>a Service's address changes only after its own spec, its uid or a pool changed (so not on leader
/// changes, restarts, 409s, 410s, pauses or clock jumps);</item>
/// <item>after every fault healed, each router holds exactly the plan and every Service's status matches a fresh
/// allocation, within <see cref="ConvergenceBound"/>;</item>
/// <item>no route is withdrawn and announced again on the same session unless a user edit or an address written by
/// the controller came in between (the controller's own moves are judged by 3);</item>
/// <item>an invalid configuration is never applied: speakers keep the one in force, the controller writes no
/// address, annotation or pool status from it;</item>
/// <item>only the replica holding the Lease writes.</item>
/// </list>
/// </summary>
internal sealed partial class Cluster
{
    private readonly Dictionary<string, (string Ingress, string Epoch, bool Changed)> _assigned = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _writtenUnder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _epochs = new(StringComparer.Ordinal);

    /// <summary>
    /// What each LoadBalancer Service's address may depend on, as one string per Service: its uid, spec and
    /// annotations (not the controller's pool annotation) and every pool's spec, read from a snapshot.
    /// </summary>
    private IReadOnlyDictionary<string, string> Epochs(ResourceSnapshot snapshot)
    {
        if (_epochs.TryGetValue(snapshot.Fingerprint, out var cached))
        {
            return cached;
        }
        var pools = string.Join("|", snapshot.Documents.Where(d => d.Origin.StartsWith("IPAddressPool/", StringComparison.Ordinal))
            .Select(d => d.Origin + _texts.Parse(d.Text)["spec"]!.ToJsonString()));
        var epochs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in snapshot.Documents.Where(d => d.Origin.StartsWith("Service/", StringComparison.Ordinal)))
        {
            var obj = _texts.Parse(document.Text);
            var annotations = (obj["metadata"]!["annotations"] as JsonObject ?? []).Where(p => p.Key != ObservedCluster.AllocatedFromPool)
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + (string?)p.Value);
            epochs[document.Origin] = $"{obj["metadata"]!["uid"]}|{obj["spec"]!.ToJsonString()}|{string.Join(",", annotations)}|{pools}";
        }
        _epochs[snapshot.Fingerprint] = epochs;
        return epochs;
    }

    /// <summary>
    /// Allocations stay put: a Service's address may change only if its epoch (see <see cref="Epochs"/>) changed
    /// since the snapshot the controller gave it that address from.
    /// </summary>
    private void CheckStore(ResourceSnapshot truth)
    {
        var epochs = Epochs(truth);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, stored) in _server.Objects.Where(p => p.Key.StartsWith("Service/", StringComparison.Ordinal)))
        {
            if ((string?)stored.Object["spec"]!["type"] != "LoadBalancer" || !epochs.TryGetValue(key, out var epoch))
            {
                // Not a LoadBalancer for now: the controller may release its address. Remember that it changed, since an
                // edit back to the very same spec gives the same epoch (seed 2165: LoadBalancer -> ClusterIP -> LoadBalancer).
                if (_assigned.TryGetValue(key, out var before))
                {
                    _assigned[key] = before with { Changed = true };
                    seen.Add(key);
                }
                continue;
            }
            var text = string.Join(",", Ingress(stored.Object));
            seen.Add(key);
            var known = _assigned.TryGetValue(key, out var was);
            if (known && was.Ingress.Length > 0 && was.Ingress != text && !was.Changed && was.Epoch == epoch)
            {
                var partner = _server.Objects.FirstOrDefault(p => p.Key != key && p.Key.StartsWith("Service/", StringComparison.Ordinal)
                    && Ingress(p.Value.Object).Any(a => was.Ingress.Split(',').Contains(a))
                    && _assigned.TryGetValue(p.Key, out var other) && (other.Changed || (epochs.TryGetValue(p.Key, out var e) && e != other.Epoch))).Key;
                if (partner is not null)
                {
                    // Fixed (see README): when two Services share an address and one of them changes so that they no
                    // longer may, the one that changed moves, as upstream; the unchanged partner keeps the address.
                    Violate($"{key} moved from [{was.Ingress}] to [{text}] because {partner}, which shared it, changed: the Service that changed should have moved");
                }
                else
                {
                    Violate($"{key} moved from [{was.Ingress}] to [{text}] although neither it nor any pool changed since it got it");
                }
            }
            if (!known || was.Ingress != text)
            {
                // A new address: judged against what the controller saw when it chose it.
                var under = _writtenUnder.Remove(key, out var u) ? u : epoch;
                _assigned[key] = (text, under, under != epoch);
            }
            else if (was.Epoch != epoch)
            {
                _assigned[key] = was with { Changed = true };
            }
        }
        foreach (var key in _assigned.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _assigned.Remove(key);
        }
    }

    /// <summary>A Service as the sharing rules see it.</summary>
    private sealed record Holder(string Key, string? Sharing, bool Local, string Selector, HashSet<string> Ports);

    private static Holder HolderOf(string key, JsonObject obj)
    {
        var spec = obj["spec"]!;
        return new Holder(key, (string?)obj["metadata"]!["annotations"]?["metallb.io/allow-shared-ip"], (string?)spec["externalTrafficPolicy"] == "Local",
            spec["selector"]?.ToJsonString() ?? "", (spec["ports"] as JsonArray ?? []).Select(p => $"{(string?)p!["protocol"] ?? "TCP"}/{(int)p["port"]!}").ToHashSet(StringComparer.Ordinal));
    }

    private static IReadOnlyList<string> Ingress(JsonObject obj) =>
        (obj["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(i => (string)i!["ip"]!).Order(StringComparer.Ordinal).ToList();

    /// <summary>Why <paramref name="a"/> and <paramref name="b"/> may not hold one address, or null when MetalLB lets them share it.</summary>
    private static string? SharingConflict(Holder a, Holder b) =>
        a.Sharing is null || a.Sharing != b.Sharing ? "without a common allow-shared-ip key"
        : (a.Local || b.Local) && a.Selector != b.Selector ? "with externalTrafficPolicy Local and different selectors"
        : a.Ports.Overlaps(b.Ports) ? $"on the same port ({string.Join(",", a.Ports.Intersect(b.Ports))})"
        : null;

    /// <summary>Every LoadBalancer Service holding an address, by address (the store as it is).</summary>
    private SortedDictionary<string, List<Holder>> Holders()
    {
        var byAddress = new SortedDictionary<string, List<Holder>>(StringComparer.Ordinal);
        foreach (var (key, stored) in _server.Objects.Where(p => p.Key.StartsWith("Service/", StringComparison.Ordinal)))
        {
            if ((string?)stored.Object["spec"]!["type"] != "LoadBalancer")
            {
                continue;
            }
            foreach (var ip in Ingress(stored.Object))
            {
                if (!byAddress.TryGetValue(ip, out var users))
                {
                    users = [];
                    byAddress[ip] = users;
                }
                users.Add(HolderOf(key, stored.Object));
            }
        }
        return byAddress;
    }

    /// <summary>The first pair of Services that hold one address against the sharing rules, or null.</summary>
    private string? DoubleAllocation()
    {
        foreach (var (ip, users) in Holders().Where(p => p.Value.Count > 1))
        {
            for (var i = 0; i < users.Count; i++)
            {
                for (var j = i + 1; j < users.Count; j++)
                {
                    if (SharingConflict(users[i], users[j]) is { } why)
                    {
                        return $"{ip} held by both {users[i].Key} and {users[j].Key} {why}";
                    }
                }
            }
        }
        return null;
    }

    private readonly Dictionary<string, AnnouncementOracle> _oracles = new(StringComparer.Ordinal);

    private void CheckSpeakers()
    {
        foreach (var (node, speaker) in _speakers)
        {
            if (speaker is null)
            {
                continue;
            }
            var rib = speaker.Backend.RibOut;
            if (speaker.InForce is not { } inForce)
            {
                if (rib.Count > 0)
                {
                    Violate($"{node} announces {rib.Count} routes with no valid configuration in force");
                }
                continue;
            }
            if (!_oracles.TryGetValue(inForce.Fingerprint, out var oracle))
            {
                oracle = new AnnouncementOracle(inForce, _texts);
                _oracles[inForce.Fingerprint] = oracle;
            }
            foreach (var route in rib.Values)
            {
                if (oracle.Refuses(node, route.Peer, route.Prefix) is { } why)
                {
                    Violate($"{node} announces {route.Prefix} to {route.Peer}, which it may not: {why}");
                }
            }
        }
    }

    private void CheckWrite(ControllerReplica? replica, ClusterWrite write)
    {
        if (replica is null)
        {
            return;
        }
        var holder = (string?)_server.Get(SimLeaseLeadership.LeaseKey)?["spec"]?["holderIdentity"];
        if (holder != replica.Identity)
        {
            Violate($"{replica.Identity} wrote {write.GetType().Name} while the Lease names '{holder}'");
        }
        if (write is SetServiceIngress or SetAllocatedPool or SetPoolStatus && replica.Passing is { } snapshot && !_plans.ControllerValid(snapshot))
        {
            Violate($"{replica.Identity} wrote {write} from an invalid configuration");
        }
        if (write is SetServiceIngress s)
        {
            var key = "Service/" + s.Service.Key;
            _editVersions.Add(_server.Version + 1); // The version this status write will have: a cause for routes to change.
            if (replica.Passing is { } passing && Epochs(passing).TryGetValue(key, out var under))
            {
                _writtenUnder[key] = under;
            }
            if (_server.Get(key) is { } obj)
            {
                var holders = Holders();
                var me = HolderOf(key, obj);
                foreach (var ip in s.Addresses)
                {
                    foreach (var other in holders.GetValueOrDefault(ip) ?? [])
                    {
                        if (other.Key != key && SharingConflict(me, other) is { } why)
                        {
                            Violate($"{replica.Identity} gave {ip} to {key} while {other.Key} holds it, {why}");
                        }
                    }
                }
            }
            Log($"{replica.Identity}: {s.Service.Key} ingress [{string.Join(",", s.Addresses)}]");
        }
    }

    /// <summary>Every router holds exactly the plan of the store as it is, and the controller has nothing left to write.</summary>
    private bool Converged(out string why)
    {
        why = "";
        if (_truthSnapshot is not { } truth)
        {
            why = "no snapshot";
            return false;
        }
        if (_speakers.FirstOrDefault(p => p.Value is null).Key is { } down)
        {
            why = $"speaker {down} not running";
            return false;
        }
        if (!_network.Quiet)
        {
            why = "messages in flight";
            return false;
        }
        var allocation = _plans.Allocate(truth);
        var statuses = ObservedCluster.From(truth).Services;
        foreach (var service in allocation.Services)
        {
            var key = service.Namespace + "/" + service.Name;
            var want = service.Outcome == AllocationOutcome.Allocated ? service.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToArray() : [];
            var have = statuses.TryGetValue(key, out var s) ? s.Ingress.Order(StringComparer.Ordinal).ToArray() : [];
            if (service.Outcome != AllocationOutcome.NotManaged && !want.SequenceEqual(have))
            {
                why = $"{key} holds [{string.Join(",", have)}], a fresh allocation gives [{string.Join(",", want)}] ({service.Reason})";
                return false;
            }
        }
        if (DoubleAllocation() is { } twice)
        {
            Violate("converged with an address allocated twice: " + twice);
            why = twice;
            return false;
        }
        var plan = _plans.Of(truth);
        foreach (var router in _network.Routers)
        {
            foreach (var node in _speakers.Keys)
            {
                var expected = plan.RoutesOf(node).Values.Where(r => r.Peer == router.Name).ToDictionary(r => r.Prefix.ToString(), StringComparer.Ordinal);
                var held = router.Rib.TryGetValue(node, out var rib) ? rib : new SortedDictionary<string, Network.RibEntry>();
                var missing = expected.Keys.Where(k => !held.TryGetValue(k, out var e) || e.Stale || !e.Route.Equals(expected[k])).ToList();
                var extra = held.Keys.Where(k => !expected.ContainsKey(k)).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                {
                    why = $"{router.Name} from {node}: missing or different [{string.Join(",", missing)}], extra [{string.Join(",", extra)}]";
                    return false;
                }
            }
        }
        return true;
    }
}
