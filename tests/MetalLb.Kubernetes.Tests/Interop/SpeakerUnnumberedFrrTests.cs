using System.Net;
using System.Net.NetworkInformation;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Interop;

/// <summary>
/// The speaker host with a BGPPeer <c>spec.interface</c> (BGP unnumbered) against FRR 8.4 (zebra + bgpd) in a
/// namespace behind a veth pair that has only IPv6 link-local addresses: a Service's IPv4 /32 and IPv6 /128 reach
/// FRR's kernel routing table through our link-local address.
/// </summary>
[Trait("Category", "Interop")]
public sealed class SpeakerUnnumberedFrrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-speaker-unnumbered-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Manifests(string device) => $"""
        apiVersion: metallb.io/v1beta2
        kind: BGPPeer
        metadata: {"{"}name: tor, namespace: metallb-system{"}"}
        spec: {"{"}myASN: 64513, peerASN: 64512, interface: {device}, holdTime: 30s{"}"}
        ---
        apiVersion: metallb.io/v1beta1
        kind: IPAddressPool
        metadata: {"{"}name: pool, namespace: metallb-system{"}"}
        spec: {"{"}addresses: [10.100.0.0/24, '2001:db8:100::/120']{"}"}
        ---
        apiVersion: metallb.io/v1beta1
        kind: BGPAdvertisement
        metadata: {"{"}name: adv, namespace: metallb-system{"}"}
        spec: {"{"}ipAddressPools: [pool]{"}"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: web, namespace: default{"}"}
        spec: {"{"}type: LoadBalancer, ports: [{"{"}port: 80, protocol: TCP{"}"}]{"}"}
        ---
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: web6, namespace: default{"}"}
        spec: {"{"}type: LoadBalancer, ipFamilies: [IPv6], ipFamilyPolicy: SingleStack, ports: [{"{"}port: 80, protocol: TCP{"}"}]{"}"}
        """;

    [Fact]
    public async Task Service_routes_reach_FRRs_kernel_via_our_link_local_address()
    {
        if (!FrrRouter.IsAvailable)
        {
            return;
        }
        using var ns = NetNamespace.Create("bk-unnum-spk");
        PeerDaemon.Run("ip", "addr", "flush", "dev", ns.OuterDevice, "scope", "global");
        ns.Exec("ip", "addr", "flush", "dev", ns.InnerDevice, "scope", "global");
        var ours = await Poll.ForAsync(() => LinkLocal(ns.OuterDevice), a => a is not null, "our link-local address out of DAD");
        await Poll.UntilAsync(() => ns.Exec("ip", "-6", "addr", "show", "dev", ns.InnerDevice) is var a && a.Contains("fe80::", StringComparison.Ordinal) && !a.Contains("tentative", StringComparison.Ordinal),
            "FRR's link-local address out of DAD");
        var inner = ns.InnerDevice;
        // Passive: the speaker host runs no listener here (BgpListen null), so the session is ours to open.
        using var frr = FrrRouter.Start(ns, $"""
            router bgp 64512
             bgp router-id 10.0.0.2
             no bgp ebgp-requires-policy
             no bgp network import-check
             neighbor {inner} interface remote-as external
             neighbor {inner} passive
             address-family ipv4 unicast
              network 12.0.1.0/24
             exit-address-family
             address-family ipv6 unicast
              neighbor {inner} activate
             exit-address-family
            """, "");
        File.WriteAllText(Path.Combine(_dir, "metallb.yaml"), Manifests(ns.OuterDevice));
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = "node-1",
            ConfigPaths = [_dir],
            BgpListen = null,
            StatusEndPoint = null,
            RescanInterval = TimeSpan.FromSeconds(1),
            LoggerFactory = NullLoggerFactory.Instance,
        });
        using var stop = new CancellationTokenSource();
        var running = host.RunAsync(stop.Token);
        try
        {
            string Describe() => $"peers=[{string.Join("; ", host.Status.BgpSummary().Peers.Select(p => $"{p.Name} {p.Address} {p.State} err={p.LastError}"))}] "
                + $"errors=[{string.Join("; ", host.Status.Config().LastChange?.Errors.Select(e => e.Message) ?? [])}]\n{frr.Logs()}";
            var v4 = await WithDiagnostics(Poll.ForAsync(() => ns.Exec("ip", "route", "show", "root", "10.100.0.0/24"), r => r.Contains("via inet6", StringComparison.Ordinal),
                "FRR's kernel route to the IPv4 service", TimeSpan.FromSeconds(90)), Describe);
            Assert.Contains($"via inet6 {ours} dev {inner} proto bgp", v4, StringComparison.Ordinal);
            var v6 = await WithDiagnostics(Poll.ForAsync(() => ns.Exec("ip", "-6", "route", "show", "root", "2001:db8:100::/120"), r => r.Contains("via", StringComparison.Ordinal),
                "FRR's kernel route to the IPv6 service", TimeSpan.FromSeconds(30)), Describe);
            Assert.Contains($"via {ours} dev {inner} proto bgp", v6, StringComparison.Ordinal);

            // `bgpkit show` names the peer by its interface. FRR's IPv4 route arrives (RFC 8950, decoded as Bgp.Fsm's
            // FrrUnnumberedTests shows) and is refused: a MetalLB BGPPeer accepts nothing, as upstream (no toReceive).
            var summary = Assert.Single(host.Status.BgpSummary().Peers);
            Assert.Equal(ns.OuterDevice, summary.Address);
            Assert.Equal("Established", summary.State);
            Assert.Contains("extended-nexthop", Assert.Single(host.Status.BgpNeighbors("tor")).Capabilities);
            var sent = host.Status.BgpRoutes("tor", received: false);
            Assert.Equal(2, sent.Count);
            Assert.All(sent, r => Assert.Equal(ours!.ToString(), r.NextHop));
            await Poll.UntilAsync(() => host.Status.BgpNeighbors("tor").Single().PrefixesRefused >= 1, "FRR's IPv4 route counted as refused");
            Assert.Empty(host.Status.BgpRoutes("tor", received: true));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static async Task<T> WithDiagnostics<T>(Task<T> poll, Func<string> describe)
    {
        try
        {
            return await poll;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + describe(), e);
        }
    }

    private static IPAddress? LinkLocal(string device)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device);
        var ll = nic?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.IsIPv6LinkLocal);
        if (ll is null || PeerDaemon.Run("ip", "-6", "addr", "show", "dev", device).Contains("tentative", StringComparison.Ordinal))
        {
            return null;
        }
        return new IPAddress(ll.Address.GetAddressBytes());
    }
}
