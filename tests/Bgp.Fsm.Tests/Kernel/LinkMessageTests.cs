using BgpKit.Bgp.Fsm.Kernel;

namespace BgpKit.Bgp.Fsm.Tests.Kernel;

/// <summary>
/// The VRF table lookup as bytes (linux/if_link.h): the RTM_GETLINK request, and the RTM_NEWLINK answer read down to
/// IFLA_VRF_TABLE. The vrf kernel module is missing on the test machines, so the live lookup cannot run there; these
/// hand-built answers stand for what the kernel sends for <c>ip link add red type vrf table 1001</c>.
/// </summary>
public sealed class LinkMessageTests
{
    // nlmsghdr: RTM_NEWLINK (16), sequence 9, after the length
    private const string Header = "1000" + "0000" + "09000000" + "00000000";
    private const string Ifinfomsg = "0000" + "0100" + "07000000" + "C1040100" + "00000000";
    private const string Name = "08000300" + "72656400";

    [Fact]
    public void Request_names_the_device()
    {
        var buffer = new byte[64];
        var length = LinkMessage.WriteGetLink(buffer, 9, "red");
        Assert.Equal(
            // length 40, RTM_GETLINK (18), NLM_F_REQUEST, sequence 9; an empty ifinfomsg; IFLA_IFNAME "red"
            "28000000" + "1200" + "0100" + "09000000" + "00000000" + new string('0', 32) + "08000300" + "72656400",
            Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void A_VRF_answers_with_its_table()
    {
        var answer = Convert.FromHexString("40000000" + Header + Ifinfomsg + Name +
            // IFLA_LINKINFO (nested, 24): IFLA_INFO_KIND "vrf", IFLA_INFO_DATA (nested, 12): IFLA_VRF_TABLE 1001
            "18001280" + "08000100" + "76726600" + "0C000280" + "08000100" + "E9030000");
        Assert.Equal(LinkMessage.Outcome.Vrf, LinkMessage.ReadVrfTable(answer, 9, out var table, out _));
        Assert.Equal(1001u, table);
    }

    [Fact]
    public void Another_kind_of_device_is_not_a_VRF()
    {
        var answer = Convert.FromHexString("38000000" + Header + Ifinfomsg + Name +
            // IFLA_LINKINFO: IFLA_INFO_KIND "veth"
            "10001280" + "0C000100" + "7665746800000000");
        Assert.Equal(LinkMessage.Outcome.NotVrf, LinkMessage.ReadVrfTable(answer, 9, out _, out _));
    }

    [Fact]
    public void A_missing_device_is_ENODEV()
    {
        var answer = Convert.FromHexString("24000000" + "0200" + "0001" + "09000000" + "00000000" + "EDFFFFFF" + "28000000120001000900000000000000");
        Assert.Equal(LinkMessage.Outcome.Error, LinkMessage.ReadVrfTable(answer, 9, out _, out var errno));
        Assert.Equal(19, errno);
    }

    [Fact]
    public void An_answer_to_another_request_is_not_this_one()
    {
        var answer = Convert.FromHexString("28000000" + Header + Ifinfomsg + Name);
        Assert.Equal(LinkMessage.Outcome.NoAnswer, LinkMessage.ReadVrfTable(answer, 10, out _, out _));
    }
}
