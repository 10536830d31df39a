using System.Text;
using static BgpKit.MetalLb.Model.Tests.TestManifests;

namespace BgpKit.MetalLb.Model.Tests.Properties;

/// <summary>
/// A random but reproducible cluster: pools that cross .255/.0 boundaries (for avoidBuggyIPs), both
/// families, peers, advertisements with random aggregation and peer lists, and services with random
/// sharing keys, ports, policies and requested pools. Built from one integer so FsCheck shrinks nothing
/// clever but replays exactly.
/// </summary>
internal sealed record Scenario(int Seed, string Yaml, List<string> Services)
{
    public static Scenario Build(int seed)
    {
        var random = new Random(seed);
        var docs = new List<string>();
        int pools = random.Next(1, 4);
        for (int p = 0; p < pools; p++)
        {
            bool buggy = random.Next(2) == 0;
            string v6 = random.Next(3) == 0 ? $", '2001:db8:{p}::/126'" : "";
            docs.Add($"apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {{name: pool{p}, labels: {{n: '{p}'}}}}\n"
                + $"spec: {{addresses: ['10.{p}.0.252-10.{p}.1.3'{v6}], avoidBuggyIPs: {(buggy ? "true" : "false")}, autoAssign: {(random.Next(4) > 0 ? "true" : "false")}}}");
        }
        int peers = random.Next(1, 4);
        for (int p = 0; p < peers; p++)
        {
            uint asn = random.Next(2) == 0 ? 64500u : 64600u + (uint)p;
            docs.Add($"apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {{name: peer{p}}}\nspec: {{myASN: 64500, peerASN: {asn}, peerAddress: 192.168.0.{p + 1}}}");
        }
        int ads = random.Next(1, 4);
        for (int a = 0; a < ads; a++)
        {
            var spec = new StringBuilder();
            spec.Append($"aggregationLength: {random.Next(30, 33)}, aggregationLengthV6: {random.Next(126, 129)}, localPref: 100");
            if (random.Next(2) == 0)
            {
                spec.Append($", ipAddressPools: [pool{random.Next(pools)}]");
            }
            if (random.Next(2) == 0)
            {
                spec.Append($", peers: [peer{random.Next(peers)}]");
            }
            spec.Append($", communities: ['1:{random.Next(3)}']");
            docs.Add($"apiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: {{name: adv{a}}}\nspec: {{{spec}}}");
        }
        var services = new List<string>();
        int count = random.Next(0, 16);
        for (int s = 0; s < count; s++)
        {
            var annotations = new List<string>();
            if (random.Next(3) == 0)
            {
                annotations.Add($"metallb.io/allow-shared-ip: k{random.Next(2)}");
            }
            if (random.Next(4) == 0)
            {
                annotations.Add($"metallb.io/address-pool: pool{random.Next(pools)}");
            }
            string family = random.Next(4) == 0 ? "ipFamilyPolicy: PreferDualStack\nipFamilies: [IPv6, IPv4]" : "";
            string policy = random.Next(3) == 0 ? "externalTrafficPolicy: Local\n" : "";
            string service = Service($"svc{s}", annotations: string.Join(", ", annotations), extraSpec: policy + family + $"\nselector: {{app: a{random.Next(2)}}}")
                .Replace("ports: [{port: 80, protocol: TCP}]", $"ports: [{{port: {random.Next(1, 4)}, protocol: {(random.Next(2) == 0 ? "TCP" : "UDP")}}}]");
            services.Add(service);
        }
        return new Scenario(seed, Join([.. docs, .. services]), services);
    }

    public string Shuffled(int seed)
    {
        var random = new Random(seed);
        var documents = Yaml.Split("\n---\n").OrderBy(_ => random.Next()).ToArray();
        return Join(documents);
    }
}
