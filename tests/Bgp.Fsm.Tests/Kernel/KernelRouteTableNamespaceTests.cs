using System.Net;
using System.Text.Json.Nodes;
using BgpKit.Bgp.Fsm.Kernel;
using BgpKit.Bgp.Fsm.Tests.Interop;
using BgpKit.TestSupport;

namespace BgpKit.Bgp.Fsm.Tests.Kernel;

/// <summary>
/// <see cref="KernelRouteTable"/> against the real kernel, inside a network namespace the test makes (the table's
/// socket is opened on a thread that entered it), judged by <c>ip -j route show</c> in that namespace.
/// </summary>
[Trait("Category", "Interop")]
public sealed class KernelRouteTableNamespaceTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.3");
    private static readonly IPAddress A6 = IPAddress.Parse("2001:db8:ff::2");
    private static readonly IPAddress B6 = IPAddress.Parse("2001:db8:ff::3");
    private static readonly KernelRouteKey P = new(KernelRouteTable.MainTable, IPNetwork.Parse("198.51.100.0/24"));
    private static readonly KernelRouteKey Q = new(KernelRouteTable.MainTable, IPNetwork.Parse("198.51.101.0/24"));
    private static readonly KernelRouteKey P6 = new(KernelRouteTable.MainTable, IPNetwork.Parse("2001:db8:100::/48"));

    private readonly NetNamespace _ns = NetNamespace.Create("bgpkit-kr");

    public KernelRouteTableNamespaceTests()
    {
        _ns.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", _ns.InnerDevice);
        _ns.Exec("ip", "-6", "addr", "add", "2001:db8:ff::1/64", "dev", _ns.InnerDevice, "nodad");
    }

    public void Dispose() => _ns.Dispose();

    private KernelRouteTable Open() => NetNamespacePair.Run(_ns.Name, () => new KernelRouteTable());

    private JsonArray Routes(string family = "-4") => (JsonArray)JsonNode.Parse(_ns.Exec("ip", "-j", family, "route", "show", "proto", "186"))!;

    private static string[] Gateways(JsonNode route) =>
        (route["nexthops"] as JsonArray)?.Select(h => h!["gateway"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray()
        ?? [route["gateway"]!.GetValue<string>()];

    private static Dictionary<KernelRouteKey, IReadOnlyCollection<IPAddress>> Want(params (KernelRouteKey Key, IPAddress[] Hops)[] routes) =>
        routes.ToDictionary(r => r.Key, r => (IReadOnlyCollection<IPAddress>)r.Hops);

    [Fact]
    public void ECMP_is_installed_shrunk_grown_and_removed_and_only_our_protocol_is_touched()
    {
        using var table = Open();
        Assert.Empty(table.Synchronize(Want((P, [A, B]), (Q, [B]))));
        var routes = Routes();
        Assert.Equal(2, routes.Count);
        var p = routes.Single(r => r!["dst"]!.GetValue<string>() == "198.51.100.0/24")!;
        Assert.Equal(["192.0.2.2", "192.0.2.3"], Gateways(p));
        Assert.Equal(20, p["metric"]!.GetValue<int>());
        Assert.Equal(["192.0.2.3"], Gateways(routes.Single(r => r!["dst"]!.GetValue<string>() == "198.51.101.0/24")!));

        Assert.Empty(table.Synchronize(Want((P, [A]), (Q, [B]))));
        Assert.Equal(["192.0.2.2"], Gateways(Routes().Single(r => r!["dst"]!.GetValue<string>() == "198.51.100.0/24")!));
        Assert.Empty(table.Synchronize(Want((P, [B, A]), (Q, [B]))));
        Assert.Equal(["192.0.2.2", "192.0.2.3"], Gateways(Routes().Single(r => r!["dst"]!.GetValue<string>() == "198.51.100.0/24")!));

        // Someone else's route to 203.0.113.0/24 at our metric: adding ours there is refused, theirs stays.
        _ns.Exec("ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.9", "proto", "static", "metric", "20");
        var foreign = new KernelRouteKey(KernelRouteTable.MainTable, IPNetwork.Parse("203.0.113.0/24"));
        var error = Assert.Single(table.Synchronize(Want((P, [B, A]), (foreign, [A]))));
        Assert.Equal(17, error.Errno);
        Assert.Equal(foreign.Prefix, error.Prefix);
        Assert.Contains("203.0.113.0/24", error.Message, StringComparison.Ordinal);
        var theirs = _ns.Exec("ip", "route", "show", "203.0.113.0/24");
        Assert.Contains("via 192.0.2.9", theirs, StringComparison.Ordinal);
        Assert.Contains("proto static", theirs, StringComparison.Ordinal);
        Assert.DoesNotContain(Routes(), r => r!["dst"]!.GetValue<string>() == "198.51.101.0/24");

        Assert.Equal(1, table.Flush());
        Assert.Empty(Routes());
        Assert.Empty(table.Installed);
        Assert.Contains("proto static", _ns.Exec("ip", "route", "show", "203.0.113.0/24"), StringComparison.Ordinal);
    }

    [Fact]
    public void IPv6_ECMP_and_IPv4_over_an_IPv6_next_hop()
    {
        using var table = Open();
        Assert.Empty(table.Synchronize(Want((P6, [A6, B6]), (Q, [A6]))));
        var v6 = Routes("-6").Single(r => r!["dst"]!.GetValue<string>() == "2001:db8:100::/48")!;
        Assert.Equal(["2001:db8:ff::2", "2001:db8:ff::3"], Gateways(v6));
        var via = Routes().Single(r => r!["dst"]!.GetValue<string>() == "198.51.101.0/24")!;
        Assert.Equal("2001:db8:ff::2", via["via"]?["host"]?.GetValue<string>());

        Assert.Empty(table.Synchronize(Want((P6, [B6]))));
        Assert.Equal(["2001:db8:ff::3"], Gateways(Routes("-6").Single(r => r!["dst"]!.GetValue<string>() == "2001:db8:100::/48")!));
        Assert.Empty(Routes());
        Assert.Empty(table.Synchronize(Want()));
        Assert.Empty(Routes("-6"));
    }

    [Fact]
    public void A_next_hop_off_every_link_is_a_typed_error_naming_the_route_counted_and_tried_again()
    {
        using var table = Open();
        var refused = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KernelRouteTable.MeterName && instrument.Name == "kernel_route_errors_total")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (refused)
            {
                refused.Add($"{value} {tags[0].Key}={tags[0].Value}");
            }
        });
        listener.Start();
        var error = Assert.Single(table.Synchronize(Want((P, [IPAddress.Parse("203.0.113.77")]))));
        Assert.Equal(P.Prefix, error.Prefix);
        Assert.Equal(KernelRouteTable.MainTable, error.Table);
        Assert.Contains("198.51.100.0/24", error.Message, StringComparison.Ordinal);
        Assert.Empty(table.Installed);
        Assert.Single(table.Synchronize(Want((P, [IPAddress.Parse("203.0.113.77")]))));
        lock (refused)
        {
            // Other tests' tables may count on the same meter name at the same time: ours are at least these two.
            Assert.True(refused.Count(r => r == "1 operation=add") >= 2, string.Join(", ", refused));
        }
    }

    [Fact]
    public void Flush_removes_a_previous_runs_leftovers_in_every_table()
    {
        _ns.Exec("ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.2", "proto", "186", "metric", "20");
        _ns.Exec("ip", "route", "add", "198.51.102.0/24", "via", "192.0.2.2", "proto", "186", "table", "1001");
        _ns.Exec("ip", "-6", "route", "add", "2001:db8:100::/48", "proto", "186", "nexthop", "via", "2001:db8:ff::2", "nexthop", "via", "2001:db8:ff::3");
        _ns.Exec("ip", "route", "add", "198.51.103.0/24", "via", "192.0.2.2", "proto", "static");
        using var table = Open();
        Assert.Equal(3, table.Flush());
        Assert.Empty(Routes());
        Assert.Empty(Routes("-6"));
        Assert.Equal("", _ns.Exec("ip", "route", "show", "table", "1001", "proto", "186").Trim());
        Assert.Contains("198.51.103.0/24", _ns.Exec("ip", "route", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_that_is_not_a_VRF_is_named_in_the_error()
    {
        using var table = Open();
        var notVrf = Assert.Throws<KernelRouteException>(() => table.LookupVrfTable(_ns.InnerDevice));
        Assert.Equal(_ns.InnerDevice, notVrf.Vrf);
        var missing = Assert.Throws<KernelRouteException>(() => table.LookupVrfTable("nosuchvrf"));
        Assert.Equal(19, missing.Errno);
        Assert.Contains("nosuchvrf", missing.Message, StringComparison.Ordinal);
    }

    [VrfFact]
    public void A_VRF_device_gives_its_table()
    {
        _ns.Exec("ip", "link", "add", "bkred", "type", "vrf", "table", "1001");
        using var table = Open();
        Assert.Equal(1001u, table.LookupVrfTable("bkred"));
    }
}
