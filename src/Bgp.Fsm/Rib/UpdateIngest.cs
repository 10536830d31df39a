using System.Runtime.InteropServices;
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
    private readonly PrefixFilter? _filter;

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

    private bool Looped(PathAttributes attributes)
    {
        if (_loopAs is not uint own || attributes.AsPath is not { } path)
        {
            return false;
        }
        foreach (var segment in path.Segments)
        {
            foreach (var asn in segment.Asns)
            {
                if (asn == own)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>What one UPDATE did.</summary>
    internal readonly record struct Outcome(int Announced, int Withdrawn, ErrorAction Action, BgpError? Error, AfiSafi? EndOfRib);

    /// <summary>Applies one UPDATE body. A session-reset error comes back in the outcome (nothing applied).</summary>
    public Outcome Apply(ReadOnlySpan<byte> body, BgpDecodeContext context, Action<Prefix, PathAttributes?>? changed = null)
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
        var withdrawn = 0;
        foreach (var nlri in reader.Withdrawn)
        {
            if (_rib.Remove(nlri.Prefix))
            {
                withdrawn++;
                changed?.Invoke(nlri.Prefix, null);
            }
        }
        var announced = 0;
        var nlris = reader.Nlri;
        if (nlris.Count > 0)
        {
            var attributes = Lookup(reader.AttributesField, body, context);
            if (attributes is null)
            {
                return ApplySlow(body, context, changed);
            }
            if (Looped(attributes))
            {
                return new Outcome(0, withdrawn, ErrorAction.None, null, null);
            }
            if (_filter is null && changed is null)
            {
                // The hot path: one lock per UPDATE, one dictionary probe per prefix.
                lock (_rib.Gate)
                {
                    foreach (var nlri in nlris)
                    {
                        _rib.SetUnlocked(nlri.Prefix, attributes);
                        announced++;
                    }
                }
            }
            else
            {
                foreach (var nlri in nlris)
                {
                    announced += Accept(nlri.Prefix, attributes, changed);
                }
            }
        }
        return new Outcome(announced, withdrawn, ErrorAction.None, null, null);
    }

    private int Accept(Prefix prefix, PathAttributes attributes, Action<Prefix, PathAttributes?>? changed)
    {
        if (_filter is not null && !_filter.Accepts(prefix))
        {
            return 0;
        }
        if (_rib.Set(prefix, attributes))
        {
            changed?.Invoke(prefix, attributes);
        }
        return 1;
    }

    private PathAttributes? Lookup(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> body, BgpDecodeContext context)
    {
        var lookup = _byRawAttributes.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(raw, out var cached))
        {
            return cached;
        }
        var update = (UpdateMessage)BgpMessage.DecodeBody(BgpMessageType.Update, body, context);
        if (update.Attributes is null || update.Action != ErrorAction.None)
        {
            return null;
        }
        var interned = _rib.Interner.Intern(update.Attributes);
        if (_byRawAttributes.Count >= MaxCachedSets)
        {
            _byRawAttributes.Clear();
        }
        _byRawAttributes[raw.ToArray()] = interned;
        return interned;
    }

    private Outcome ApplySlow(ReadOnlySpan<byte> body, BgpDecodeContext context, Action<Prefix, PathAttributes?>? changed)
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
            case ErrorAction.SessionReset:
                return new Outcome(0, 0, ErrorAction.SessionReset, update.Error, null);
            case ErrorAction.TreatAsWithdraw or ErrorAction.AfiSafiDisable:
            {
                // RFC 7606 section 2: every prefix of the UPDATE is withdrawn, the session stays up.
                var count = 0;
                foreach (var nlri in update.Announced.Concat(update.AllWithdrawn))
                {
                    if (_rib.Remove(nlri.Prefix))
                    {
                        count++;
                        changed?.Invoke(nlri.Prefix, null);
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
            if (_rib.Remove(nlri.Prefix))
            {
                withdrawn++;
                changed?.Invoke(nlri.Prefix, null);
            }
        }
        var announced = 0;
        if (update.Attributes is { } attributes && !Looped(attributes))
        {
            var interned = _rib.Interner.Intern(attributes);
            foreach (var nlri in update.Announced)
            {
                announced += Accept(nlri.Prefix, interned, changed);
            }
        }
        return new Outcome(announced, withdrawn, update.Action, update.Error, null);
    }
}
