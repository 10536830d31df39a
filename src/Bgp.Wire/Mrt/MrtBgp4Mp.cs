using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Mrt;

//  BGP4MP_MESSAGE / _AS4 / _LOCAL / _ADDPATH and STATE_CHANGE / _AS4 (RFC 6396 4.4, RFC 8050 3):
//  +-----------------------------+-----------------------------+
//  | Peer AS (2 or 4)            | Local AS (2 or 4)           |
//  +-----------------------------+-----------------------------+
//  | Interface Index (2)         | Address Family (2)          |
//  +-----------------------------+-----------------------------+
//  | Peer IP (4 or 16)           | Local IP (4 or 16)          |
//  +-----------------------------+-----------------------------+
//  | MESSAGE: the whole BGP message, marker included           |
//  | STATE_CHANGE: Old State (2) | New State (2)               |
//
//  Deprecated BGP type (RFC 6396 B.2.1), 2-octet AS and IPv4 only:
//  Peer AS (2) | Peer IP (4) | Local AS (2) | Local IP (4) | message body without the BGP header
//  (STATE_CHANGE: Peer AS (2) | Peer IP (4) | Old State (2) | New State (2)).

/// <summary>What a BGP4MP (or deprecated BGP) record carries.</summary>
public enum Bgp4MpKind
{
    /// <summary>A BGP message.</summary>
    Message,
    /// <summary>An FSM state change.</summary>
    StateChange,
}

/// <summary>A BGP4MP, BGP4MP_ET or deprecated BGP record: a peer, and a BGP message or a state change.</summary>
public readonly ref struct MrtBgp4Mp
{
    /// <summary>Message or state change.</summary>
    public Bgp4MpKind Kind { get; private init; }

    /// <summary>The peer's AS.</summary>
    public uint PeerAsn { get; private init; }

    /// <summary>The collector's (local) AS.</summary>
    public uint LocalAsn { get; private init; }

    /// <summary>The interface index.</summary>
    public ushort InterfaceIndex { get; private init; }

    /// <summary>Address family of the addresses (1 IPv4, 2 IPv6).</summary>
    public ushort Afi { get; private init; }

    /// <summary>The peer's address.</summary>
    public ReadOnlySpan<byte> PeerAddress { get; private init; }

    /// <summary>The collector's address (empty for deprecated state changes).</summary>
    public ReadOnlySpan<byte> LocalAddress { get; private init; }

    /// <summary>True when the AS numbers, and the AS_PATH in the message, use 4 octets.</summary>
    public bool FourOctetAs { get; private init; }

    /// <summary>True when the message's NLRI carry ADD-PATH path identifiers (RFC 8050).</summary>
    public bool AddPath { get; private init; }

    /// <summary>True when the collector sent the message rather than received it (the _LOCAL subtypes).</summary>
    public bool Local { get; private init; }

    /// <summary>The whole BGP message, header included (for the deprecated BGP type: see <see cref="BodyOnlyType"/>).</summary>
    public ReadOnlySpan<byte> Message { get; private init; }

    /// <summary>
    /// For the deprecated BGP type, the BGP message type whose body alone <see cref="Message"/> holds; 0 when
    /// <see cref="Message"/> is a whole message.
    /// </summary>
    public byte BodyOnlyType { get; private init; }

    /// <summary>The state before the change (RFC 6396 4.4.1: 1 Idle .. 6 Established).</summary>
    public ushort OldState { get; private init; }

    /// <summary>The state after the change.</summary>
    public ushort NewState { get; private init; }

    /// <summary>Decodes a BGP4MP or BGP4MP_ET body (the microsecond field already removed).</summary>
    public static bool TryDecode(ushort subtype, ReadOnlySpan<byte> body, out MrtBgp4Mp record, out string? problem)
    {
        record = default;
        problem = null;
        bool isState, as4, addPath = false, local = false;
        switch ((Bgp4MpSubtype)subtype)
        {
            case Bgp4MpSubtype.StateChange: (isState, as4) = (true, false); break;
            case Bgp4MpSubtype.StateChangeAs4: (isState, as4) = (true, true); break;
            case Bgp4MpSubtype.Message: (isState, as4) = (false, false); break;
            case Bgp4MpSubtype.MessageAs4: (isState, as4) = (false, true); break;
            case Bgp4MpSubtype.MessageLocal: (isState, as4, local) = (false, false, true); break;
            case Bgp4MpSubtype.MessageAs4Local: (isState, as4, local) = (false, true, true); break;
            case Bgp4MpSubtype.MessageAddPath: (isState, as4, addPath) = (false, false, true); break;
            case Bgp4MpSubtype.MessageAs4AddPath: (isState, as4, addPath) = (false, true, true); break;
            case Bgp4MpSubtype.MessageLocalAddPath: (isState, as4, addPath, local) = (false, false, true, true); break;
            case Bgp4MpSubtype.MessageAs4LocalAddPath: (isState, as4, addPath, local) = (false, true, true, true); break;
            default:
                problem = $"BGP4MP subtype {subtype} is not supported";
                return false;
        }
        var asLength = as4 ? 4 : 2;
        if (body.Length < 2 * asLength + 4)
        {
            problem = "BGP4MP record shorter than its AS numbers and address family";
            return false;
        }
        var peerAsn = as4 ? BinaryPrimitives.ReadUInt32BigEndian(body) : BinaryPrimitives.ReadUInt16BigEndian(body);
        var localAsn = as4 ? BinaryPrimitives.ReadUInt32BigEndian(body[4..]) : BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        var ifIndex = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * asLength)..]);
        var afi = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * asLength + 2)..]);
        var addressLength = afi switch { 1 => 4, 2 => 16, _ => 0 };
        if (addressLength == 0)
        {
            problem = $"BGP4MP address family {afi} is not IPv4 or IPv6";
            return false;
        }
        var at = 2 * asLength + 4;
        if (body.Length < at + 2 * addressLength)
        {
            problem = "BGP4MP record ends inside its addresses";
            return false;
        }
        var rest = body[(at + 2 * addressLength)..];
        ushort oldState = 0, newState = 0;
        if (isState)
        {
            if (rest.Length < 4)
            {
                problem = "BGP4MP state change ends before its states";
                return false;
            }
            oldState = BinaryPrimitives.ReadUInt16BigEndian(rest);
            newState = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
        }
        record = new MrtBgp4Mp
        {
            Kind = isState ? Bgp4MpKind.StateChange : Bgp4MpKind.Message,
            PeerAsn = peerAsn,
            LocalAsn = localAsn,
            InterfaceIndex = ifIndex,
            Afi = afi,
            PeerAddress = body.Slice(at, addressLength),
            LocalAddress = body.Slice(at + addressLength, addressLength),
            FourOctetAs = as4,
            AddPath = addPath,
            Local = local,
            Message = isState ? default : rest,
            OldState = oldState,
            NewState = newState,
        };
        return true;
    }

    /// <summary>Decodes a record of the deprecated BGP type (RFC 6396 B.2.1).</summary>
    public static bool TryDecodeDeprecated(ushort subtype, ReadOnlySpan<byte> body, out MrtBgp4Mp record, out string? problem)
    {
        record = default;
        problem = null;
        if ((MrtBgpSubtype)subtype == MrtBgpSubtype.StateChange)
        {
            if (body.Length < 10)
            {
                problem = "BGP state change shorter than its fields";
                return false;
            }
            record = new MrtBgp4Mp
            {
                Kind = Bgp4MpKind.StateChange,
                PeerAsn = BinaryPrimitives.ReadUInt16BigEndian(body),
                Afi = 1,
                PeerAddress = body.Slice(2, 4),
                OldState = BinaryPrimitives.ReadUInt16BigEndian(body[6..]),
                NewState = BinaryPrimitives.ReadUInt16BigEndian(body[8..]),
            };
            return true;
        }
        byte messageType = (MrtBgpSubtype)subtype switch
        {
            MrtBgpSubtype.Open => 1,
            MrtBgpSubtype.Update => 2,
            MrtBgpSubtype.Notify => 3,
            MrtBgpSubtype.Keepalive => 4,
            _ => 0,
        };
        if (messageType == 0)
        {
            problem = $"BGP subtype {subtype} is not supported";
            return false;
        }
        if (body.Length < 12)
        {
            problem = "BGP record shorter than its peer and local fields";
            return false;
        }
        record = new MrtBgp4Mp
        {
            Kind = Bgp4MpKind.Message,
            PeerAsn = BinaryPrimitives.ReadUInt16BigEndian(body),
            PeerAddress = body.Slice(2, 4),
            LocalAsn = BinaryPrimitives.ReadUInt16BigEndian(body[6..]),
            LocalAddress = body.Slice(8, 4),
            Afi = 1,
            Message = body[12..],
            BodyOnlyType = messageType,
        };
        return true;
    }
}
