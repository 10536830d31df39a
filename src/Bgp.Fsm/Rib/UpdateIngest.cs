using System.Buffers.Binary;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// Applies received UPDATEs to an <see cref="AdjRibIn"/> following Bgp.Wire's RFC 7606 decisions.
/// The common case (IPv4 NLRI, no error) walks the message with the zero-allocation
/// <see cref="UpdateReader"/> and finds the attribute set by its raw octets, so only the first UPDATE
/// with a given set materializes it; everything else goes through <see cref="UpdateMessage"/>.
/// </summary>
internal sealed class UpdateIngest
{
    private const int MaxCachedSets = 1 << 16;
    private readonly Dictionary<byte[], PathAttributes> _byRawAttributes = new(OctetsComparer.Instance);
    private readonly AdjRibIn _rib;
    private PathAttributes? _lastMpAttributes;
    private byte[] _lastMpNextHop = [];
    private PathAttributes? _lastMpInterned;
    private PrefixFilter? _filter;

    private readonly uint? _loopAs;

    /// <param name="rib">Where accepted routes go.</param>
    /// <param name="filter">Import filter (null: all).</param>
    /// <param name="loopAs">Our AS on an eBGP session: routes whose AS_PATH holds it are ignored (RFC 4271 section 9.1.2).</param>
    public UpdateIngest(AdjRibIn rib, PrefixFilter? filter, uint? loopAs = null)
    {
        _rib = rib;
        _filter = filter;
        _loopAs = loopAs;
    }

    /// <summary>The import filter (null: all). Changed on the session's loop, between UPDATEs.</summary>
    public PrefixFilter? Filter
    {
        get => _filter;
        set => _filter = value;
    }

    /// <summary>Received prefixes the import filter refused, since the session was created (read by status, written on the session's loop).</summary>
    public long Refused;

    // Through AsPathContains: a set held as its received octets is scanned there instead of being decoded.
    private bool Looped(PathAttributes attributes) => _loopAs is uint own && attributes.AsPathContains(own);

    /// <summary>What one UPDATE did.</summary>
    internal readonly record struct Outcome(int Announced, int Withdrawn, ErrorAction Action, BgpError? Error, AfiSafi? EndOfRib);

    /// <summary>
    /// Applies one UPDATE body. A session-reset error comes back in the outcome. <paramref name="changed"/> hears
    /// every route added, replaced or withdrawn, after the table was updated and outside its lock.
    /// </summary>
    public Outcome Apply(ReadOnlySpan<byte> body, BgpDecodeContext context, Action<Nlri, PathAttributes?>? changed = null)
    {
        UpdateReader reader;
        try
        {
            reader = UpdateReader.Read(body, context);
        }
        catch (BgpWireException e)
        {
            return new Outcome(0, 0, ErrorAction.SessionReset, e.Error, null);
        }
        if (reader.Action != ErrorAction.None || reader.TryGetAttribute(PathAttributeType.MpReachNlri, out _) || reader.TryGetAttribute(PathAttributeType.MpUnreachNlri, out _))
        {
            return ApplySlow(body, context, changed);
        }
        if (reader.IsEndOfRib)
        {
            return new Outcome(0, 0, ErrorAction.None, null, AfiSafi.IPv4Unicast);
        }
        PathAttributes? attributes = null;
        var nlriLength = body.Length - 4 - BinaryPrimitives.ReadUInt16BigEndian(body) - reader.AttributesField.Length;
        if (nlriLength > 0)
        {
            attributes = Lookup(reader.AttributesField, context);
            if (attributes is null)
            {
                return ApplySlow(body, context, changed);
            }
            if (Looped(attributes))
            {
                attributes = null;
            }
        }
        var changes = changed is null ? null : _changes;
        changes?.Clear();
        int withdrawn = 0, announced = 0;
        try
        {
            // One lock per UPDATE, one dictionary probe per prefix; the fields' framing is checked as they are walked.
            lock (_rib.Gate)
            {
                foreach (var nlri in reader.Withdrawn)
                {
                    if (_rib.RemoveUnlocked(nlri))
                    {
                        withdrawn++;
                        changes?.Add(new(nlri, null));
                    }
                }
                if (attributes is not null)
                {
                    foreach (var nlri in reader.Nlri)
                    {
                        if (_filter is not null && !_filter.Accepts(nlri.Prefix))
                        {
                            Refused++;
                            // The refused route replaces what the peer sent before for this prefix (RFC 4271 section 3.1):
                            // an older, accepted one must not stay in the table.
                            if (_rib.RemoveUnlocked(nlri))
                            {
                                withdrawn++;
                                changes?.Add(new(nlri, null));
                            }
                            continue;
                        }
                        announced++;
                        if (_rib.SetUnlocked(nlri, attributes))
                        {
                            changes?.Add(new(nlri, attributes));
                        }
                    }
                }
            }
        }
        catch (BgpWireException e)
        {
            // RFC 7606 section 5.3: a malformed NLRI field resets the session; what was applied goes with it.
            return new Outcome(announced, withdrawn, ErrorAction.SessionReset, e.Error, null);
        }
        finally
        {
            Notify(changes, changed);
        }
        return new Outcome(announced, withdrawn, ErrorAction.None, null, null);
    }

    private readonly List<KeyValuePair<Nlri, PathAttributes?>> _changes = new();

    private static void Notify(List<KeyValuePair<Nlri, PathAttributes?>>? changes, Action<Nlri, PathAttributes?>? changed)
    {
        if (changes is null || changed is null)
        {
            return;
        }
        foreach (var (nlri, attributes) in changes)
        {
            changed(nlri, attributes);
        }
        changes.Clear();
    }

    private int Accept(Nlri nlri, PathAttributes attributes, Action<Nlri, PathAttributes?>? changed)
    {
        if (_filter is not null && !_filter.Accepts(nlri.Prefix))
        {
            Refused++;
            if (_rib.Remove(nlri))
            {
                changed?.Invoke(nlri, null);
            }
            return 0;
        }
        if (_rib.Set(nlri, attributes))
        {
            changed?.Invoke(nlri, attributes);
        }
        return 1;
    }

    private PathAttributes? Lookup(ReadOnlySpan<byte> raw, BgpDecodeContext context)
    {
        // A set already held is found from the octets alone: nothing is decoded or allocated.
        if (_rib.Interner.TryGet(raw, context, out var held))
        {
            return held;
        }
        // Octets that are not the canonical encoding (a 2-octet-AS session, another attribute order) are remembered here.
        var lookup = _byRawAttributes.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(raw, out var cached))
        {
            return cached;
        }
        var interned = _rib.Interner.Intern(raw, context, out var foundByOctets);
        if (interned is null || foundByOctets)
        {
            return interned;
        }
        if (_byRawAttributes.Count >= MaxCachedSets)
        {
            _byRawAttributes.Clear();
        }
        _byRawAttributes[raw.ToArray()] = interned;
        return interned;
    }

    /// <summary>
    /// The interned set for <paramref name="attributes"/> with MP_REACH_NLRI's next hop. A peer sends its table as a
    /// run of UPDATEs with the same attributes and next hop, so the last answer is kept: the run then costs no copy.
    /// </summary>
    private PathAttributes InternWithMpNextHop(PathAttributes attributes, MpReachNlri mp)
    {
        var raw = mp.RawNextHop.Span;
        if (_lastMpInterned is not null && raw.SequenceEqual(_lastMpNextHop) && attributes.Equals(_lastMpAttributes))
        {
            return _lastMpInterned;
        }
        var interned = _rib.Interner.Intern(attributes.WithMpNextHop(mp.NextHop, mp.LinkLocalNextHop));
        _lastMpAttributes = attributes;
        _lastMpNextHop = raw.ToArray();
        _lastMpInterned = interned;
        return interned;
    }

    private Outcome ApplySlow(ReadOnlySpan<byte> body, BgpDecodeContext context, Action<Nlri, PathAttributes?>? changed)
    {
        UpdateMessage update;
        try
        {
            update = (UpdateMessage)BgpMessage.DecodeBody(BgpMessageType.Update, body, context);
        }
        catch (BgpWireException e)
        {
            return new Outcome(0, 0, ErrorAction.SessionReset, e.Error, null);
        }
        switch (update.Action)
        {
            // RFC 7606 sections 5.3 and 7.11: a malformed MP_REACH/MP_UNREACH calls for AFI/SAFI disable or session
            // reset; we reset (as FRR 8.4 does), since withdrawing only this UPDATE's prefixes is neither.
            case ErrorAction.SessionReset or ErrorAction.AfiSafiDisable:
                return new Outcome(0, 0, ErrorAction.SessionReset, update.Error, null);
            case ErrorAction.TreatAsWithdraw:
            {
                // RFC 7606 section 2: every prefix of the UPDATE is withdrawn, the session stays up.
                var count = 0;
                foreach (var nlri in update.Announced.Concat(update.AllWithdrawn))
                {
                    if (_rib.Remove(nlri))
                    {
                        count++;
                        changed?.Invoke(nlri, null);
                    }
                }
                return new Outcome(0, count, update.Action, update.Error, null);
            }
        }
        if (update.IsEndOfRib || update.MpUnreach is { IsEndOfRib: true } && update.Attributes is null && update.MpReach is null && update.Withdrawn.Count == 0 && update.Nlri.Count == 0)
        {
            return new Outcome(0, 0, ErrorAction.None, null, update.MpUnreach?.AfiSafi ?? AfiSafi.IPv4Unicast);
        }
        var withdrawn = 0;
        foreach (var nlri in update.AllWithdrawn)
        {
            if (_rib.Remove(nlri))
            {
                withdrawn++;
                changed?.Invoke(nlri, null);
            }
        }
        var announced = 0;
        if (update.Attributes is { } attributes && !Looped(attributes))
        {
            if (update.Nlri.Count > 0)
            {
                var interned = _rib.Interner.Intern(attributes);
                foreach (var nlri in update.Nlri)
                {
                    announced += Accept(nlri, interned, changed);
                }
            }
            if (update.MpReach is { IsDecoded: true } mp && mp.Nlri.Count > 0)
            {
                // The route's next hop is MP_REACH_NLRI's (RFC 4760 section 3), not the NEXT_HOP attribute: it goes
                // with the interned set, so routes with the same attributes and next hop still share one object.
                var interned = InternWithMpNextHop(attributes, mp);
                foreach (var nlri in mp.Nlri)
                {
                    announced += Accept(nlri, interned, changed);
                }
            }
        }
        return new Outcome(announced, withdrawn, update.Action, update.Error, null);
    }
}
