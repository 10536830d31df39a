namespace BgpKit.Bgp.Wire;

public sealed partial class BgpDecodeContext
{
    /// <summary>
    /// The context both OPENs establish: 4-octet AS when both sides carry the capability (RFC 6793 section 4),
    /// extended messages when both advertise them (RFC 8654 section 3), eBGP when the ASes differ, and per AFI/SAFI ADD-PATH receive when
    /// we can receive and the peer can send, send when we can send and the peer can receive (RFC 7911 section 5).
    /// </summary>
    /// <param name="sent">The OPEN this speaker sent.</param>
    /// <param name="received">The OPEN the peer sent.</param>
    public static BgpDecodeContext Negotiate(OpenMessage sent, OpenMessage received)
    {
        ArgumentNullException.ThrowIfNull(sent);
        ArgumentNullException.ThrowIfNull(received);
        var context = new BgpDecodeContext
        {
            FourOctetAs = sent.HasCapability(CapabilityCode.FourOctetAs) && received.HasCapability(CapabilityCode.FourOctetAs),
            ExtendedMessage = sent.HasCapability(CapabilityCode.ExtendedMessage) && received.HasCapability(CapabilityCode.ExtendedMessage),
            ExternalPeer = sent.Asn != received.Asn,
        };
        var ours = sent.GetCapability<AddPathCapability>();
        var theirs = received.GetCapability<AddPathCapability>();
        if (ours is null || theirs is null)
        {
            return context;
        }
        foreach (var mine in ours.Families)
        {
            foreach (var peer in theirs.Families)
            {
                if (peer.AfiSafi != mine.AfiSafi)
                {
                    continue;
                }
                var direction = AddPathDirection.None;
                if ((mine.Direction & AddPathDirection.Receive) != 0 && (peer.Direction & AddPathDirection.Send) != 0)
                {
                    direction |= AddPathDirection.Receive;
                }
                if ((mine.Direction & AddPathDirection.Send) != 0 && (peer.Direction & AddPathDirection.Receive) != 0)
                {
                    direction |= AddPathDirection.Send;
                }
                context = context.WithAddPath(mine.AfiSafi, direction);
            }
        }
        return context;
    }
}
