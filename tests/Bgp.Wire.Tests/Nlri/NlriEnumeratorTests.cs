using FsCheck;
using FsCheck.Fluent;

// Not "...Tests.Nlri": a namespace of that name would hide the Nlri type from every other test namespace.
namespace BgpKit.Bgp.Wire.Tests.NlriField;

/// <summary>
/// The IPv4 NLRI walk (the decode hot path reads 4 octets at once and predicts the next offset within runs of
/// one length) against a plain octet-by-octet reading of RFC 4271 section 4.3.
/// </summary>
public class NlriEnumeratorTests
{
    // Runs of one prefix length, host bits sometimes set (they are irrelevant and read as zero), and now and then
    // one octet overwritten or the field cut short, so lengths over 32 and overrunning entries occur anywhere.
    private static Gen<byte[]> Fields =>
        from runCount in Gen.Choose(0, 5)
        from runs in Gen.ArrayOf(
            from length in Gen.Frequency((1, Gen.Choose(0, 32)), (3, Gen.Elements(8, 16, 24, 32)))
            from count in Gen.Choose(1, 30)
            from octets in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), count * 4)
            select Enumerable.Range(0, count).SelectMany(i => new[] { (byte)length }.Concat(octets.Skip(4 * i).Take((length + 7) >> 3))).ToArray(),
            runCount)
        from damage in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
        from position in Gen.Choose(0, 10_000)
        from value in Gen.Choose(0, 255)
        select Damage(runs.SelectMany(r => r).ToArray(), damage, position, (byte)value);

    private static byte[] Damage(byte[] field, int damage, int position, byte value)
    {
        if (field.Length == 0 || damage == 0)
        {
            return field;
        }
        if (damage == 1)
        {
            return field[..(position % field.Length)];
        }
        field[position % field.Length] = value;
        return field;
    }

    // RFC 4271 section 4.3, one octet at a time: the prefixes before the first malformed entry, and whether there was one.
    private static (List<Prefix> Prefixes, bool Malformed) Reference(byte[] field)
    {
        var prefixes = new List<Prefix>();
        var at = 0;
        while (at < field.Length)
        {
            int length = field[at];
            var octets = (length + 7) / 8;
            if (length > 32 || at + 1 + octets > field.Length)
            {
                return (prefixes, true);
            }
            uint address = 0;
            for (var i = 0; i < octets; i++)
            {
                address |= (uint)field[at + 1 + i] << (24 - 8 * i);
            }
            prefixes.Add(Prefix.FromIPv4(address, length));
            at += 1 + octets;
        }
        return (prefixes, false);
    }

    private static (List<Prefix> Prefixes, bool Malformed) Walk(byte[] field)
    {
        var prefixes = new List<Prefix>();
        try
        {
            foreach (var nlri in new NlriEnumerator(field, ipv6: false, addPath: false))
            {
                Assert.False(nlri.HasPathId);
                prefixes.Add(nlri.Prefix);
            }
            return (prefixes, false);
        }
        catch (BgpWireException e)
        {
            Assert.Equal(BgpErrorCode.UpdateMessageError, e.Error.Code);
            Assert.Equal((byte)UpdateMessageErrorSubcode.InvalidNetworkField, e.Error.Subcode);
            return (prefixes, true);
        }
    }

    [Fact]
    public void Ipv4_walk_agrees_with_an_octet_by_octet_reading() =>
        Check.One(WireArbitrary.Config(500), Prop.ForAll(Arb.From(Fields), field =>
        {
            var expected = Reference(field);
            var actual = Walk(field);
            Assert.Equal(expected.Malformed, actual.Malformed);
            Assert.Equal(expected.Prefixes, actual.Prefixes);
        }));

    [Theory]
    // A /33 after a run of /24: the predicted offset must not carry past the bad length.
    [InlineData("18 0A0000 18 0A0001 18 0A0002 21 0A000300 00", 3)]
    // The last entry overruns the field by one octet, inside and at the end of the 5-octet fast window.
    [InlineData("18 0A0000 18 0A0001 18 0A00", 2)]
    [InlineData("20 0A000001 20 0A0000", 1)]
    // A length octet with nothing after it.
    [InlineData("08 0A 18", 1)]
    public void A_malformed_entry_ends_the_walk_with_invalid_network_field(string hex, int goodEntries)
    {
        var (prefixes, malformed) = Walk(Hex.Parse(hex));
        Assert.True(malformed);
        Assert.Equal(goodEntries, prefixes.Count);
    }

    [Fact]
    public void Host_bits_are_cleared_in_runs_and_at_the_end_of_the_field()
    {
        // 10.1.3.0/23 twice then 10.255.0.0/9 (host bits set): read as 10.1.2.0/23 and 10.128.0.0/9.
        var (prefixes, malformed) = Walk(Hex.Parse("17 0A0103 17 0A0103 09 0AFF"));
        Assert.False(malformed);
        Assert.Equal(["10.1.2.0/23", "10.1.2.0/23", "10.128.0.0/9"], prefixes.Select(p => p.ToString()));
    }
}
