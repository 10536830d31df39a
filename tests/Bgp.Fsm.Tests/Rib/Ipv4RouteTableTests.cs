using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Rib;

public class Ipv4RouteTableTests
{
    private static readonly PathAttributes[] Sets =
    [
        new() { Origin = Origin.Igp, NextHop = 1 },
        new() { Origin = Origin.Egp, NextHop = 2 },
        new() { Origin = Origin.Incomplete, NextHop = 3 },
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_inserts_replaces_and_removes_agree_with_a_dictionary(int seed)
    {
        // A few thousand prefixes in a small space, so that inserts, replacements and removes all hit each other and
        // the table grows, reuses freed slots, and rehashes with free slots in it.
        var random = new Random(seed);
        var table = new Ipv4RouteTable();
        var model = new Dictionary<Prefix, PathAttributes>();
        for (var step = 0; step < 40_000; step++)
        {
            var length = random.Next(0, 33);
            var prefix = Prefix.FromIPv4((uint)random.Next(0, 4096) << 20 | (uint)random.Next(0, 4), length);
            switch (random.Next(0, 10))
            {
                case < 6:
                    var set = Sets[random.Next(Sets.Length)];
                    ref var slot = ref table.GetValueRefOrAddDefault(prefix, out var exists);
                    Assert.Equal(model.ContainsKey(prefix), exists);
                    slot = set;
                    model[prefix] = set;
                    break;
                case < 9:
                    Assert.Equal(model.Remove(prefix), table.Remove(prefix));
                    break;
                default:
                    Assert.Equal(model.TryGetValue(prefix, out var expected), table.TryGetValue(prefix, out var actual));
                    Assert.Same(expected, actual);
                    break;
            }
            if (step == 20_000)
            {
                table.EnsureCapacity(model.Count * 3);
            }
            Assert.Equal(model.Count, table.Count);
        }
        var entries = table.Entries().ToDictionary(e => e.Key.Prefix, e => e.Value);
        Assert.Equal(model.Count, entries.Count);
        foreach (var (prefix, set) in model)
        {
            Assert.Same(set, entries[prefix]);
        }
    }

    [Fact]
    public void Prefixes_are_told_apart_by_length_and_the_default_route_is_a_key()
    {
        var table = new Ipv4RouteTable();
        table.GetValueRefOrAddDefault(Prefix.FromIPv4(0x0A000000, 8), out _) = Sets[0];
        table.GetValueRefOrAddDefault(Prefix.FromIPv4(0x0A000000, 16), out _) = Sets[1];
        table.GetValueRefOrAddDefault(Prefix.FromIPv4(0, 0), out _) = Sets[2];
        Assert.True(table.TryGetValue(Prefix.FromIPv4(0x0A000000, 8), out var eight));
        Assert.Same(Sets[0], eight);
        Assert.True(table.TryGetValue(Prefix.FromIPv4(0, 0), out var zero));
        Assert.Same(Sets[2], zero);
        Assert.False(table.TryGetValue(Prefix.FromIPv4(0x0A000000, 24), out _));
        Assert.True(table.Remove(Prefix.FromIPv4(0x0A000000, 16)));
        Assert.Equal(2, table.Count);
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.Empty(table.Entries());
    }

    [Fact]
    public void The_adj_rib_in_keeps_ipv4_ipv6_and_add_path_routes_apart()
    {
        var rib = new AdjRibIn();
        var v4 = (Nlri)Prefix.FromIPv4(0x0A000000, 24);
        var v4Path = new Nlri(7, Prefix.FromIPv4(0x0A000000, 24));
        var v6 = (Nlri)Prefix.Parse("2001:db8::/32");
        Assert.True(rib.Set(v4, Sets[0]));
        Assert.True(rib.Set(v4Path, Sets[1]));
        Assert.True(rib.Set(v6, Sets[2]));
        Assert.False(rib.Set(v4, Sets[0]));
        Assert.Equal(3, rib.Count);
        Assert.Equal(2, rib.CountOf(ipv6: false));
        Assert.Equal(1, rib.CountOf(ipv6: true));
        Assert.True(rib.TryGet(v4, out var a) && ReferenceEquals(a, Sets[0]));
        Assert.True(rib.TryGet(v4Path, out var b) && ReferenceEquals(b, Sets[1]));
        rib.MarkStale(ipv6: false);
        Assert.Equal(2, rib.StaleCount);
        rib.Set(v4, Sets[1]);
        Assert.Equal([v4Path], rib.PurgeStale(ipv6: false));
        Assert.Equal(2, rib.Count);
        Assert.Equal(2, rib.Snapshot().Count);
        Assert.True(rib.Remove(v4));
        Assert.False(rib.Remove(v4));
        Assert.Equal([v6], rib.Clear());
    }
}
