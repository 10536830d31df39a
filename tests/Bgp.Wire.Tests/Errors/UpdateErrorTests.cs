namespace BgpKit.Bgp.Wire.Tests.Errors;

/// <summary>Every error the UPDATE decoder produces, with the RFC 7606 action and NOTIFICATION data it prescribes.</summary>
public class UpdateErrorTests
{
    private static readonly BgpDecodeContext As4 = BgpDecodeContext.FourOctetAsDefault;

    private const string Origin = "40 01 01 00 ";
    private const string Path = "40 02 06 02 01 0000fde8 ";
    private const string NextHop = "40 03 04 c0000201 ";
    private const string Mandatory = Origin + Path + NextHop;
    private const string Nlri = "18 0a0000";

    // (attributes, expected action, subcode, NOTIFICATION data as hex or null for "the malformed attribute")
    public static TheoryData<string, string, ErrorAction, UpdateMessageErrorSubcode, string?> AttributeErrors => new()
    {
        { "origin length", "40 01 02 0000 " + Path + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "40010200 00" },
        { "origin value", "40 01 01 03 " + Path + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.InvalidOriginAttribute, "40010103" },
        { "origin flags", "c0 01 01 00 " + Path + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeFlagsError, "c0010100" },
        { "as_path zero-length segment", Origin + "40 02 02 02 00 " + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MalformedAsPath, "4002020200" },
        { "as_path bad segment type", Origin + "40 02 06 05 01 0000fde8 " + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MalformedAsPath, "400206050100 00fde8" },
        { "as_path overrun", Origin + "40 02 06 02 02 0000fde8 " + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MalformedAsPath, "400206020200 00fde8" },
        { "next_hop length", Origin + Path + "40 03 05 c000020100 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "400305c000020100" },
        { "med length", Mandatory + "80 04 03 000064 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "800403000064" },
        { "local_pref length", Mandatory + "40 05 02 0064 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "4005020064" },
        { "atomic_aggregate length", Mandatory + "40 06 01 00 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.AttributeLengthError, "40060100" },
        { "aggregator length", Mandatory + "c0 07 06 fde8 c0000201 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.AttributeLengthError, "c00706fde8c0000201" },
        { "aggregator flags", Mandatory + "40 07 08 0000fde8 c0000201 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.AttributeFlagsError, "4007080000fde8c0000201" },
        { "communities length", Mandatory + "c0 08 03 fde800 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "c00803fde800" },
        { "communities empty", Mandatory + "c0 08 00 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "c00800" },
        { "originator_id length", Mandatory + "80 09 03 0a0000 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "8009030a0000" },
        { "cluster_list length", Mandatory + "80 0a 05 0a00000100 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "800a050a00000100" },
        { "extended communities length", Mandatory + "c0 10 07 00020000000000 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "c0100700020000000000" },
        { "as4_path malformed", Mandatory + "c0 11 02 02 00 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.MalformedAsPath, "c011020200" },
        { "as4_aggregator length", Mandatory + "c0 12 06 fde8 c0000201 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.AttributeLengthError, "c01206fde8c0000201" },
        { "large communities length", Mandatory + "c0 20 08 0000fde800000001 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "c020080000fde800000001" },
        { "otc length", Mandatory + "c0 23 02 fde8 ", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.AttributeLengthError, "c02302fde8" },
        { "mp_reach bad next hop length", Mandatory + "80 0e 0a 0002 01 05 0102030405 00 ", ErrorAction.AfiSafiDisable, UpdateMessageErrorSubcode.OptionalAttributeError, "800e0a000201050102030405 00" },
        { "mp_reach prefix too long", Mandatory + "80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81 ", ErrorAction.AfiSafiDisable, UpdateMessageErrorSubcode.OptionalAttributeError, null },
        { "mp_reach too short", Mandatory + "80 0e 02 0002 ", ErrorAction.SessionReset, UpdateMessageErrorSubcode.OptionalAttributeError, null },
        { "mp_unreach overrun", Mandatory + "80 0f 05 0002 01 40 20 ", ErrorAction.AfiSafiDisable, UpdateMessageErrorSubcode.OptionalAttributeError, null },
        { "mp_reach flags", Mandatory + "c0 0e 05 0002 01 00 00 ", ErrorAction.AfiSafiDisable, UpdateMessageErrorSubcode.AttributeFlagsError, null },
        { "unrecognized well-known", Mandatory + "40 63 01 00 ", ErrorAction.SessionReset, UpdateMessageErrorSubcode.UnrecognizedWellKnownAttribute, "40630100" },
        { "repeated attribute", Mandatory + "40 01 01 01 ", ErrorAction.AttributeDiscard, UpdateMessageErrorSubcode.MalformedAttributeList, "40010101" },
        { "repeated mp_reach", Mandatory + "80 0f 03 000201 80 0f 03 000201 ", ErrorAction.SessionReset, UpdateMessageErrorSubcode.MalformedAttributeList, "" },
        { "missing origin", Path + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MissingWellKnownAttribute, "01" },
        { "missing as_path", Origin + NextHop, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MissingWellKnownAttribute, "02" },
        { "missing next_hop", Origin + Path, ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MissingWellKnownAttribute, "03" },
        { "attribute overruns the field", Mandatory + "c0 08 08 fde8", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MalformedAttributeList, "c00808fde8" },
        { "attribute header cut", Mandatory + "c0 08", ErrorAction.TreatAsWithdraw, UpdateMessageErrorSubcode.MalformedAttributeList, "c008" },
    };

    [Theory]
    [MemberData(nameof(AttributeErrors))]
    public void Attribute_errors_are_classified(string name, string attributes, ErrorAction action, UpdateMessageErrorSubcode subcode, string? data)
    {
        _ = name;
        var bytes = Hex.Update("", attributes, Nlri);
        BgpError error;
        if (action == ErrorAction.SessionReset)
        {
            error = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(bytes, As4)).Error;
        }
        else
        {
            var update = (UpdateMessage)BgpMessage.Decode(bytes, As4);
            Assert.Equal(action, update.Action);
            error = update.Error!;
            var reader = UpdateReader.ReadMessage(bytes, As4);
            Assert.Equal(action, reader.Action);
        }
        Assert.Equal(BgpErrorCode.UpdateMessageError, error.Code);
        Assert.Equal(action, error.Action);
        Assert.Equal((byte)subcode, error.Subcode);
        if (data is not null)
        {
            Assert.Equal(Hex.Of(Hex.Parse(data)), Hex.Of(error.Data.Span));
        }
    }

    [Fact]
    public void Discarded_attributes_are_left_out_and_the_route_kept()
    {
        var update = (UpdateMessage)BgpMessage.Decode(Hex.Update("", Mandatory + "c0 07 06 fde8 c0000201 ", Nlri), As4);
        Assert.Equal(ErrorAction.AttributeDiscard, update.Action);
        Assert.Null(update.Attributes!.Aggregator);
        Assert.Single(update.Nlri);
    }

    [Theory]
    [InlineData("ffff 0000", "withdrawn length beyond the message")]
    [InlineData("0000 00ff", "attribute length beyond the message")]
    [InlineData("0002 21 00 0000", "withdrawn prefix length 33")]
    [InlineData("0002 18 0a 0000", "withdrawn prefix cut off")]
    [InlineData("0000 0000 21 0a000000 00", "NLRI prefix length 33")]
    [InlineData("0000 0000 18 0a00", "NLRI prefix cut off")]
    public void Unparseable_fields_reset_the_session(string body, string why)
    {
        _ = why;
        var ex = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(Hex.Message(BgpMessageType.Update, body), As4));
        Assert.Equal(BgpErrorCode.UpdateMessageError, ex.Error.Code);
        Assert.Equal(ErrorAction.SessionReset, ex.Error.Action);
    }

    [Theory]
    [InlineData("40 05 03 000064 ")]
    [InlineData("40 05 04 00000064 ")]
    [InlineData("c0 05 04 00000064 ")]
    public void Local_pref_from_an_external_peer_is_disregarded_not_judged(string localPref)
    {
        // RFC 7606 section 7.5: only an internal peer's LOCAL_PREF can be malformed (treat-as-withdraw).
        var external = new BgpDecodeContext { FourOctetAs = true, ExternalPeer = true };
        var bytes = Hex.Update("", Mandatory + localPref, Nlri);
        var update = (UpdateMessage)BgpMessage.Decode(bytes, external);
        Assert.Equal(ErrorAction.None, update.Action);
        Assert.Null(update.Attributes!.LocalPref);
        Assert.Single(update.Nlri);
        Assert.Equal(ErrorAction.None, UpdateReader.ReadMessage(bytes, external).Action);
        Assert.Equal(ErrorAction.None, UpdateReader.ReadMessage(bytes, external.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Send)).Action);
    }

    [Fact]
    public void Negotiated_context_is_external_when_the_ases_differ()
    {
        var ours = new OpenMessage(65001, 90, 1, [new FourOctetAsCapability(65001)]);
        Assert.True(BgpDecodeContext.Negotiate(ours, new OpenMessage(65002, 90, 2, [new FourOctetAsCapability(65002)])).ExternalPeer);
        Assert.False(BgpDecodeContext.Negotiate(ours, new OpenMessage(65001, 90, 2, [new FourOctetAsCapability(65001)])).ExternalPeer);
    }

    [Fact]
    public void Two_octet_aggregator_length_follows_the_session()
    {
        var bytes = Hex.Update("", "40 01 01 00 40 02 00 40 03 04 c0000201 c0 07 06 fde8 c0000201", Nlri);
        Assert.Equal(ErrorAction.None, ((UpdateMessage)BgpMessage.Decode(bytes)).Action);
        Assert.Equal(ErrorAction.AttributeDiscard, ((UpdateMessage)BgpMessage.Decode(bytes, As4)).Action);
    }

    [Fact]
    public void Truncations_and_garbage_raise_only_the_typed_error()
    {
        var seeds = new[]
        {
            Hex.Parse(Messages.UpdateMessageTests.FullUpdate),
            Hex.Parse(Messages.OpenMessageTests.FullOpen),
            Hex.Update("", "80 0e 33 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 20 20010db8 40 20010db800010000 40 01 01 00 40 02 00", ""),
        };
        var random = new Random(1234);
        var context = As4.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both);
        foreach (var seed in seeds)
        {
            for (var cut = 0; cut <= seed.Length; cut++)
            {
                DecodeExpectingOnlyTypedErrors(seed.AsSpan(0, cut).ToArray(), As4);
            }
            for (var i = 0; i < 3000; i++)
            {
                var mutated = (byte[])seed.Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    mutated[random.Next(19, mutated.Length)] = (byte)random.Next(256);
                }
                DecodeExpectingOnlyTypedErrors(mutated, i % 2 == 0 ? As4 : context);
                DecodeExpectingOnlyTypedErrors(mutated, BgpDecodeContext.Default);
            }
        }
    }

    private static void DecodeExpectingOnlyTypedErrors(byte[] bytes, BgpDecodeContext context)
    {
        try
        {
            var message = BgpMessage.Decode(bytes, context);
            // Whatever decodes must encode again and decode to the same thing.
            if (message is UpdateMessage { Action: ErrorAction.None } update)
            {
                var again = (UpdateMessage)BgpMessage.Decode(update.ToArray(context), context);
                Assert.Equal(update.Attributes, again.Attributes);
                Assert.Equal(update.Nlri, again.Nlri);
            }
            else
            {
                message.GetEncodedLength(context);
            }
        }
        catch (BgpWireException)
        {
        }
        try
        {
            if (bytes.Length >= 19 && bytes[18] == 2)
            {
                var reader = UpdateReader.ReadMessage(bytes, context);
                foreach (var n in reader.Nlri)
                {
                    _ = n;
                }
                foreach (var a in reader.Attributes)
                {
                    _ = a;
                }
            }
        }
        catch (BgpWireException)
        {
        }
    }
}
