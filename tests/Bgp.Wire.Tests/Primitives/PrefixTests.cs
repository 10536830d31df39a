using System.Net;
using System.Net.Sockets;

namespace BgpKit.Bgp.Wire.Tests.Primitives;

public class PrefixTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("192.0.2.1/32", "192.0.2.1/32")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0:0:1::1/64", "2001:db8::/64")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    [InlineData("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/65", "2001:db8:ffff:ffff:8000::/65")]
    public void Parse_gives_canonical_text(string text, string canonical)
    {
        var prefix = Prefix.Parse(text);
        Assert.Equal(canonical, prefix.ToString());
        Assert.Equal(prefix, Prefix.Parse(canonical));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("2001:db8::/129")]
    [InlineData("/8")]
    [InlineData("10.0.0/8x")]
    [InlineData("fe80::1%eth0/64")]
    public void TryParse_rejects_non_prefixes(string text)
    {
        Assert.False(Prefix.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Prefix.Parse(text));
    }

    [Fact]
    public void Create_masks_host_bits_and_keeps_family()
    {
        var v4 = Prefix.Create(IPAddress.Parse("192.168.10.77"), 24);
        Assert.Equal("192.168.10.0/24", v4.ToString());
        Assert.Equal(AddressFamily.InterNetwork, v4.Family);
        Assert.Equal(IPAddress.Parse("192.168.10.0"), v4.Address);
        Assert.Equal(24, v4.Length);
        var v6 = Prefix.Create(IPAddress.Parse("2001:db8::ffff"), 120);
        Assert.Equal(AddressFamily.InterNetworkV6, v6.Family);
        Assert.Equal(IPAddress.Parse("2001:db8::ff00"), v6.Address);
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.Create(IPAddress.Loopback, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.Create(IPAddress.IPv6Loopback, 129));
    }

    [Fact]
    public void Contains_respects_family_and_length()
    {
        var net = Prefix.Parse("10.0.0.0/8");
        Assert.True(net.Contains(IPAddress.Parse("10.255.0.1")));
        Assert.False(net.Contains(IPAddress.Parse("11.0.0.1")));
        Assert.False(net.Contains(IPAddress.Parse("::a00:1")));
        Assert.True(net.Contains(Prefix.Parse("10.1.0.0/16")));
        Assert.True(net.Contains(net));
        Assert.False(Prefix.Parse("10.1.0.0/16").Contains(net));
        Assert.False(Prefix.Parse("::/0").Contains(net));
        Assert.True(Prefix.Parse("::/0").Contains(Prefix.Parse("2001:db8::/32")));
        Assert.True(Prefix.Parse("0.0.0.0/0").Contains(IPAddress.Parse("1.2.3.4")));
        Assert.True(Prefix.Parse("2001:db8::/32").Contains(IPAddress.Parse("2001:db8:1::1")));
    }

    [Fact]
    public void Ordering_is_family_then_address_then_length()
    {
        var list = new[] { "2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "9.0.0.0/8", "::/0" }.Select(Prefix.Parse).ToList();
        list.Sort();
        Assert.Equal(["9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "::/0", "2001:db8::/32"], list.Select(p => p.ToString()));
        Assert.True(Prefix.Parse("9.0.0.0/8") < Prefix.Parse("10.0.0.0/8"));
        Assert.NotEqual(Prefix.Parse("0.0.0.0/0"), Prefix.Parse("::/0"));
    }

    [Fact]
    public void Nlri_carries_optional_path_id()
    {
        var p = Prefix.Parse("10.0.0.0/8");
        Nlri plain = p;
        Assert.Null(plain.PathId);
        var withId = new Nlri(7, p);
        Assert.Equal(7u, withId.PathId);
        Assert.NotEqual(plain, withId);
        Assert.Equal("10.0.0.0/8 path-id 7", withId.ToString());
    }
}
