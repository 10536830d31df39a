namespace BgpKit.Bgp.Wire.Tests.Attributes;

public class PathAttributeInternerTests
{
    private static readonly BgpDecodeContext As4 = BgpDecodeContext.FourOctetAsDefault;

    // ORIGIN IGP, AS_PATH [65001] (4-octet), NEXT_HOP 192.0.2.254, MED 7: the canonical order and flags.
    private static readonly byte[] Canonical = Hex.Parse("""
        40 01 01 00                 // ORIGIN IGP
        40 02 06 02 01 0000fde9     // AS_PATH: AS_SEQUENCE of one, 65001
        40 03 04 c00002fe           // NEXT_HOP 192.0.2.254
        80 04 04 00000007           // MED 7
        """);

    // The same set with MED sent before NEXT_HOP: equal once decoded, other octets on the wire.
    private static readonly byte[] Reordered = Hex.Parse("""
        40 01 01 00
        40 02 06 02 01 0000fde9
        80 04 04 00000007
        40 03 04 c00002fe
        """);

    [Fact]
    public void A_set_interned_from_canonical_octets_is_found_from_them_without_decoding()
    {
        var interner = new PathAttributeInterner();
        Assert.False(interner.TryGet(Canonical, As4, out _));
        var first = interner.Intern(Canonical, As4, out var foundByOctets);
        Assert.NotNull(first);
        Assert.True(foundByOctets);
        Assert.Equal(7u, first.MultiExitDisc);
        Assert.True(interner.TryGet(Canonical, As4, out var again));
        Assert.Same(first, again);
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void Octets_in_another_order_decode_to_the_same_shared_set_but_are_not_found_by_octets()
    {
        var interner = new PathAttributeInterner();
        var canonical = interner.Intern(Canonical, As4, out _);
        var reordered = interner.Intern(Reordered, As4, out var foundByOctets);
        Assert.False(foundByOctets);
        Assert.Same(canonical, reordered);
        Assert.False(interner.TryGet(Reordered, As4, out _));
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void A_two_octet_session_is_never_looked_up_by_octets()
    {
        var interner = new PathAttributeInterner();
        interner.Intern(Canonical, As4, out _);
        Assert.False(interner.TryGet(Canonical, BgpDecodeContext.Default, out _));
    }

    [Fact]
    public void A_set_built_in_code_is_found_from_its_encoding()
    {
        var interner = new PathAttributeInterner();
        var built = interner.Intern(new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001), NextHop = 0xC00002FE, MultiExitDisc = 7 });
        Assert.True(interner.TryGet(Canonical, As4, out var found));
        Assert.Same(built, found);
    }

    [Fact]
    public void A_set_with_an_mp_next_hop_is_not_its_octets_alone()
    {
        var interner = new PathAttributeInterner();
        var plain = interner.Intern(Canonical, As4, out _)!;
        interner.Intern(plain.WithMpNextHop(System.Net.IPAddress.Parse("2001:db8::1")));
        Assert.Equal(2, interner.Count);
        Assert.True(interner.TryGet(Canonical, As4, out var found));
        Assert.Same(plain, found);
    }

    [Fact]
    public void A_set_learned_from_canonical_octets_is_held_as_those_octets_until_a_field_is_read()
    {
        var interner = new PathAttributeInterner();
        var held = interner.Intern(Canonical, As4, out _)!;
        Assert.True(held.IsOctetsOnly);
        // Hash, equality and re-encoding need no decode.
        var built = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001), NextHop = 0xC00002FE, MultiExitDisc = 7 };
        Assert.Equal(built.GetHashCode(), held.GetHashCode());
        Assert.True(held.Equals(built));
        Assert.True(held.IsOctetsOnly);
        Assert.Null(held.MpNextHop);
        Assert.True(held.IsOctetsOnly);
        // The first field read decodes the octets once.
        Assert.Equal(Origin.Igp, held.Origin);
        Assert.False(held.IsOctetsOnly);
        Assert.Equal([65001u], held.AsPath!.Segments[0].Asns);
        Assert.Equal(0xC00002FEu, held.NextHop);
        Assert.Equal(7u, held.MultiExitDisc);
        Assert.Empty(held.Communities);
        Assert.Equal(built.ToString(), held.ToString());
        var encoded = new byte[held.GetEncodedLength(As4)];
        held.Write(encoded, As4);
        Assert.Equal(Canonical, encoded);
    }

    [Fact]
    public void A_set_learned_from_octets_in_another_order_is_kept_decoded()
    {
        var interner = new PathAttributeInterner();
        var held = interner.Intern(Reordered, As4, out _)!;
        Assert.False(held.IsOctetsOnly);
        Assert.Equal(7u, held.MultiExitDisc);
    }

    [Fact]
    public void Sets_held_as_octets_share_arena_chunks_and_stay_intact()
    {
        var interner = new PathAttributeInterner();
        var sets = new List<(uint Med, PathAttributes Set)>();
        var field = (byte[])Canonical.Clone();
        // 5,000 sets of 27 octets: three 64 KiB chunks, not 5,000 arrays.
        for (var med = 0u; med < 5000; med++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(field.AsSpan(field.Length - 4), med);
            sets.Add((med, interner.Intern(field, As4, out var byOctets)!));
            Assert.True(byOctets);
        }
        Assert.Equal(5000, interner.Count);
        Assert.Equal(3 * AttributeOctetArena.ChunkSize, interner.ArenaOctets);
        foreach (var (med, set) in sets)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(field.AsSpan(field.Length - 4), med);
            Assert.True(interner.TryGet(field, As4, out var found));
            Assert.Same(set, found);
            Assert.Equal(med, set.MultiExitDisc);
        }
    }

    [Fact]
    public void A_set_held_as_octets_gives_the_same_values_to_readers_on_several_threads()
    {
        var interner = new PathAttributeInterner();
        var held = interner.Intern(Canonical, As4, out _)!;
        var results = new uint?[8];
        Parallel.For(0, results.Length, i => results[i] = held.MultiExitDisc);
        Assert.All(results, r => Assert.Equal(7u, r));
    }

    [Fact]
    public void Propagating_or_re_homing_a_set_held_as_octets_copies_its_values()
    {
        var interner = new PathAttributeInterner();
        var held = interner.Intern(Canonical, As4, out _)!;
        var withNextHop = held.WithMpNextHop(System.Net.IPAddress.Parse("2001:db8::1"));
        Assert.Equal(System.Net.IPAddress.Parse("2001:db8::1"), withNextHop.MpNextHop);
        Assert.Equal(7u, withNextHop.MultiExitDisc);
        Assert.Null(held.MpNextHop);
        Assert.NotEqual(held, withNextHop);
        Assert.Same(held, held.ForPropagation());
    }

    [Fact]
    public void The_loop_check_reads_a_held_set_s_as_path_from_its_octets_without_decoding_it()
    {
        var interner = new PathAttributeInterner();
        // AS_PATH: AS_SEQUENCE [65001 65002], AS_CONFED_SEQUENCE [64512] (4-octet), after ORIGIN.
        var field = Hex.Parse("""
            40 01 01 00
            40 02 10 02 02 0000fde9 0000fdea 03 01 0000fc00
            40 03 04 c00002fe
            """);
        var held = interner.Intern(field, As4, out var byOctets)!;
        Assert.True(byOctets);
        Assert.True(held.AsPathContains(65002));
        Assert.True(held.AsPathContains(64512));
        Assert.False(held.AsPathContains(65003));
        Assert.True(held.IsOctetsOnly);
        // The decoded set answers the same.
        _ = held.Origin;
        Assert.True(held.AsPathContains(65002));
        Assert.True(held.AsPathContains(64512));
        Assert.False(held.AsPathContains(65003));
        Assert.False(new PathAttributes { Origin = Origin.Igp }.AsPathContains(0));
    }
}
