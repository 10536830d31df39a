namespace BgpKit.Bgp.Wire;

/// <summary>Which way ADD-PATH path identifiers flow for an AFI/SAFI (RFC 7911 section 4).</summary>
[Flags]
public enum AddPathDirection : byte
{
    /// <summary>No path identifiers.</summary>
    None = 0,

    /// <summary>Received UPDATEs carry path identifiers.</summary>
    Receive = 1,

    /// <summary>Sent UPDATEs carry path identifiers.</summary>
    Send = 2,

    /// <summary>Both directions.</summary>
    Both = Receive | Send,
}

/// <summary>
/// What a session negotiated that changes the wire format: 4-octet AS numbers (RFC 6793), ADD-PATH per
/// AFI/SAFI (RFC 7911) and extended messages (RFC 8654). Decoders read received data with it; encoders
/// write data to send with it. Immutable; <see cref="Default"/> is a plain RFC 4271 session.
/// </summary>
public sealed partial class BgpDecodeContext
{
    private readonly AddPathDirection _ipv4Unicast;
    private readonly AddPathDirection _ipv6Unicast;
    private readonly KeyValuePair<AfiSafi, AddPathDirection>[] _others = [];

    /// <summary>2-octet AS, no ADD-PATH, 4096-octet messages.</summary>
    public static BgpDecodeContext Default { get; } = new();

    /// <summary>4-octet AS, no ADD-PATH, 4096-octet messages: what every modern peer negotiates.</summary>
    public static BgpDecodeContext FourOctetAsDefault { get; } = new() { FourOctetAs = true };

    /// <summary>AS numbers in AS_PATH and AGGREGATOR are 4 octets (both sides advertised RFC 6793 support).</summary>
    public bool FourOctetAs { get; init; }

    /// <summary>Messages other than OPEN and KEEPALIVE may be 65535 octets (RFC 8654).</summary>
    public bool ExtendedMessage { get; init; }

    /// <summary>
    /// True when the peer is in another AS (eBGP): LOCAL_PREF from it is disregarded, whatever it holds, not judged
    /// (RFC 7606 section 7.5, RFC 4271 section 5.1.5).
    /// </summary>
    public bool ExternalPeer { get; init; }

    /// <summary>4096, or 65535 with <see cref="ExtendedMessage"/>.</summary>
    public int MaxMessageLength => ExtendedMessage ? BgpMessageHeader.ExtendedMaxLength : BgpMessageHeader.MaxLength;

    /// <summary>The ADD-PATH directions of an AFI/SAFI.</summary>
    public AddPathDirection AddPath(AfiSafi afiSafi)
    {
        if (afiSafi == AfiSafi.IPv4Unicast)
        {
            return _ipv4Unicast;
        }
        if (afiSafi == AfiSafi.IPv6Unicast)
        {
            return _ipv6Unicast;
        }
        foreach (var (key, value) in _others)
        {
            if (key == afiSafi)
            {
                return value;
            }
        }
        return AddPathDirection.None;
    }

    /// <summary>True when received NLRI of this AFI/SAFI carry path identifiers.</summary>
    public bool ReceivesPathIds(AfiSafi afiSafi) => (AddPath(afiSafi) & AddPathDirection.Receive) != 0;

    /// <summary>True when sent NLRI of this AFI/SAFI carry path identifiers.</summary>
    public bool SendsPathIds(AfiSafi afiSafi) => (AddPath(afiSafi) & AddPathDirection.Send) != 0;

    /// <summary>A copy with the ADD-PATH directions of one AFI/SAFI replaced.</summary>
    public BgpDecodeContext WithAddPath(AfiSafi afiSafi, AddPathDirection direction)
    {
        if (afiSafi == AfiSafi.IPv4Unicast)
        {
            return new BgpDecodeContext(direction, _ipv6Unicast, _others, FourOctetAs, ExtendedMessage) { ExternalPeer = ExternalPeer };
        }
        if (afiSafi == AfiSafi.IPv6Unicast)
        {
            return new BgpDecodeContext(_ipv4Unicast, direction, _others, FourOctetAs, ExtendedMessage) { ExternalPeer = ExternalPeer };
        }
        var others = new List<KeyValuePair<AfiSafi, AddPathDirection>>(_others.Length + 1);
        foreach (var pair in _others)
        {
            if (pair.Key != afiSafi)
            {
                others.Add(pair);
            }
        }
        if (direction != AddPathDirection.None)
        {
            others.Add(new(afiSafi, direction));
        }
        return new BgpDecodeContext(_ipv4Unicast, _ipv6Unicast, [.. others], FourOctetAs, ExtendedMessage) { ExternalPeer = ExternalPeer };
    }

    /// <summary>Creates the plain context; set properties with an object initializer.</summary>
    public BgpDecodeContext()
    {
    }

    private BgpDecodeContext(AddPathDirection v4, AddPathDirection v6, KeyValuePair<AfiSafi, AddPathDirection>[] others, bool fourOctetAs, bool extended)
    {
        _ipv4Unicast = v4;
        _ipv6Unicast = v6;
        _others = others;
        FourOctetAs = fourOctetAs;
        ExtendedMessage = extended;
    }

    /// <summary>A short description for logs.</summary>
    public override string ToString() =>
        $"as4={FourOctetAs} extended={ExtendedMessage} addpath(v4={_ipv4Unicast}, v6={_ipv6Unicast}, others={_others.Length})";
}
