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
}
