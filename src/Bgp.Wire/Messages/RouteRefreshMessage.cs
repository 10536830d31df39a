using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>ROUTE-REFRESH message subtypes (RFC 7313 section 3.2).</summary>
public enum RouteRefreshSubtype : byte
{
    /// <summary>Normal route refresh request (RFC 2918).</summary>
    Request = 0,

    /// <summary>Demarcation of the beginning of a route refresh (BoRR).</summary>
    BeginningOfRouteRefresh = 1,

    /// <summary>Demarcation of the ending of a route refresh (EoRR).</summary>
    EndOfRouteRefresh = 2,
}

/// <summary>ROUTE-REFRESH (RFC 2918) with the enhanced route refresh subtypes (RFC 7313).</summary>
/// <remarks>
/// <code>
///  0       7      15      23      31
/// +-------+-------+-------+-------+
/// |      AFI      | Subtype| SAFI |
/// +-------+-------+-------+-------+
/// </code>
/// </remarks>
public sealed class RouteRefreshMessage : BgpMessage
{
    /// <summary>A ROUTE-REFRESH for an AFI/SAFI.</summary>
    public RouteRefreshMessage(AfiSafi afiSafi, RouteRefreshSubtype subtype = RouteRefreshSubtype.Request)
    {
        AfiSafi = afiSafi;
        Subtype = subtype;
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.RouteRefresh;

    /// <summary>The address family to refresh.</summary>
    public AfiSafi AfiSafi { get; }

    /// <summary>The subtype (the reserved octet of RFC 2918); values 3..254 are kept but ignored by receivers (RFC 7313 section 5).</summary>
    public RouteRefreshSubtype Subtype { get; }

    internal static RouteRefreshMessage DecodeBody(ReadOnlySpan<byte> body)
    {
        // RFC 7313 section 5: a ROUTE-REFRESH whose length is not 23 is a ROUTE-REFRESH Message Error
        // carrying the whole message.
        if (body.Length != 4)
        {
            var message = new byte[19 + body.Length];
            BgpMessageHeader.Write(message, message.Length, BgpMessageType.RouteRefresh);
            body.CopyTo(message.AsSpan(19));
            throw new BgpWireException(new BgpError(BgpErrorCode.RouteRefreshMessageError, (byte)RouteRefreshMessageErrorSubcode.InvalidMessageLength, message, ErrorAction.SessionReset, $"ROUTE-REFRESH body of {body.Length} octets") { Offset = 0 });
        }
        return new RouteRefreshMessage(new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(body), (Safi)body[3]), (RouteRefreshSubtype)body[2]);
    }

    private protected override int GetBodyLength(BgpDecodeContext context) => 4;

    private protected override void WriteBody(Span<byte> body, BgpDecodeContext context)
    {
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)AfiSafi.Afi);
        body[2] = (byte)Subtype;
        body[3] = (byte)AfiSafi.Safi;
    }

    /// <summary>"ROUTE-REFRESH IPv4/Unicast Request".</summary>
    public override string ToString() => $"ROUTE-REFRESH {AfiSafi} {Subtype}";
}
