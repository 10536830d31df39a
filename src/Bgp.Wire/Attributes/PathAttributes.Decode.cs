using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

public sealed partial class PathAttributes
{
    /// <summary>
    /// Materializes a Path Attributes field. Malformed attributes (per RFC 7606) and repeats are left out, as are
    /// MP_REACH_NLRI/MP_UNREACH_NLRI, which are returned separately. On a 2-octet session AS4_PATH and
    /// AS4_AGGREGATOR are reconciled into <see cref="AsPath"/> and <see cref="Aggregator"/> (RFC 6793 section 4.2.3);
    /// on a 4-octet session they are ignored (section 4.1).
    /// </summary>
    internal static PathAttributes? Decode(ReadOnlySpan<byte> field, BgpDecodeContext context, out MpReachNlri? mpReach, out MpUnreachNlri? mpUnreach) =>
        Decode(field, context, null, out mpReach, out mpUnreach);

    /// <summary>As above; <paramref name="asPaths"/> (when given) shares AS_PATH objects between the sets that carry the same one.</summary>
    internal static PathAttributes? Decode(ReadOnlySpan<byte> field, BgpDecodeContext context, Dictionary<byte[], AsPath>? asPaths, out MpReachNlri? mpReach, out MpUnreachNlri? mpUnreach)
    {
        mpReach = null;
        mpUnreach = null;
        if (field.IsEmpty)
        {
            return null;
        }
        Span<ulong> seen = stackalloc ulong[4];
        seen.Clear();
        Origin? origin = null;
        AsPath? asPath = null, as4Path = null;
        uint? nextHop = null, med = null, localPref = null, originatorId = null, otc = null;
        var atomic = false;
        Aggregator? aggregator = null, as4Aggregator = null;
        Community[] communities = [];
        uint[] clusters = [];
        ExtendedCommunity[] extended = [];
        LargeCommunity[] large = [];
        List<UnknownAttribute>? unknown = null;
        UInt128 extendedLengthTypes = 0;
        var asnSize = context.FourOctetAs ? 4 : 2;
        var any = false;
        var at = 0;
        while (PathAttributeEnumerator.TryRead(field, ref at, out var a))
        {
            var type = a.TypeCode;
            if ((seen[type >> 6] & 1UL << (type & 63)) != 0)
            {
                continue;
            }
            seen[type >> 6] |= 1UL << (type & 63);
            if (AttributeRules.Check((byte)a.Flags, type, a.Value, context, out _) != ErrorAction.None)
            {
                continue;
            }
            var v = a.Value;
            any |= type is not ((byte)PathAttributeType.MpReachNlri or (byte)PathAttributeType.MpUnreachNlri);
            var extendedLength = (a.Flags & PathAttributeFlags.ExtendedLength) != 0;
            if (extendedLength && v.Length <= 255 && type < 128)
            {
                extendedLengthTypes |= UInt128.One << type;
            }
            switch ((PathAttributeType)type)
            {
                case PathAttributeType.Origin:
                    origin = (Origin)v[0];
                    break;
                case PathAttributeType.AsPath:
                    asPath = asPaths is null ? AsPath.Decode(v, asnSize) : SharedAsPath(asPaths, v, asnSize);
                    break;
                case PathAttributeType.As4Path:
                    as4Path = AsPath.Decode(v, 4);
                    break;
                case PathAttributeType.NextHop:
                    nextHop = BinaryPrimitives.ReadUInt32BigEndian(v);
                    break;
                case PathAttributeType.MultiExitDisc:
                    med = BinaryPrimitives.ReadUInt32BigEndian(v);
                    break;
                case PathAttributeType.LocalPref:
                    // RFC 4271 section 5.1.5: ignored when it comes from an external peer.
                    localPref = context.ExternalPeer ? null : BinaryPrimitives.ReadUInt32BigEndian(v);
                    break;
                case PathAttributeType.AtomicAggregate:
                    atomic = true;
                    break;
                case PathAttributeType.Aggregator:
                    aggregator = asnSize == 4
                        ? new Aggregator(BinaryPrimitives.ReadUInt32BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[4..]))
                        : new Aggregator(BinaryPrimitives.ReadUInt16BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[2..]));
                    break;
                case PathAttributeType.As4Aggregator:
                    as4Aggregator = new Aggregator(BinaryPrimitives.ReadUInt32BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[4..]));
                    break;
                case PathAttributeType.Communities:
                    communities = new Community[v.Length / 4];
                    for (var i = 0; i < communities.Length; i++)
                    {
                        communities[i] = new Community(BinaryPrimitives.ReadUInt32BigEndian(v[(4 * i)..]));
                    }
                    break;
                case PathAttributeType.OriginatorId:
                    originatorId = BinaryPrimitives.ReadUInt32BigEndian(v);
                    break;
                case PathAttributeType.ClusterList:
                    clusters = new uint[v.Length / 4];
                    for (var i = 0; i < clusters.Length; i++)
                    {
                        clusters[i] = BinaryPrimitives.ReadUInt32BigEndian(v[(4 * i)..]);
                    }
                    break;
                case PathAttributeType.ExtendedCommunities:
                    extended = new ExtendedCommunity[v.Length / 8];
                    for (var i = 0; i < extended.Length; i++)
                    {
                        extended[i] = ExtendedCommunity.Read(v[(8 * i)..]);
                    }
                    break;
                case PathAttributeType.LargeCommunities:
                    large = new LargeCommunity[v.Length / 12];
                    for (var i = 0; i < large.Length; i++)
                    {
                        var s = v[(12 * i)..];
                        large[i] = new LargeCommunity(BinaryPrimitives.ReadUInt32BigEndian(s), BinaryPrimitives.ReadUInt32BigEndian(s[4..]), BinaryPrimitives.ReadUInt32BigEndian(s[8..]));
                    }
                    break;
                case PathAttributeType.OnlyToCustomer:
                    otc = BinaryPrimitives.ReadUInt32BigEndian(v);
                    break;
                case PathAttributeType.MpReachNlri:
                    mpReach = MpReachNlri.Decode(v, context, extendedLength);
                    break;
                case PathAttributeType.MpUnreachNlri:
                    mpUnreach = MpUnreachNlri.Decode(v, context, extendedLength);
                    break;
                default:
                    (unknown ??= []).Add(new UnknownAttribute(a.Flags, type, v.ToArray()));
                    break;
            }
        }
        if (!any)
        {
            return null;
        }
        if (!context.FourOctetAs)
        {
            // RFC 6793 section 4.2.3: only when AGGREGATOR and AS4_AGGREGATOR are both received and AGGREGATOR
            // carries a real 2-octet AS are AS4_AGGREGATOR and AS4_PATH ignored; otherwise AS4_PATH is merged
            // (an AGGREGATOR alone, whatever its AS, does not stop the merge).
            var ignoreAs4 = aggregator is not null && as4Aggregator is not null && aggregator.Value.Asn != OpenMessage.AsTrans;
            if (aggregator is not null && !ignoreAs4 && as4Aggregator is not null)
            {
                aggregator = as4Aggregator;
            }
            if (!ignoreAs4 && asPath is not null && as4Path is not null)
            {
                asPath = AsPath.Reconcile(asPath, as4Path);
            }
        }
        return new PathAttributes
        {
            Origin = origin,
            AsPath = asPath,
            NextHop = nextHop,
            MultiExitDisc = med,
            LocalPref = localPref,
            AtomicAggregate = atomic,
            Aggregator = aggregator,
            Communities = communities,
            OriginatorId = originatorId,
            ClusterList = clusters,
            ExtendedCommunities = extended,
            LargeCommunities = large,
            OnlyToCustomer = otc,
            Unknown = (IReadOnlyList<UnknownAttribute>?)unknown ?? [],
            ExtendedLengthTypes = extendedLengthTypes,
        };
    }

    private static AsPath SharedAsPath(Dictionary<byte[], AsPath> asPaths, ReadOnlySpan<byte> value, int asnSize)
    {
        if (asnSize == 4 && asPaths.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(value, out var shared))
        {
            return shared;
        }
        var path = AsPath.Decode(value, asnSize);
        if (asnSize == 4)
        {
            if (asPaths.Count >= MaxSharedAsPaths)
            {
                asPaths.Clear();
            }
            asPaths[value.ToArray()] = path;
        }
        return path;
    }

    /// <summary>Bounds the AS_PATH table of an interner (cleared when full: sharing is an economy, not a rule).</summary>
    private const int MaxSharedAsPaths = 1 << 16;
}
