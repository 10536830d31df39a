using System.Net;
using System.Net.NetworkInformation;
using BgpKit.MetalLb.Kubernetes.Layer2;

namespace BgpKit.MetalLb.Kubernetes.Tests.Layer2;

/// <summary>ARP and ND frames: golden vectors read and written, and every drop reason produced.</summary>
public class Layer2FrameTests
{
    private static readonly byte[] Own = Convert.FromHexString("020000000001");

    // arping 192.0.2.1 from 02:00:00:00:00:02 / 192.0.2.20: broadcast ARP request.
    private const string ArpRequestHex =
        "ffffffffffff" + "020000000002" + "0806" +
        "0001" + "0800" + "06" + "04" + "0001" +
        "020000000002" + "c0000214" + // sender 02:..:02, 192.0.2.20
        "000000000000" + "c0000201";  // target ?, 192.0.2.1

    // Our answer: 192.0.2.1 is at 02:00:00:00:00:01, unicast to the asker.
    private const string ArpReplyHex =
        "020000000002" + "020000000001" + "0806" +
        "0001" + "0800" + "06" + "04" + "0002" +
        "020000000001" + "c0000201" +
        "020000000002" + "c0000214";

    [Fact]
    public void An_ARP_request_is_read_and_answered_byte_for_byte()
    {
        Assert.True(Layer2Frame.TryRead(Convert.FromHexString(ArpRequestHex), Own, out var request, out var drop));
        Assert.Equal(Layer2Drop.None, drop);
        Assert.Equal(Layer2RequestKind.ArpRequest, request.Kind);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), request.Target);
        Assert.Equal(IPAddress.Parse("192.0.2.20"), request.SenderAddress);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-02"), request.SenderMac);

        var reply = new byte[Layer2FrameWriter.ArpFrameLength];
        Assert.Equal(42, Layer2FrameWriter.ArpReply(reply, Own, request));
        Assert.Equal(ArpReplyHex, Convert.ToHexString(reply).ToLowerInvariant());
    }

    [Fact]
    public void Gratuitous_ARP_names_the_address_as_sender_and_target_and_is_broadcast()
    {
        var frame = new byte[Layer2FrameWriter.ArpFrameLength];
        Layer2FrameWriter.GratuitousArp(frame, Own, IPAddress.Parse("192.0.2.1"), reply: false);
        Assert.Equal("ffffffffffff" + "020000000001" + "0806" + "0001080006040001" + "020000000001c0000201" + "ffffffffffffc0000201",
            Convert.ToHexString(frame).ToLowerInvariant());
        Layer2FrameWriter.GratuitousArp(frame, Own, IPAddress.Parse("192.0.2.1"), reply: true);
        Assert.Equal(2, frame[21]);
    }

    /// <summary>A Neighbor Solicitation for 2001:db8::1 from fe80::2 (02:00:00:00:00:02), with its checksum.</summary>
    private static byte[] Solicitation(byte hopLimit = 255, byte[]? options = null, bool spoilChecksum = false)
    {
        var source = IPAddress.Parse("fe80::2").GetAddressBytes();
        var group = Layer2FrameWriter.SolicitedNode(IPAddress.Parse("2001:db8::1")).GetAddressBytes();
        options ??= Convert.FromHexString("0101020000000002");
        var icmp = new byte[24 + options.Length];
        icmp[0] = 135;
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(icmp, 8);
        options.CopyTo(icmp, 24);
        var checksum = Layer2Frame.Checksum(source, group, icmp);
        icmp[2] = (byte)(checksum >> 8);
        icmp[3] = (byte)(spoilChecksum ? ~checksum : checksum);
        var frame = new List<byte>();
        frame.AddRange(Convert.FromHexString("3333ff000001" + "020000000002" + "86dd"));
        frame.AddRange(Convert.FromHexString("60000000"));
        frame.Add((byte)(icmp.Length >> 8));
        frame.Add((byte)icmp.Length);
        frame.Add(58);
        frame.Add(hopLimit);
        frame.AddRange(source);
        frame.AddRange(group);
        frame.AddRange(icmp);
        return [.. frame];
    }

    [Fact]
    public void A_Neighbor_Solicitation_is_read_and_answered_with_a_solicited_override_advertisement_that_verifies()
    {
        Assert.Equal("ff02::1:ff00:1", Layer2FrameWriter.SolicitedNode(IPAddress.Parse("2001:db8::1")).ToString());
        Assert.True(Layer2Frame.TryRead(Solicitation(), Own, out var request, out _));
        Assert.Equal(Layer2RequestKind.NeighborSolicitation, request.Kind);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), request.Target);
        Assert.Equal(PhysicalAddress.Parse("02-00-00-00-00-02"), request.SenderMac);

        var frame = new byte[Layer2FrameWriter.AdvertisementFrameLength];
        Assert.Equal(86, Layer2FrameWriter.SolicitedAdvertisement(frame, Own, request));
        var hex = Convert.ToHexString(frame).ToLowerInvariant();
        Assert.StartsWith("020000000002" + "020000000001" + "86dd" + "60000000" + "0020" + "3a" + "ff", hex);
        Assert.Equal("20010db8000000000000000000000001", hex[44..76]); // source: the target itself
        Assert.Equal("fe800000000000000000000000000002", hex[76..108]); // to the soliciting node
        var icmp = frame.AsSpan(54);
        Assert.Equal(136, icmp[0]);
        Assert.Equal(0x60, icmp[4]); // Solicited, Override
        Assert.Equal("0201020000000001", Convert.ToHexString(icmp[24..]).ToLowerInvariant());
        Assert.Equal(0, Layer2Frame.Checksum(frame.AsSpan(22, 16), frame.AsSpan(38, 16), icmp));
    }

    [Fact]
    public void An_unsolicited_advertisement_goes_to_all_nodes_without_the_solicited_flag()
    {
        var frame = new byte[Layer2FrameWriter.AdvertisementFrameLength];
        Layer2FrameWriter.UnsolicitedAdvertisement(frame, Own, IPAddress.Parse("2001:db8::1"));
        Assert.Equal("333300000001", Convert.ToHexString(frame, 0, 6).ToLowerInvariant());
        Assert.Equal(IPAddress.Parse("ff02::1"), new IPAddress(frame.AsSpan(38, 16)));
        Assert.Equal(0x20, frame[54 + 4]);
        Assert.Equal(0, Layer2Frame.Checksum(frame.AsSpan(22, 16), frame.AsSpan(38, 16), frame.AsSpan(54)));
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "shorter than Ethernet", "ffffffffffff0200", nameof(Layer2Drop.Truncated) },
        { "ARP cut short", ArpRequestHex[..60], nameof(Layer2Drop.Truncated) },
        { "ARP header cut short", ArpRequestHex[..36], nameof(Layer2Drop.Truncated) },
        { "hardware length 8", ArpRequestHex[..36] + "08" + ArpRequestHex[38..], nameof(Layer2Drop.BadLength) },
        { "IPv6 protocol type", ArpRequestHex[..32] + "86dd" + ArpRequestHex[36..], nameof(Layer2Drop.BadLength) },
        { "ARP reply", ArpRequestHex[..40] + "0002" + ArpRequestHex[44..], nameof(Layer2Drop.NotRequest) },
        { "our own frame", ArpRequestHex[..12] + "020000000001" + ArpRequestHex[24..], nameof(Layer2Drop.Own) },
        { "VLAN tagged", ArpRequestHex[..24] + "8100" + ArpRequestHex[28..], nameof(Layer2Drop.OtherProtocol) },
        { "IPv6 cut short", Convert.ToHexString(Solicitation())[..100], nameof(Layer2Drop.Truncated) },
        { "payload length past the frame", Convert.ToHexString(Solicitation())[..140], nameof(Layer2Drop.Truncated) },
        { "hop limit 64", Convert.ToHexString(Solicitation(hopLimit: 64)), nameof(Layer2Drop.BadLength) },
        { "bad checksum", Convert.ToHexString(Solicitation(spoilChecksum: true)), nameof(Layer2Drop.BadChecksum) },
        { "zero-length option", Convert.ToHexString(Solicitation(options: Convert.FromHexString("0100020000000002"))), nameof(Layer2Drop.BadOption) },
        { "option past the end", Convert.ToHexString(Solicitation(options: Convert.FromHexString("0102020000000002"))), nameof(Layer2Drop.BadOption) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_frames_are_dropped_with_their_reason(string what, string hex, string expected)
    {
        Assert.False(Layer2Frame.TryRead(Convert.FromHexString(hex), Own, out _, out var drop), what);
        Assert.Equal(expected, drop.ToString());
    }

    [Fact]
    public void Every_prefix_of_a_valid_frame_is_dropped_without_throwing()
    {
        foreach (var frame in new[] { Convert.FromHexString(ArpRequestHex), Solicitation() })
        {
            for (var length = 0; length < frame.Length; length++)
            {
                Assert.False(Layer2Frame.TryRead(frame.AsSpan(0, length), Own, out _, out var drop));
                Assert.NotEqual(Layer2Drop.None, drop);
            }
        }
    }
}
