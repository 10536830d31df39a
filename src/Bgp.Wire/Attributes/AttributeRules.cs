using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>
/// Checks one path attribute against its RFC and classifies a malformation per RFC 7606 section 7, without
/// allocating. Returns <see cref="ErrorAction.None"/> for a good attribute and for unknown optional ones.
/// </summary>
internal static class AttributeRules
{
    private const byte WellKnown = 0x40;
    private const byte OptionalTransitive = 0xC0;
    private const byte OptionalNonTransitive = 0x80;

    public static ErrorAction Check(byte flags, byte type, ReadOnlySpan<byte> value, BgpDecodeContext context, out UpdateMessageErrorSubcode subcode)
    {
        subcode = UpdateMessageErrorSubcode.Unspecific;
        if (type == (byte)PathAttributeType.LocalPref && context.ExternalPeer)
        {
            // RFC 7606 section 7.5: LOCAL_PREF from an external peer is disregarded, so it cannot be malformed.
            return ErrorAction.None;
        }
        var (expected, action) = Expectation(type);
        if (expected == 0)
        {
            // RFC 4271 section 6.3: an unrecognised well-known attribute resets the session.
            if ((flags & 0x80) == 0)
            {
                subcode = UpdateMessageErrorSubcode.UnrecognizedWellKnownAttribute;
                return ErrorAction.SessionReset;
            }
            return ErrorAction.None;
        }
        // RFC 7606 section 3 (c): Optional/Transitive bits in conflict with the type: malformed, handled as the
        // attribute's own malformations are.
        if ((flags & 0xC0) != expected)
        {
            subcode = UpdateMessageErrorSubcode.AttributeFlagsError;
            return type is 14 or 15 ? MpAction(value) : action;
        }
        var ok = (PathAttributeType)type switch
        {
            PathAttributeType.Origin => CheckOrigin(value, ref subcode),
            PathAttributeType.AsPath => CheckPath(value, context.FourOctetAs ? 4 : 2, ref subcode),
            PathAttributeType.As4Path => CheckPath(value, 4, ref subcode),
            PathAttributeType.NextHop or PathAttributeType.MultiExitDisc or PathAttributeType.LocalPref
                or PathAttributeType.OriginatorId or PathAttributeType.OnlyToCustomer => Length(value.Length == 4, ref subcode),
            PathAttributeType.AtomicAggregate => Length(value.IsEmpty, ref subcode),
            PathAttributeType.Aggregator => Length(value.Length == (context.FourOctetAs ? 8 : 6), ref subcode),
            PathAttributeType.As4Aggregator => Length(value.Length == 8, ref subcode),
            PathAttributeType.Communities or PathAttributeType.ClusterList => Length(value.Length > 0 && value.Length % 4 == 0, ref subcode),
            PathAttributeType.ExtendedCommunities => Length(value.Length % 8 == 0, ref subcode),
            PathAttributeType.LargeCommunities => Length(value.Length > 0 && value.Length % 12 == 0, ref subcode),
            PathAttributeType.MpReachNlri => CheckMpReach(value, context, ref subcode),
            PathAttributeType.MpUnreachNlri => CheckMpUnreach(value, context, ref subcode),
            _ => true,
        };
        if (ok)
        {
            return ErrorAction.None;
        }
        return type is 14 or 15 ? MpAction(value) : action;
    }

    // RFC 7606 section 7.11 and 5.3: MP NLRI that cannot be parsed disables the AFI/SAFI when it can be read.
    private static ErrorAction MpAction(ReadOnlySpan<byte> value) => value.Length >= 3 ? ErrorAction.AfiSafiDisable : ErrorAction.SessionReset;

    /// <summary>Expected Optional/Transitive bits and the RFC 7606 action for a malformed instance; (0, _) for unknown types.</summary>
    private static (byte Flags, ErrorAction Action) Expectation(byte type) => (PathAttributeType)type switch
    {
        PathAttributeType.Origin or PathAttributeType.AsPath or PathAttributeType.NextHop => (WellKnown, ErrorAction.TreatAsWithdraw),
        PathAttributeType.LocalPref => (WellKnown, ErrorAction.TreatAsWithdraw),
        PathAttributeType.AtomicAggregate => (WellKnown, ErrorAction.AttributeDiscard),
        PathAttributeType.MultiExitDisc or PathAttributeType.OriginatorId or PathAttributeType.ClusterList => (OptionalNonTransitive, ErrorAction.TreatAsWithdraw),
        PathAttributeType.MpReachNlri or PathAttributeType.MpUnreachNlri => (OptionalNonTransitive, ErrorAction.AfiSafiDisable),
        PathAttributeType.Aggregator or PathAttributeType.As4Aggregator or PathAttributeType.As4Path => (OptionalTransitive, ErrorAction.AttributeDiscard),
        PathAttributeType.Communities or PathAttributeType.ExtendedCommunities or PathAttributeType.LargeCommunities
            or PathAttributeType.OnlyToCustomer => (OptionalTransitive, ErrorAction.TreatAsWithdraw),
        _ => (0, ErrorAction.None),
    };

    private static bool Length(bool ok, ref UpdateMessageErrorSubcode subcode)
    {
        if (!ok)
        {
            subcode = UpdateMessageErrorSubcode.AttributeLengthError;
        }
        return ok;
    }

    private static bool CheckOrigin(ReadOnlySpan<byte> value, ref UpdateMessageErrorSubcode subcode)
    {
        if (value.Length != 1)
        {
            subcode = UpdateMessageErrorSubcode.AttributeLengthError;
            return false;
        }
        if (value[0] > 2)
        {
            subcode = UpdateMessageErrorSubcode.InvalidOriginAttribute;
            return false;
        }
        return true;
    }

    private static bool CheckPath(ReadOnlySpan<byte> value, int asnSize, ref UpdateMessageErrorSubcode subcode)
    {
        if (AsPath.IsWellFormed(value, asnSize))
        {
            return true;
        }
        subcode = UpdateMessageErrorSubcode.MalformedAsPath;
        return false;
    }

    private static bool CheckMpReach(ReadOnlySpan<byte> value, BgpDecodeContext context, ref UpdateMessageErrorSubcode subcode)
    {
        subcode = UpdateMessageErrorSubcode.OptionalAttributeError;
        if (value.Length < 5)
        {
            return false;
        }
        var afiSafi = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(value), (Safi)value[2]);
        int nextHopLength = value[3];
        if (value.Length < 5 + nextHopLength)
        {
            return false;
        }
        if (!MpReachNlri.IsUnicast(afiSafi))
        {
            return true;
        }
        // IPv4 unicast: 4 octets, or 16/32 with RFC 8950; IPv6 unicast: 16, or 32 with a link-local address.
        var nextHopOk = nextHopLength is 16 or 32 || nextHopLength == 4 && afiSafi.Afi == Afi.IPv4;
        return nextHopOk && NlriCodec.TryValidate(value[(5 + nextHopLength)..], afiSafi.Afi == Afi.IPv6, context.ReceivesPathIds(afiSafi), out _);
    }

    private static bool CheckMpUnreach(ReadOnlySpan<byte> value, BgpDecodeContext context, ref UpdateMessageErrorSubcode subcode)
    {
        subcode = UpdateMessageErrorSubcode.OptionalAttributeError;
        if (value.Length < 3)
        {
            return false;
        }
        var afiSafi = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(value), (Safi)value[2]);
        return !MpReachNlri.IsUnicast(afiSafi) || NlriCodec.TryValidate(value[3..], afiSafi.Afi == Afi.IPv6, context.ReceivesPathIds(afiSafi), out _);
    }
}
