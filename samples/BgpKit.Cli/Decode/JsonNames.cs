using System.Text.Json;

namespace BgpKit.Cli.Decode;

/// <summary>The JSON field names of <c>bgpkit decode</c> (a contract: see the decode command's help), encoded once.</summary>
internal static class JsonNames
{
    public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    public static readonly JsonEncodedText Bgp = JsonEncodedText.Encode("bgp");
    public static readonly JsonEncodedText Bfd = JsonEncodedText.Encode("bfd");
    public static readonly JsonEncodedText Mrt = JsonEncodedText.Encode("mrt");
    public static readonly JsonEncodedText Src = JsonEncodedText.Encode("src");
    public static readonly JsonEncodedText Dst = JsonEncodedText.Encode("dst");
    public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    public static readonly JsonEncodedText Subtype = JsonEncodedText.Encode("subtype");
    public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
    public static readonly JsonEncodedText Microseconds = JsonEncodedText.Encode("microseconds");
    public static readonly JsonEncodedText Prefix = JsonEncodedText.Encode("prefix");
    public static readonly JsonEncodedText PathId = JsonEncodedText.Encode("pathId");
    public static readonly JsonEncodedText Entries = JsonEncodedText.Encode("entries");
    public static readonly JsonEncodedText Peer = JsonEncodedText.Encode("peer");
    public static readonly JsonEncodedText PeerAsn = JsonEncodedText.Encode("peerAsn");
    public static readonly JsonEncodedText LocalAddress = JsonEncodedText.Encode("localAddress");
    public static readonly JsonEncodedText LocalAsn = JsonEncodedText.Encode("localAsn");
    public static readonly JsonEncodedText Originated = JsonEncodedText.Encode("originated");
    public static readonly JsonEncodedText Attributes = JsonEncodedText.Encode("attributes");
    public static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    public static readonly JsonEncodedText OldState = JsonEncodedText.Encode("oldState");
    public static readonly JsonEncodedText NewState = JsonEncodedText.Encode("newState");
    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    public static readonly JsonEncodedText Subcode = JsonEncodedText.Encode("subcode");
    public static readonly JsonEncodedText Action = JsonEncodedText.Encode("action");
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    public static readonly JsonEncodedText Length = JsonEncodedText.Encode("length");
    public static readonly JsonEncodedText Hex = JsonEncodedText.Encode("hex");
    public static readonly JsonEncodedText CollectorBgpId = JsonEncodedText.Encode("collectorBgpId");
    public static readonly JsonEncodedText ViewName = JsonEncodedText.Encode("viewName");
    public static readonly JsonEncodedText Peers = JsonEncodedText.Encode("peers");
    public static readonly JsonEncodedText BgpId = JsonEncodedText.Encode("bgpId");
    public static readonly JsonEncodedText Address = JsonEncodedText.Encode("address");
    public static readonly JsonEncodedText Asn = JsonEncodedText.Encode("asn");
    public static readonly JsonEncodedText Afi = JsonEncodedText.Encode("afi");
    public static readonly JsonEncodedText Safi = JsonEncodedText.Encode("safi");
}
