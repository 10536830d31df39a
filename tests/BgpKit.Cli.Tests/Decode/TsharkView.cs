using System.Text.Json;

namespace BgpKit.BgpKit.Cli.Tests.Decode;

/// <summary>
/// What a file's BGP messages say, reduced to what both tshark and we print the same way: multisets
/// of message types, prefixes, AS numbers of AS paths, communities, next hops and NOTIFICATION codes.
/// </summary>
internal sealed class TsharkView
{
    private readonly Dictionary<string, List<string>> _facts = new();
    private bool _sawAs4Path;

    private void Add(string kind, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (!_facts.TryGetValue(kind, out var list))
        {
            _facts[kind] = list = [];
        }
        list.Add(value);
    }

    private static readonly string[] TypeNames = ["?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"];

    public static TsharkView FromEk(string ek)
    {
        var view = new TsharkView();
        foreach (var line in ek.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (!document.RootElement.TryGetProperty("layers", out var layers) || !layers.TryGetProperty("bgp", out var bgp))
            {
                continue;
            }
            var messages = bgp.ValueKind == JsonValueKind.Array ? bgp.EnumerateArray().ToList() : [bgp];
            foreach (var message in messages)
            {
                view.AddTshark(message);
            }
        }
        return view;
    }

    private static IEnumerable<string> Values(JsonElement message, string key)
    {
        if (!message.TryGetProperty(key, out var value))
        {
            yield break;
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    yield return item.GetString()!;
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            yield return value.GetString()!;
        }
    }

    private void AddTshark(JsonElement message)
    {
        var type = Values(message, "bgp_bgp_type").FirstOrDefault();
        if (type is null || !int.TryParse(type, out var t))
        {
            return;
        }
        Add("type", t is >= 1 and <= 5 ? TypeNames[t] : "type" + t);
        // Families other than unicast/multicast are carried raw by the codec (the issue's contract), so
        // what tshark decodes inside them (VPN, labelled, EVPN, flowspec) is not compared.
        var reachUnicast = Values(message, "bgp_bgp_update_path_attribute_mp_reach_nlri_safi").All(s => s is "1" or "2");
        var unreachUnicast = Values(message, "bgp_bgp_update_path_attribute_mp_unreach_nlri_safi").All(s => s is "1" or "2");
        foreach (var prefix in Values(message, "bgp_bgp_nlri_prefix"))
        {
            Add("announced", prefix);
        }
        if (reachUnicast)
        {
            foreach (var prefix in Values(message, "bgp_bgp_mp_reach_nlri_ipv4_prefix").Concat(Values(message, "bgp_bgp_mp_reach_nlri_ipv6_prefix")))
            {
                Add("announced", prefix);
            }
        }
        foreach (var prefix in Values(message, "bgp_bgp_withdrawn_prefix"))
        {
            Add("withdrawn", prefix);
        }
        if (unreachUnicast)
        {
            foreach (var prefix in Values(message, "bgp_bgp_mp_unreach_nlri_ipv4_prefix").Concat(Values(message, "bgp_bgp_mp_unreach_nlri_ipv6_prefix")))
            {
                Add("withdrawn", prefix);
            }
        }
        // AS4_PATH is reconciled into our AS path; tshark shows the two separately, so such paths are not compared.
        var hasAs4Path = Values(message, "bgp_bgp_update_path_attribute_type_code").Contains("17");
        _sawAs4Path |= hasAs4Path;
        if (!hasAs4Path)
        {
            foreach (var asn in Values(message, "bgp_bgp_update_path_attribute_as_path_segment_as2").Concat(Values(message, "bgp_bgp_update_path_attribute_as_path_segment_as4")))
            {
                Add("asn", asn);
            }
        }
        var communityAs = Values(message, "bgp_bgp_update_path_attribute_community_as").ToList();
        var communityValue = Values(message, "bgp_bgp_update_path_attribute_community_value").ToList();
        for (var i = 0; i < Math.Min(communityAs.Count, communityValue.Count); i++)
        {
            Add("community", $"{communityAs[i]}:{communityValue[i]}");
        }
        foreach (var wellKnown in Values(message, "bgp_bgp_update_path_attribute_community_wellknown"))
        {
            var value = Convert.ToUInt32(wellKnown, 16);
            Add("community", $"{value >> 16}:{value & 0xffff}");
        }
        foreach (var hop in Values(message, "bgp_bgp_update_path_attribute_next_hop"))
        {
            Add("nextHop", hop);
        }
        if (reachUnicast)
        {
            foreach (var key in new[] { "bgp_bgp_update_path_attribute_mp_reach_nlri_next_hop_ipv4", "bgp_bgp_update_path_attribute_mp_reach_nlri_next_hop_ipv6", "bgp_bgp_update_path_attribute_mp_reach_nlri_next_hop_ipv6_link_local" })
            {
                foreach (var hop in Values(message, key))
                {
                    Add("nextHop", hop);
                }
            }
        }
        foreach (var code in Values(message, "bgp_bgp_notify_major_error"))
        {
            Add("notification", code);
        }
    }

    public static TsharkView FromOurs(IEnumerable<JsonElement> lines)
    {
        var view = new TsharkView();
        foreach (var line in lines)
        {
            if (line.Str("kind") != "bgp")
            {
                continue;
            }
            view.Add("type", line.Str("type"));
            foreach (var nlri in line.Arr("nlri"))
            {
                view.Add("announced", Address(OurDecode.PrefixOf(nlri)));
            }
            foreach (var nlri in line.Arr("withdrawn"))
            {
                view.Add("withdrawn", Address(OurDecode.PrefixOf(nlri)));
            }
            if (line.Str("type") == "NOTIFICATION" && line.TryGetProperty("code", out var code))
            {
                view.Add("notification", code.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (line.Obj("attributes") is not { } attributes)
            {
                continue;
            }
            if (attributes.Obj("mpReach") is { } reach && IsUnicast(reach))
            {
                foreach (var nlri in reach.Arr("nlri"))
                {
                    view.Add("announced", Address(OurDecode.PrefixOf(nlri)));
                }
                foreach (var hop in reach.Arr("nextHops"))
                {
                    view.Add("nextHop", hop.GetString());
                }
            }
            if (attributes.Obj("mpUnreach") is { } unreach && IsUnicast(unreach))
            {
                foreach (var nlri in unreach.Arr("withdrawn"))
                {
                    view.Add("withdrawn", Address(OurDecode.PrefixOf(nlri)));
                }
            }
            view.Add("nextHop", attributes.Str("nextHop"));
            foreach (var segment in attributes.Arr("asPath"))
            {
                foreach (var asn in segment.Arr("asns"))
                {
                    view.Add("asn", asn.GetUInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            foreach (var community in attributes.Arr("communities"))
            {
                view.Add("community", community.GetString());
            }
        }
        return view;
    }

    /// <summary>Removes AS numbers of messages whose path we reconciled from AS4_PATH (not comparable).</summary>
    private static bool IsUnicast(JsonElement mp) =>
        mp.TryGetProperty("safi", out var safi) && safi.GetInt32() is 1 or 2;

    private static string Address(string prefix) => prefix[..prefix.IndexOf('/', StringComparison.Ordinal)];

    public List<string> Differences(TsharkView ours)
    {
        var differences = new List<string>();
        foreach (var kind in _facts.Keys.Union(ours._facts.Keys).Order(StringComparer.Ordinal))
        {
            if (kind == "asn" && _sawAs4Path)
            {
                // We print the AS path reconciled with AS4_PATH (RFC 6793 4.2.3), tshark the two attributes
                // apart: a file with AS4_PATH is compared on everything but AS numbers.
                continue;
            }
            var a = _facts.GetValueOrDefault(kind) ?? [];
            var b = ours._facts.GetValueOrDefault(kind) ?? [];
            var onlyTshark = Minus(a, b);
            var onlyOurs = Minus(b, a);
            if (onlyTshark.Count > 0 || onlyOurs.Count > 0)
            {
                differences.Add($"{kind}: tshark only [{string.Join(", ", onlyTshark.Take(8))}] ours only [{string.Join(", ", onlyOurs.Take(8))}] (tshark {a.Count}, ours {b.Count})");
            }
        }
        return differences;
    }

    private static List<string> Minus(List<string> a, List<string> b)
    {
        var counts = b.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<string>();
        foreach (var x in a)
        {
            if (counts.TryGetValue(x, out var n) && n > 0)
            {
                counts[x] = n - 1;
            }
            else
            {
                result.Add(x);
            }
        }
        return result;
    }
}
