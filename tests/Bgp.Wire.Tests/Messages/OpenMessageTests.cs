namespace BgpKit.Bgp.Wire.Tests.Messages;

public class OpenMessageTests
{
    // An OPEN with every capability BgpKit decodes plus one it does not (Cisco's pre-standard
    // route refresh, code 128), all in one capabilities parameter.
    internal const string FullOpen = """
        ffffffffffffffffffffffffffffffff   // marker
        005f 01                            // length 95, OPEN
        04                                 // version 4
        fde8                               // My AS 65000
        00b4                               // hold time 180
        c0000201                           // BGP identifier 192.0.2.1
        42                                 // optional parameters length 66
        02 40                              // parameter 2 (capabilities), 64 octets
          01 04 0001 00 01                 // multiprotocol IPv4/unicast
          02 00                            // route refresh
          46 00                            // enhanced route refresh
          06 00                            // extended message
          41 04 0000fde8                   // 4-octet AS 65000
          40 06 4078 0001 01 80            // graceful restart N, 120 s, IPv4/unicast F
          45 04 0001 01 03                 // ADD-PATH IPv4/unicast send+receive
          49 08 03 723031 03 6c6162        // FQDN "r01" "lab"
          09 01 03                         // role customer
          47 07 0001 01 80 000e10          // LLGR IPv4/unicast F, 3600 s
          05 06 0001 0001 0002             // extended next hop IPv4/1 via IPv6
          80 00                            // unknown code 128, kept
        """;

    [Fact]
    public void Full_open_decodes_to_typed_capabilities_and_encodes_back()
    {
        var bytes = Hex.Parse(FullOpen);
        var open = Assert.IsType<OpenMessage>(BgpMessage.Decode(bytes));
        Assert.Equal(4, open.Version);
        Assert.Equal(65000u, open.Asn);
        Assert.Equal(180, open.HoldTime);
        Assert.Equal("192.0.2.1", open.BgpIdentifierAddress.ToString());
        Assert.False(open.ExtendedOptionalParameters);
        Assert.Equal(12, open.Capabilities.Count);
        Assert.Equal(AfiSafi.IPv4Unicast, Assert.IsType<MultiprotocolCapability>(open.Capabilities[0]).AfiSafi);
        Assert.Same(RouteRefreshCapability.Instance, open.Capabilities[1]);
        Assert.Same(EnhancedRouteRefreshCapability.Instance, open.Capabilities[2]);
        Assert.Same(ExtendedMessageCapability.Instance, open.Capabilities[3]);
        Assert.Equal(65000u, Assert.IsType<FourOctetAsCapability>(open.Capabilities[4]).Asn);
        var gr = Assert.IsType<GracefulRestartCapability>(open.Capabilities[5]);
        Assert.True(gr.Notification);
        Assert.False(gr.RestartState);
        Assert.Equal(120, gr.RestartTimeSeconds);
        Assert.Equal(new GracefulRestartFamily(AfiSafi.IPv4Unicast, true), Assert.Single(gr.Families));
        var addPath = Assert.IsType<AddPathCapability>(open.Capabilities[6]);
        Assert.Equal(new AddPathFamily(AfiSafi.IPv4Unicast, AddPathDirection.Both), Assert.Single(addPath.Families));
        var fqdn = Assert.IsType<FqdnCapability>(open.Capabilities[7]);
        Assert.Equal("r01", fqdn.HostName);
        Assert.Equal("lab", fqdn.DomainName);
        Assert.Equal(BgpRole.Customer, Assert.IsType<RoleCapability>(open.Capabilities[8]).Role);
        var llgr = Assert.IsType<LongLivedGracefulRestartCapability>(open.Capabilities[9]);
        Assert.Equal(new LongLivedGracefulRestartFamily(AfiSafi.IPv4Unicast, 0x80, 3600), Assert.Single(llgr.Families));
        var enh = Assert.IsType<ExtendedNextHopCapability>(open.Capabilities[10]);
        Assert.Equal(new ExtendedNextHopFamily(Afi.IPv4, 1, Afi.IPv6), Assert.Single(enh.Families));
        var unknown = Assert.IsType<UnknownCapability>(open.Capabilities[11]);
        Assert.Equal(128, unknown.RawCode);
        Assert.True(unknown.Value.IsEmpty);

        Assert.Equal(Hex.Of(bytes), Hex.Of(open.ToArray()));
    }

    [Fact]
    public void Built_open_encodes_to_the_golden_bytes()
    {
        var open = new OpenMessage(65000, 180, 0xC0000201,
        [
            new MultiprotocolCapability(AfiSafi.IPv4Unicast), RouteRefreshCapability.Instance, EnhancedRouteRefreshCapability.Instance,
            ExtendedMessageCapability.Instance, new FourOctetAsCapability(65000),
            new GracefulRestartCapability(false, true, 120, [new GracefulRestartFamily(AfiSafi.IPv4Unicast, true)]),
            new AddPathCapability([new AddPathFamily(AfiSafi.IPv4Unicast, AddPathDirection.Both)]),
            new FqdnCapability("r01", "lab"), new RoleCapability(BgpRole.Customer),
            new LongLivedGracefulRestartCapability([new LongLivedGracefulRestartFamily(AfiSafi.IPv4Unicast, 0x80, 3600)]),
            new ExtendedNextHopCapability([new ExtendedNextHopFamily(Afi.IPv4, 1, Afi.IPv6)]),
            new UnknownCapability(128, default),
        ]);
        Assert.Equal(Hex.Of(Hex.Parse(FullOpen)), Hex.Of(open.ToArray()));
    }

    [Fact]
    public void Four_octet_as_puts_as_trans_in_my_as()
    {
        var open = new OpenMessage(4200000000, 90, 1, [new FourOctetAsCapability(4200000000)]);
        Assert.Equal(OpenMessage.AsTrans, open.MyAs);
        Assert.Equal(4200000000u, open.Asn);
        Assert.Throws<ArgumentException>(() => new OpenMessage(4200000000, 90, 1, []));
    }

    [Fact]
    public void Capabilities_in_separate_parameters_keep_their_grouping()
    {
        var bytes = Hex.Message(BgpMessageType.Open, """
            04 fde8 005a 0a000001
            10                      // 16 octets of parameters
            02 06 01 04 0002 00 01  // parameter: multiprotocol IPv6/unicast
            02 06 41 04 0000fde8    // parameter: 4-octet AS
            """);
        var open = Assert.IsType<OpenMessage>(BgpMessage.Decode(bytes));
        Assert.Equal(2, open.Capabilities.Count);
        Assert.Equal(Hex.Of(bytes), Hex.Of(open.ToArray()));
    }

    [Fact]
    public void Rfc9072_extended_parameters_decode_and_encode()
    {
        var bytes = Hex.Message(BgpMessageType.Open, """
            04 fde8 00b4 c0000201
            ff                      // non-ext OP len (non-zero)
            ff                      // non-ext OP type 255: extended encoding
            0009                    // extended optional parameters length 9
            02 0006                 // capabilities, 2-octet length 6
              01 04 0001 00 01      // multiprotocol IPv4/unicast
            """);
        var open = Assert.IsType<OpenMessage>(BgpMessage.Decode(bytes));
        Assert.True(open.ExtendedOptionalParameters);
        Assert.IsType<MultiprotocolCapability>(Assert.Single(open.Capabilities));
        Assert.Equal(Hex.Of(bytes), Hex.Of(open.ToArray()));
    }

    [Fact]
    public void More_than_255_octets_of_capabilities_switch_to_rfc9072()
    {
        var caps = Enumerable.Range(0, 70).Select(i => (Capability)new UnknownCapability(200, new byte[] { (byte)i, 0 })).ToList();
        var open = new OpenMessage(65001, 90, 7, caps);
        var bytes = open.ToArray();
        Assert.Equal(0xFF, bytes[28]);
        Assert.Equal(0xFF, bytes[29]);
        var back = Assert.IsType<OpenMessage>(BgpMessage.Decode(bytes));
        Assert.True(back.ExtendedOptionalParameters);
        Assert.Equal(caps, back.Capabilities);
    }

    [Fact]
    public void Negotiation_derives_the_session_context()
    {
        var ours = new OpenMessage(65000, 90, 1, [new FourOctetAsCapability(65000), ExtendedMessageCapability.Instance,
            new AddPathCapability([new AddPathFamily(AfiSafi.IPv4Unicast, AddPathDirection.Both), new AddPathFamily(AfiSafi.IPv6Unicast, AddPathDirection.Receive)])]);
        var theirs = new OpenMessage(65001, 90, 2, [new FourOctetAsCapability(65001),
            new AddPathCapability([new AddPathFamily(AfiSafi.IPv4Unicast, AddPathDirection.Send), new AddPathFamily(AfiSafi.IPv6Unicast, AddPathDirection.Send)])]);
        var context = BgpDecodeContext.Negotiate(ours, theirs);
        Assert.True(context.FourOctetAs);
        Assert.False(context.ExtendedMessage);
        Assert.Equal(4096, context.MaxMessageLength);
        Assert.Equal(AddPathDirection.Receive, context.AddPath(AfiSafi.IPv4Unicast));
        Assert.Equal(AddPathDirection.Receive, context.AddPath(AfiSafi.IPv6Unicast));
        Assert.False(context.SendsPathIds(AfiSafi.IPv4Unicast));
    }

    public static TheoryData<string, BgpErrorCode, byte, string> Malformed => new()
    {
        { "03 fde8 00b4 c0000201 00", BgpErrorCode.OpenMessageError, 1, "0004" },
        { "04 fde8 0001 c0000201 00", BgpErrorCode.OpenMessageError, 6, "" },
        { "04 fde8 0002 c0000201 00", BgpErrorCode.OpenMessageError, 6, "" },
        { "04 fde8 00b4 00000000 00", BgpErrorCode.OpenMessageError, 3, "" },
        { "04 fde8 00b4 c0000201 03 01 01 00", BgpErrorCode.OpenMessageError, 4, "" },
        { "04 fde8 00b4 c0000201 05 02 03 01 04 00", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 04 02 02 01 04", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 02 02 00 00", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 04 02 02 41 00", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 03 02 01 02", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 01 ff", BgpErrorCode.OpenMessageError, 0, "" },
        { "04 fde8 00b4 c0000201 03 02 03 02 01", BgpErrorCode.OpenMessageError, 0, "" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_open_raises_the_prescribed_error(string body, BgpErrorCode code, byte subcode, string data)
    {
        var ex = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(Hex.Message(BgpMessageType.Open, body)));
        Assert.Equal(code, ex.Error.Code);
        Assert.Equal(subcode, ex.Error.Subcode);
        Assert.Equal(data, Hex.Of(ex.Error.Data.Span));
        Assert.Equal(ErrorAction.SessionReset, ex.Error.Action);
    }

    [Theory]
    [InlineData("01 05 0001000100")] // multiprotocol of 5 octets
    [InlineData("40 03 000000")] // graceful restart of 3
    [InlineData("41 02 0000")] // 4-octet AS of 2
    [InlineData("45 03 000101")] // ADD-PATH of 3
    [InlineData("47 06 000101000000")] // LLGR of 6
    [InlineData("49 03 05 6162")] // FQDN hostname longer than the value
    [InlineData("49 03 01 61 05")] // FQDN domain cut off
    [InlineData("09 00")] // role empty
    [InlineData("05 04 00010001")] // extended next hop of 4
    [InlineData("02 01 00")] // route refresh with a value
    [InlineData("46 01 00")] // enhanced route refresh with a value
    [InlineData("06 01 00")] // extended message with a value
    public void Malformed_capability_values_are_open_errors(string capability)
    {
        var cap = Hex.Parse(capability);
        var body = $"04 fde8 00b4 c0000201 {cap.Length + 2:x2} 02 {cap.Length:x2} {capability}";
        var ex = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(Hex.Message(BgpMessageType.Open, body)));
        Assert.Equal(BgpErrorCode.OpenMessageError, ex.Error.Code);
    }
}
