using System.Buffers;
using BgpKit.Bgp.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Fsm.Tests.Rib;

/// <summary>RFC 7911: with ADD-PATH receive negotiated, each (prefix, path identifier) is a route of its own.</summary>
public class AdjRibInAddPathTests
{
    private static readonly BgpDecodeContext Receiving = BgpDecodeContext.FourOctetAsDefault
        .WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Receive).WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Receive);

    // The peer's side of the same session: it sends path identifiers.
    private static readonly BgpDecodeContext Sending = BgpDecodeContext.FourOctetAsDefault
        .WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Send).WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Send);

    private static PathAttributes Via(uint nextHop) => new() { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002), NextHop = nextHop };

    private static List<byte[]> Bodies(BgpDecodeContext context, PathAttributes? attributes, params Nlri[] nlri)
    {
        var output = new ArrayBufferWriter<byte>();
        var builder = new UpdateBuilder(context);
        if (attributes is null)
        {
            builder.WriteWithdrawals(output, nlri);
        }
        else
        {
            builder.WriteAnnouncements(output, attributes, nlri, System.Net.IPAddress.Parse("2001:db8::2"));
        }
        var list = new List<byte[]>();
        var bytes = output.WrittenSpan;
        while (bytes.Length > 0)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[16..]);
            list.Add(bytes[19..length].ToArray());
            bytes = bytes[length..];
        }
        return list;
    }

    private static List<(Nlri Nlri, PathAttributes? Attributes)> Apply(UpdateIngest ingest, BgpDecodeContext context, List<byte[]> bodies)
    {
        var heard = new List<(Nlri, PathAttributes?)>();
        foreach (var body in bodies)
        {
            var outcome = ingest.Apply(body, context, (n, a) => heard.Add((n, a)));
            Assert.Equal(ErrorAction.None, outcome.Action);
        }
        return heard;
    }

    [Fact]
    public void Two_paths_for_one_IPv4_prefix_are_two_routes_and_a_withdrawal_removes_only_its_path()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefix = Prefix.Parse("12.0.0.0/24");
        Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000201), new Nlri(1, prefix)));
        var heard = Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000202), new Nlri(2, prefix)));

        Assert.Equal(2, rib.Count);
        Assert.Equal([(new Nlri(2, prefix), rib.Interner.Intern(Via(0xC0000202)))], heard);
        Assert.True(rib.TryGet(new Nlri(1, prefix), out var one));
        Assert.Equal(0xC0000201u, one.NextHop);
        Assert.False(rib.TryGet(prefix, out _)); // without a path id it is another key

        heard = Apply(ingest, Receiving, Bodies(Sending, null, new Nlri(1, prefix)));
        Assert.Equal([(new Nlri(1, prefix), (PathAttributes?)null)], heard);
        Assert.Equal(1, rib.Count);
        Assert.True(rib.TryGet(new Nlri(2, prefix), out var two));
        Assert.Equal(0xC0000202u, two.NextHop);

        // A withdrawal of a path id that was never announced changes nothing.
        Assert.Empty(Apply(ingest, Receiving, Bodies(Sending, null, new Nlri(7, prefix))));
        Assert.Equal(1, rib.Count);
    }

    [Fact]
    public void The_same_path_id_announced_again_replaces_its_path()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefix = Prefix.Parse("12.0.0.0/24");
        Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000201), new Nlri(1, prefix), new Nlri(2, prefix)));
        Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000209), new Nlri(1, prefix)));

        Assert.Equal(2, rib.Count);
        rib.TryGet(new Nlri(1, prefix), out var one);
        rib.TryGet(new Nlri(2, prefix), out var two);
        Assert.Equal(0xC0000209u, one.NextHop);
        Assert.Equal(0xC0000201u, two.NextHop);
    }

    [Fact]
    public void IPv6_paths_in_MP_REACH_and_MP_UNREACH_carry_their_path_ids()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefix = Prefix.Parse("2001:db8:5::/48");
        var attributes = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65002) };
        Apply(ingest, Receiving, Bodies(Sending, attributes, new Nlri(10, prefix), new Nlri(11, prefix), new Nlri(12, prefix)));
        Assert.Equal(3, rib.Count);

        var heard = Apply(ingest, Receiving, Bodies(Sending, null, new Nlri(11, prefix)));
        Assert.Equal([(new Nlri(11, prefix), (PathAttributes?)null)], heard);
        Assert.Equal([10u, 12u], rib.Snapshot().Select(kv => kv.Key.PathId!.Value).Order());
    }

    [Fact]
    public void Without_ADD_PATH_a_second_announcement_replaces_the_first_and_no_path_id_is_exposed()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefix = Prefix.Parse("12.0.0.0/24");
        var plain = BgpDecodeContext.FourOctetAsDefault;
        Apply(ingest, plain, Bodies(plain, Via(0xC0000201), prefix));
        Apply(ingest, plain, Bodies(plain, Via(0xC0000202), prefix));

        var route = Assert.Single(rib.Snapshot());
        Assert.Null(route.Key.PathId);
        Assert.Equal(0xC0000202u, route.Value.NextHop);
    }

    [Fact]
    public void Stale_paths_are_purged_path_by_path()
    {
        var rib = new AdjRibIn();
        var ingest = new UpdateIngest(rib, null);
        var prefix = Prefix.Parse("12.0.0.0/24");
        Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000201), new Nlri(1, prefix), new Nlri(2, prefix)));
        rib.MarkAllStale();
        Apply(ingest, Receiving, Bodies(Sending, Via(0xC0000201), new Nlri(2, prefix)));

        Assert.Equal([new Nlri(1, prefix)], rib.PurgeStale());
        Assert.True(rib.TryGet(new Nlri(2, prefix), out _));
    }

    [Fact]
    public void Any_set_of_paths_is_kept_one_route_per_prefix_and_path_id()
    {
        // Short prefixes, few path ids and both families, so that keys collide on everything but one field.
        var nlri = Gen.Choose(0, 7).SelectMany(length => Gen.Choose(0, 3).SelectMany(address => Gen.Choose(0, 2).SelectMany(id => Gen.Elements(false, true)
            .Select(v6 => v6
                ? new Nlri((uint)id, Prefix.FromIPv6((ulong)address << 62, 0, length))
                : new Nlri((uint)id, Prefix.FromIPv4((uint)address << 30, length))))));
        var prop = Prop.ForAll(Arb.From(Gen.ListOf(nlri).Select(l => l.ToArray())), (Nlri[] keys) =>
        {
            var rib = new AdjRibIn();
            var attributes = Via(1);
            foreach (var key in keys)
            {
                rib.Set(key, attributes);
            }
            var distinct = keys.Distinct().ToArray();
            var removed = distinct.Where((_, i) => i % 2 == 0).ToArray();
            foreach (var key in removed)
            {
                rib.Remove(key);
            }
            return rib.Count == distinct.Length - removed.Length
                && distinct.All(k => rib.TryGet(k, out _) != removed.Contains(k));
        });
        Check.One(Config.Quick.WithReplay(20261121UL, 11UL).WithMaxTest(200), prop);
    }

    [Fact]
    public void Counts_per_family_follow_every_set_remove_stale_purge_and_clear()
    {
        // What prefix limits count: one per (prefix, path id) in the family, whatever the order of changes.
        var nlri = Gen.Choose(0, 7).SelectMany(length => Gen.Choose(0, 3).SelectMany(address => Gen.Choose(0, 2).SelectMany(id => Gen.Elements(false, true)
            .Select(v6 => v6
                ? new Nlri((uint)id, Prefix.FromIPv6((ulong)address << 62, 0, length))
                : new Nlri((uint)id, Prefix.FromIPv4((uint)address << 30, length))))));
        var step = Gen.Choose(0, 9).SelectMany(op => nlri.Select(n => (op, n)));
        var prop = Prop.ForAll(Arb.From(Gen.ListOf(step).Select(l => l.ToArray())), ((int Op, Nlri Nlri)[] steps) =>
        {
            var rib = new AdjRibIn();
            foreach (var (op, key) in steps)
            {
                switch (op)
                {
                    case < 5:
                        rib.Set(key, Via((uint)op));
                        break;
                    case < 8:
                        rib.Remove(key);
                        break;
                    case 8:
                        rib.MarkAllStale();
                        break;
                    default:
                        rib.PurgeStale(key.Prefix.IsIPv6);
                        break;
                }
                var keys = rib.Snapshot().Select(kv => kv.Key).ToList();
                if (rib.CountOf(ipv6: true) != keys.Count(k => k.Prefix.IsIPv6) || rib.CountOf(ipv6: false) != keys.Count(k => !k.Prefix.IsIPv6))
                {
                    return false;
                }
            }
            rib.Clear();
            return rib.CountOf(true) == 0 && rib.CountOf(false) == 0;
        });
        Check.One(Config.Quick.WithReplay(20261121UL, 13UL).WithMaxTest(200), prop);
    }
}
