namespace BgpKit.Bgp.Wire.Tests.Primitives;

public class CommunityTests
{
    [Theory]
    [InlineData("65000:100", 0xFDE80064u)]
    [InlineData("0:0", 0u)]
    [InlineData("65535:65535", 0xFFFFFFFFu)]
    [InlineData("no-export", 0xFFFFFF01u)]
    [InlineData("NO_EXPORT", 0xFFFFFF01u)]
    [InlineData("no-advertise", 0xFFFFFF02u)]
    [InlineData("no-export-subconfed", 0xFFFFFF03u)]
    [InlineData("local-as", 0xFFFFFF03u)]
    [InlineData("no-peer", 0xFFFFFF04u)]
    [InlineData("blackhole", 0xFFFF029Au)]
    [InlineData("graceful-shutdown", 0xFFFF0000u)]
    [InlineData("GRACEFUL_SHUTDOWN", 0xFFFF0000u)]
    [InlineData("accept-own", 0xFFFF0001u)]
    [InlineData("llgr-stale", 0xFFFF0006u)]
    [InlineData("no-llgr", 0xFFFF0007u)]
    [InlineData("4294967295", 0xFFFFFFFFu)]
    public void Parse_accepts_numbers_and_well_known_names(string text, uint value)
    {
        var c = Community.Parse(text);
        Assert.Equal(value, c.Value);
        Assert.Equal($"{value >> 16}:{value & 0xFFFF}", c.ToString());
    }

    [Theory]
    [InlineData("65536:1")]
    [InlineData("1:65536")]
    [InlineData("a:b")]
    [InlineData("no-such-name")]
    [InlineData("1:2:3")]
    [InlineData("")]
    public void Parse_rejects_garbage(string text)
    {
        Assert.False(Community.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Community.Parse(text));
    }

    [Fact]
    public void Well_known_names_print_as_numbers()
    {
        Assert.Equal("65535:65281", Community.NoExport.ToString());
        Assert.Equal("no-export", Community.NoExport.WellKnownName);
        Assert.Equal("65535:666", Community.Blackhole.ToString());
    }

    [Theory]
    [InlineData("4200000000:1:2", 4200000000u, 1u, 2u)]
    [InlineData("0:0:0", 0u, 0u, 0u)]
    public void Large_community_round_trips(string text, uint a, uint b, uint c)
    {
        var lc = LargeCommunity.Parse(text);
        Assert.Equal(new LargeCommunity(a, b, c), lc);
        Assert.Equal(text, lc.ToString());
    }

    [Theory]
    [InlineData("1:2")]
    [InlineData("1:2:4294967296")]
    [InlineData("x:1:2")]
    public void Large_community_rejects_garbage(string text) => Assert.False(LargeCommunity.TryParse(text, out _));

    [Theory]
    [InlineData("rt:65000:100", 0x0002FDE800000064UL)]
    [InlineData("rt:4200000000:100", 0x0202FA56EA000064UL)]
    [InlineData("rt:192.0.2.1:100", 0x0102C00002010064UL)]
    [InlineData("soo:65000:1", 0x0003FDE800000001UL)]
    [InlineData("0x8006000000000000", 0x8006000000000000UL)]
    public void Extended_community_round_trips(string text, ulong value)
    {
        Assert.True(ExtendedCommunity.TryParse(text, out var ec));
        Assert.Equal(value, ec.Value);
        Assert.Equal(text, ec.ToString());
    }
}
