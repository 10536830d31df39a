using System.Text;
using BenchmarkDotNet.Attributes;
using BgpKit.MetalLb.Model;
using BgpKit.MetalLb.Model.Planning;
using BgpKit.MetalLb.Model.Resources;
using BgpKit.MetalLb.Model.Validation;

namespace BgpKit.Benchmarks.Model;

/// <summary>
/// MetalLb.Model at cluster scale: 10,000 services, 100 pools, 20 peers, 100 nodes (5 racks of 20,
/// 4 peers per rack), two advertisements (host routes with a community, /24 aggregates).
/// Targets: full plan under 200 ms; one service added or removed under 1 ms.
/// </summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private ManifestSet _manifests = null!;
    private PlanState _state = null!;
    private ServiceResource _extra = null!;
    private ConfigurationState _speaker = null!;
    private ManifestSet _extraManifest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _manifests = ManifestSet.Parse(Cluster(services: 10_000, pools: 100, peers: 20, nodes: 100), "bench");
        _state = PlanState.Build(ConfigValidator.Validate(_manifests));
        _extraManifest = ManifestSet.Parse(Service(10_000));
        _extra = _extraManifest.Services.Single();
        _speaker = new ConfigurationState(new PlanOptions { Node = "node-0" });
        _speaker.Apply(_manifests);
    }

    /// <summary>Validation, allocation of every service and every node class's route table, plus one node's plan.</summary>
    [Benchmark]
    public int FullPlan()
    {
        var state = PlanState.Build(ConfigValidator.Validate(_manifests));
        return state.NodePlan("node-0").Announcements.Count;
    }

    /// <summary>What <c>bgpkit plan</c> does without <c>--node</c>: validation, allocation and the plan of all 100 nodes.</summary>
    [Benchmark]
    public int FullPlanAllNodes() => MetalLbPlanner.Plan(_manifests).Nodes.Sum(n => n.Announcements.Count);

    /// <summary>One service added, then removed again (allocation and route tables only).</summary>
    [Benchmark]
    public int AddAndRemoveOneService()
    {
        var result = _state.Upsert(_extra);
        _state.Remove(_extra.Key);
        return result.Addresses.Count;
    }

    internal static string Cluster(int services, int pools, int peers, int nodes)
    {
        var yaml = new StringBuilder();
        for (int p = 0; p < pools; p++)
        {
            yaml.Append($"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: pool-{p:D3}}}\nspec: {{addresses: [10.{p / 256}.{p % 256}.0/24], avoidBuggyIPs: true}}\n---\n");
        }
        for (int p = 0; p < peers; p++)
        {
            yaml.Append($"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {{name: peer-{p:D2}}}\nspec: {{myASN: 64500, peerASN: {(p % 2 == 0 ? 64500 : 64600)}, peerAddress: 192.168.{p}.1, nodeSelectors: [{{matchLabels: {{rack: r{p % 5}}}}}]}}\n---\n");
        }
        yaml.Append("apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: hosts}\nspec: {localPref: 200, communities: ['64500:1']}\n---\n");
        yaml.Append("apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {name: aggregates}\nspec: {aggregationLength: 24, localPref: 200, communities: ['64500:24']}\n---\n");
        for (int n = 0; n < nodes; n++)
        {
            yaml.Append($"apiVersion: v1\nkind: Node\nmetadata: {{name: node-{n}, labels: {{rack: r{n % 5}}}}}\n---\n");
        }
        for (int s = 0; s < services; s++)
        {
            yaml.Append(Service(s)).Append("\n---\n");
        }
        return yaml.ToString();
    }

    /// <summary>
    /// The same through the speaker's API: <c>ConfigurationState.UpsertServices</c> then <c>RemoveService</c>,
    /// each of which also brings node-0's plan (40,160 announcements) up to date, redoing only the
    /// prefixes the service changed, and returns the plan in force.
    /// </summary>
    [Benchmark]
    public int UpsertAndRemoveOneServiceWithPlans()
    {
        int count = _speaker.UpsertServices(_extraManifest).Count;
        _speaker.RemoveService(_extra.Meta.Namespace, _extra.Meta.Name);
        return count;
    }

    private static string Service(int index) =>
        $"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{index:D5}, namespace: ns-{index % 50}}}\nspec: {{type: LoadBalancer, ports: [{{port: 80, protocol: TCP}}]}}";
}
