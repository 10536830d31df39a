using System.Globalization;
using System.Net;

namespace BgpKit.MetalLb.Kubernetes.Reconcile;

/// <summary>A BGP large community (RFC 8092): global administrator and two local data parts.</summary>
internal readonly record struct LargeCommunity(uint GlobalAdministrator, uint LocalData1, uint LocalData2)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{GlobalAdministrator}:{LocalData1}:{LocalData2}");
}

/// <summary>
/// One route to send on one session: the prefix with the attributes MetalLB controls. The attribute
/// lists are kept sorted and compared by value, so a re-read of the same manifests is no change.
/// </summary>
internal sealed record RouteIntent
{
    public RouteIntent(string peer, IPNetwork prefix, uint? localPref, IEnumerable<uint> communities, IEnumerable<LargeCommunity> largeCommunities)
    {
        Peer = peer;
        Prefix = prefix;
        LocalPref = localPref;
        Communities = communities.Distinct().Order().ToArray();
        LargeCommunities = largeCommunities.Distinct()
            .OrderBy(c => c.GlobalAdministrator).ThenBy(c => c.LocalData1).ThenBy(c => c.LocalData2).ToArray();
    }

    public string Peer { get; }
    public IPNetwork Prefix { get; }

    /// <summary>LOCAL_PREF, sent only on iBGP sessions.</summary>
    public uint? LocalPref { get; }

    /// <summary>Standard communities (RFC 1997) as 32-bit values.</summary>
    public IReadOnlyList<uint> Communities { get; }

    public IReadOnlyList<LargeCommunity> LargeCommunities { get; }

    public RouteKey Key => new(Peer, Prefix);

    public bool Equals(RouteIntent? other) =>
        other is not null && Peer == other.Peer && Prefix.Equals(other.Prefix) && LocalPref == other.LocalPref
        && Communities.SequenceEqual(other.Communities) && LargeCommunities.SequenceEqual(other.LargeCommunities);

    public override int GetHashCode() => HashCode.Combine(Peer, Prefix, LocalPref, Communities.Count, LargeCommunities.Count);

    /// <summary>A standard community as FRR prints it: a well-known name, or <c>high:low</c>.</summary>
    public static string FormatCommunity(uint value) => value switch
    {
        0xFFFFFF01 => "no-export",
        0xFFFFFF02 => "no-advertise",
        0xFFFFFF03 => "no-export-subconfed",
        0xFFFFFF04 => "no-peer",
        0xFFFF029A => "blackhole",
        0xFFFF0000 => "graceful-shutdown",
        _ => string.Create(CultureInfo.InvariantCulture, $"{value >> 16}:{value & 0xFFFF}"),
    };
}
