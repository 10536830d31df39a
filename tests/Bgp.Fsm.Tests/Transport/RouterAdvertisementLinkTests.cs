namespace BgpKit.Bgp.Fsm.Tests.Transport;

/// <summary>The ICMPv6 messages BGP unnumbered sends (RFC 4861 sections 4.1 and 4.2), byte for byte.</summary>
public class RouterAdvertisementLinkTests
{
    [Fact]
    public void Router_advertisement_has_router_lifetime_zero_and_no_options()
    {
        // type 134, code 0, checksum (kernel), cur hop limit 0, flags 0, router lifetime 0, reachable 0, retrans 0
        Assert.Equal("86000000" + "00000000" + "00000000" + "00000000", Convert.ToHexStringLower(RouterAdvertisementLink.Build(RouterAdvertisementLink.RouterAdvertisementType)));
    }

    [Fact]
    public void Router_solicitation_is_type_133_with_reserved_octets()
    {
        Assert.Equal("85000000" + "00000000", Convert.ToHexStringLower(RouterAdvertisementLink.Build(RouterAdvertisementLink.RouterSolicitationType)));
    }
}
