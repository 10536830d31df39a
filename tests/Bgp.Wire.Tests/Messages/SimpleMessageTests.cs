namespace BgpKit.Bgp.Wire.Tests.Messages;

public class SimpleMessageTests
{
    [Fact]
    public void Keepalive_is_a_bare_header()
    {
        const string golden = "ffffffffffffffffffffffffffffffff 0013 04";
        Assert.Same(KeepaliveMessage.Instance, BgpMessage.Decode(Hex.Parse(golden)));
        Assert.Equal(Hex.Of(Hex.Parse(golden)), Hex.Of(KeepaliveMessage.Instance.ToArray()));
        Assert.Equal(Hex.Of(Hex.Parse(golden)), Hex.Of(KeepaliveMessage.Bytes));
    }

    [Fact]
    public void Notification_with_shutdown_communication_round_trips()
    {
        var golden = Hex.Parse("""
            ffffffffffffffffffffffffffffffff 0021 03  // length 33, NOTIFICATION
            06 02                                     // Cease / Administrative Shutdown
            0b 6d61696e74656e616e6365                 // 11 octets: "maintenance"
            """);
        var n = Assert.IsType<NotificationMessage>(BgpMessage.Decode(golden));
        Assert.Equal(BgpErrorCode.Cease, n.Code);
        Assert.Equal(CeaseSubcode.AdministrativeShutdown, n.CeaseSubcode);
        Assert.Equal("maintenance", n.ShutdownCommunication);
        Assert.Equal(Hex.Of(golden), Hex.Of(NotificationMessage.Shutdown(CeaseSubcode.AdministrativeShutdown, "maintenance").ToArray()));
        Assert.Equal(Hex.Of(golden), Hex.Of(n.ToArray()));
    }

    [Fact]
    public void Notification_shutdown_communication_accepts_255_utf8_octets_and_no_more()
    {
        var text = new string('é', 127) + "a"; // 255 octets
        var n = NotificationMessage.Shutdown(CeaseSubcode.AdministrativeReset, text);
        Assert.Equal(text, ((NotificationMessage)BgpMessage.Decode(n.ToArray())).ShutdownCommunication);
        Assert.Throws<ArgumentException>(() => NotificationMessage.Shutdown(CeaseSubcode.AdministrativeReset, text + "b"));
    }

    [Theory]
    [InlineData("0602 05 6162")] // length beyond the data
    [InlineData("0602 02 c328")] // invalid UTF-8
    [InlineData("0603 02 6162")] // not a shutdown subcode
    public void Bad_shutdown_communication_is_ignored(string body)
    {
        var n = (NotificationMessage)BgpMessage.Decode(Hex.Message(BgpMessageType.Notification, body));
        Assert.Null(n.ShutdownCommunication);
    }

    [Fact]
    public void Hard_reset_encapsulates_its_cause()
    {
        var golden = Hex.Message(BgpMessageType.Notification, "06 09 04 00"); // Cease/Hard Reset of Hold Timer Expired
        var n = (NotificationMessage)BgpMessage.Decode(golden);
        Assert.Equal(CeaseSubcode.HardReset, n.CeaseSubcode);
        Assert.Equal(BgpErrorCode.HoldTimerExpired, n.HardResetCause!.Code);
        Assert.Equal(Hex.Of(golden), Hex.Of(NotificationMessage.HardReset(BgpErrorCode.HoldTimerExpired, 0).ToArray()));
    }

    [Fact]
    public void Maximum_prefixes_reached_carries_afi_safi_and_upper_bound()
    {
        var golden = Hex.Parse("""
            ffffffffffffffffffffffffffffffff 001c 03  // length 28, NOTIFICATION
            06 01                                     // Cease / Maximum Number of Prefixes Reached
            0002 01                                   // AFI 2 (IPv6), SAFI 1 (unicast)
            000186a0                                  // upper bound 100,000
            """);
        var n = Assert.IsType<NotificationMessage>(BgpMessage.Decode(golden));
        Assert.Equal(CeaseSubcode.MaximumNumberOfPrefixesReached, n.CeaseSubcode);
        Assert.Equal(new MaximumPrefixesData(AfiSafi.IPv6Unicast, 100_000), n.MaximumPrefixes);
        Assert.Equal("NOTIFICATION Cease/1 Maximum Number of Prefixes Reached (IPv6/Unicast, upper bound 100000)", n.ToString());
        Assert.Equal(Hex.Of(golden), Hex.Of(NotificationMessage.MaximumPrefixesReached(AfiSafi.IPv6Unicast, 100_000).ToArray()));
    }

    [Theory]
    [InlineData("06 01")]                    // RFC 4486 section 4: the data is optional
    [InlineData("06 01 0001 01 000000")]     // too short
    [InlineData("06 01 0001 01 00000064 00")] // too long
    [InlineData("06 02 0001 01 00000064")]   // not subcode 1
    public void Maximum_prefixes_data_is_read_only_from_seven_octets_of_cease_1(string body)
    {
        var n = (NotificationMessage)BgpMessage.Decode(Hex.Message(BgpMessageType.Notification, body));
        Assert.Null(n.MaximumPrefixes);
        Assert.StartsWith($"NOTIFICATION Cease/{n.Subcode} data=", n.ToString());
    }

    [Theory]
    [InlineData("08 00", BgpErrorCode.SendHoldTimerExpired, 0)]
    [InlineData("06 0a", BgpErrorCode.Cease, 10)]
    [InlineData("03 0b", BgpErrorCode.UpdateMessageError, 11)]
    [InlineData("63 07 0102", (BgpErrorCode)0x63, 7)]
    public void Notification_codes_are_kept(string body, BgpErrorCode code, byte subcode)
    {
        var bytes = Hex.Message(BgpMessageType.Notification, body);
        var n = (NotificationMessage)BgpMessage.Decode(bytes);
        Assert.Equal(code, n.Code);
        Assert.Equal(subcode, n.Subcode);
        Assert.Equal(Hex.Of(bytes), Hex.Of(n.ToArray()));
    }

    [Theory]
    [InlineData("0001 00 01", RouteRefreshSubtype.Request, Afi.IPv4, Safi.Unicast)]
    [InlineData("0002 01 01", RouteRefreshSubtype.BeginningOfRouteRefresh, Afi.IPv6, Safi.Unicast)]
    [InlineData("0001 02 80", RouteRefreshSubtype.EndOfRouteRefresh, Afi.IPv4, Safi.MplsVpn)]
    public void Route_refresh_round_trips(string body, RouteRefreshSubtype subtype, Afi afi, Safi safi)
    {
        var bytes = Hex.Message(BgpMessageType.RouteRefresh, body);
        var rr = (RouteRefreshMessage)BgpMessage.Decode(bytes);
        Assert.Equal(subtype, rr.Subtype);
        Assert.Equal(new AfiSafi(afi, safi), rr.AfiSafi);
        Assert.Equal(Hex.Of(bytes), Hex.Of(new RouteRefreshMessage(new AfiSafi(afi, safi), subtype).ToArray()));
    }

    [Fact]
    public void Route_refresh_of_wrong_length_is_a_route_refresh_error_with_the_message()
    {
        var bytes = Hex.Message(BgpMessageType.RouteRefresh, "0001 00 01 00");
        var ex = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(bytes));
        Assert.Equal(BgpErrorCode.RouteRefreshMessageError, ex.Error.Code);
        Assert.Equal((byte)RouteRefreshMessageErrorSubcode.InvalidMessageLength, ex.Error.Subcode);
        Assert.Equal(Hex.Of(bytes), Hex.Of(ex.Error.Data.Span));
    }

    [Fact]
    public void Try_encode_reports_a_short_destination()
    {
        var n = new NotificationMessage(BgpErrorCode.Cease, 2);
        Assert.False(n.TryEncode(new byte[20], out var written));
        Assert.Equal(0, written);
        Assert.True(n.TryEncode(new byte[21], out written));
        Assert.Equal(21, written);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        n.Encode(writer);
        Assert.Equal(21, writer.WrittenCount);
    }
}
