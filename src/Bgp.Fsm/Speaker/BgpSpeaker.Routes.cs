using System.Net;
using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

public sealed partial class BgpSpeaker
{
    private readonly PathAttributeInterner _interner = new();
    private readonly Dictionary<Prefix, PathAttributes> _forAllPeers = new();
    private readonly object _routesGate = new();

    /// <summary>
    /// Announces <paramref name="prefixes"/> with <paramref name="attributes"/> to one peer, or to every peer
    /// (present and future) when <paramref name="peer"/> is null. Per peer the speaker sets ORIGIN (IGP unless
    /// given), prepends our AS for eBGP, sets LOCAL_PREF 100 for iBGP unless given, and uses the session's
    /// local address (or the peer's configured next hop) unless the attributes carry a NEXT_HOP.
    /// Only differences are sent; prefixes sharing attributes are packed into as few UPDATEs as the negotiated size allows.
    /// </summary>
    public Task AnnounceAsync(IEnumerable<Prefix> prefixes, PathAttributes attributes, IPAddress? peer = null)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        ArgumentNullException.ThrowIfNull(attributes);
        var shared = _interner.Intern(attributes);
        return Change(prefixes.Select(p => new KeyValuePair<Prefix, PathAttributes?>(p, shared)).ToList(), peer);
    }

    /// <summary>Announces one prefix (see the list overload).</summary>
    public Task AnnounceAsync(Prefix prefix, PathAttributes attributes, IPAddress? peer = null) => AnnounceAsync([prefix], attributes, peer);

    /// <summary>Withdraws <paramref name="prefixes"/> from one peer, or from every peer when <paramref name="peer"/> is null.</summary>
    public Task WithdrawAsync(IEnumerable<Prefix> prefixes, IPAddress? peer = null)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        return Change(prefixes.Select(p => new KeyValuePair<Prefix, PathAttributes?>(p, null)).ToList(), peer);
    }

    /// <summary>Withdraws one prefix.</summary>
    public Task WithdrawAsync(Prefix prefix, IPAddress? peer = null) => WithdrawAsync([prefix], peer);

    /// <summary>
    /// The routes received from <paramref name="peer"/> (needs <see cref="BgpPeerOptions.KeepAdjRibIn"/>): one per
    /// prefix, or with ADD-PATH receive negotiated one per (prefix, <see cref="ReceivedRoute.PathId"/>).
    /// </summary>
    public IReadOnlyList<ReceivedRoute> GetReceivedRoutes(IPAddress peer)
    {
        var session = Session(peer);
        var rib = session.AdjRibIn ?? throw new InvalidOperationException($"peer {peer} keeps no Adj-RIB-In (set KeepAdjRibIn)");
        return rib.Snapshot().Select(kv => new ReceivedRoute(peer, kv.Key.Prefix, kv.Value) { PathId = kv.Key.PathId }).ToList();
    }

    /// <summary>Raised for every route received (and withdrawal) that passes a peer's import filter; runs on that peer's loop.</summary>
    public event EventHandler<ReceivedRoute>? RouteReceived;

    private void Wire(BgpSession session)
    {
        session.RouteReceived += (s, nlri, attributes) => RouteReceived?.Invoke(this, new ReceivedRoute(s.Address, nlri.Prefix, attributes) { PathId = nlri.PathId });
        List<KeyValuePair<Prefix, PathAttributes?>> seed;
        lock (_routesGate)
        {
            seed = _forAllPeers.Select(kv => new KeyValuePair<Prefix, PathAttributes?>(kv.Key, kv.Value)).ToList();
        }
        if (seed.Count > 0)
        {
            _ = session.PostAsync(new SessionCommand.Routes(seed)).AsTask();
        }
    }

    private async Task Change(List<KeyValuePair<Prefix, PathAttributes?>> changes, IPAddress? peer)
    {
        if (peer is not null)
        {
            await Session(peer).PostAsync(new SessionCommand.Routes(changes)).ConfigureAwait(false);
            return;
        }
        lock (_routesGate)
        {
            foreach (var (prefix, attributes) in changes)
            {
                if (attributes is null)
                {
                    _forAllPeers.Remove(prefix);
                }
                else
                {
                    _forAllPeers[prefix] = attributes;
                }
            }
        }
        foreach (var session in _sessions.Values)
        {
            await session.PostAsync(new SessionCommand.Routes(changes)).ConfigureAwait(false);
        }
    }
}
