namespace BgpKit.Bgp.Wire.Tests.Errors;

/// <summary>
/// Every decode error says where the malformed field starts: golden messages with one bad field each, the
/// offset counted from the marker for whole messages and from the body for the body decoders.
/// </summary>
public class ErrorOffsetTests
{
    private const string Marker = "ffffffffffffffffffffffffffffffff";

    // ORIGIN IGP at 23, empty AS_PATH at 27, NEXT_HOP 192.0.2.1 at 30 (offsets in the message).
    private const string Attributes = "40010100" + "400200" + "400304c0000201";

    /// <summary>A message of <paramref name="type"/> around <paramref name="bodyHex"/>, its length field filled in.</summary>
    private static string Message(int type, string bodyHex)
    {
        var length = 19 + Hex.Parse(bodyHex).Length;
        return Marker + length.ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + type.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + bodyHex;
    }

    private static BgpError DecodeError(string hex, BgpDecodeContext? context = null)
    {
        var message = Hex.Parse(hex);
        try
        {
            var decoded = BgpMessage.Decode(message, context);
            return Assert.IsType<UpdateMessage>(decoded).Error ?? throw new Xunit.Sdk.XunitException("decoded without an error");
        }
        catch (BgpWireException e)
        {
            Assert.Equal(e.Error.Offset, e.Offset);
            Assert.Contains($"at offset {e.Offset}", e.Message, StringComparison.Ordinal);
            return e.Error;
        }
    }

    [Fact]
    public void A_marker_that_is_not_all_ones_is_at_offset_0()
    {
        var error = DecodeError("ffffffffff00ffffffffffffffffffff 0013 04");
        Assert.Equal(MessageHeaderErrorSubcode.ConnectionNotSynchronized, (MessageHeaderErrorSubcode)error.Subcode);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void A_bad_length_field_is_at_offset_16_and_an_unknown_type_at_18()
    {
        Assert.Equal(16, DecodeError(Marker + "0012 04").Offset);
        var type = DecodeError(Marker + "0013 09");
        Assert.Equal(MessageHeaderErrorSubcode.BadMessageType, (MessageHeaderErrorSubcode)type.Subcode);
        Assert.Equal(18, type.Offset);
    }

    [Fact]
    public void An_OPEN_hold_time_of_one_second_is_at_the_hold_time_field()
    {
        var error = DecodeError(Message(1, "04 fde9 0001 c0000201 00"));
        Assert.Equal(OpenMessageErrorSubcode.UnacceptableHoldTime, (OpenMessageErrorSubcode)error.Subcode);
        Assert.Equal(22, error.Offset);
    }

    [Fact]
    public void A_malformed_capability_is_at_its_code_octet_not_the_parameter()
    {
        // Optional parameters (13 octets) at 29: type 2, length 11; Multiprotocol (1, 4 octets) at 31, then a
        // 4-octet AS capability (65) whose value has 3 octets at 37.
        var error = DecodeError(Message(1, "04 fde9 00b4 c0000201 0d" + "02 0b" + "01 04 00010001" + "41 03 0000fd"));
        Assert.Equal(BgpErrorCode.OpenMessageError, error.Code);
        Assert.Equal(37, error.Offset);
    }

    [Fact]
    public void A_withdrawn_routes_length_that_overruns_is_at_the_start_of_the_body()
    {
        Assert.Equal(19, DecodeError(Message(2, "0010 0000")).Offset);
    }

    [Fact]
    public void A_malformed_attribute_is_at_its_flags_octet()
    {
        // NEXT_HOP of 3 octets at 30 (RFC 7606 section 7.3: treat-as-withdraw, so a value, not a throw).
        var error = DecodeError(Message(2, "0000 000d" + "40010100" + "400200" + "400303c00002" + "18c63364"));
        Assert.Equal(BgpErrorCode.UpdateMessageError, error.Code);
        Assert.Equal((byte)PathAttributeType.NextHop, error.AttributeType);
        Assert.Equal(30, error.Offset);
    }

    [Fact]
    public void A_missing_well_known_attribute_is_at_the_total_path_attribute_length()
    {
        var error = DecodeError(Message(2, "0000 0007" + "40010100" + "400200" + "18c63364"));
        Assert.Equal(UpdateMessageErrorSubcode.MissingWellKnownAttribute, (UpdateMessageErrorSubcode)error.Subcode);
        Assert.Equal(21, error.Offset);
    }

    [Fact]
    public void A_malformed_NLRI_entry_is_at_its_length_octet_in_the_message_and_in_the_body()
    {
        // NLRI at 37: 198.51.100.0/24 (4 octets), then a length of 33 at 41.
        var hex = Message(2, "0000 000e" + Attributes + "18c63364" + "21c6336400");
        Assert.Equal(UpdateMessageErrorSubcode.InvalidNetworkField, (UpdateMessageErrorSubcode)DecodeError(hex).Subcode);
        Assert.Equal(41, DecodeError(hex).Offset);

        var body = Hex.Parse(hex)[19..];
        var walked = Assert.Throws<BgpWireException>(() =>
        {
            foreach (var _ in UpdateReader.Read(body).Nlri)
            {
            }
        });
        Assert.Equal(41 - 19, walked.Offset);
        Assert.Equal(41, Assert.Throws<BgpWireException>(() => UpdateReader.ReadMessage(Hex.Parse(hex)).Nlri.ToArray()).Offset);
    }

    [Fact]
    public void A_malformed_withdrawn_route_is_at_its_length_octet()
    {
        // Withdrawn routes at 21: 10.0.0.0/8 (2 octets), then a /24 cut off at 23.
        var error = DecodeError(Message(2, "0005 080a 18c633" + "0000"));
        Assert.Equal(UpdateMessageErrorSubcode.InvalidNetworkField, (UpdateMessageErrorSubcode)error.Subcode);
        Assert.Equal(23, error.Offset);
    }

    [Fact]
    public void A_short_NOTIFICATION_is_at_its_length_field_in_a_message_and_at_the_start_of_a_body()
    {
        // The header reader rejects a NOTIFICATION length below 21 before the body is read.
        Assert.Equal(16, DecodeError(Message(3, "06")).Offset);
        Assert.Equal(0, Assert.Throws<BgpWireException>(() => BgpMessage.DecodeBody(BgpMessageType.Notification, [6])).Offset);
    }
}
