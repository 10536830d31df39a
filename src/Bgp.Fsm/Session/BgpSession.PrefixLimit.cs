using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// Maximum-prefix limits (FRR's <c>maximum-prefix</c>): after each UPDATE the Adj-RIB-In's count per limited family
/// is compared with its threshold and limit. Exceeding a limit sends Cease "Maximum Number of Prefixes Reached" with
/// the RFC 4486 section 4 data and holds the peer down (no IdleHold restart, connections refused in Idle) until
/// ManualStart or the limit's restart interval.
/// </summary>
internal sealed partial class BgpSession
{
    private readonly PrefixLimitState[] _prefixLimits;
    private readonly SessionTimer _prefixLimitRestartTimer;
    private bool _prefixLimitHeld;
    private DateTimeOffset? _prefixLimitRestartAt;
    private long _prefixLimitExceeded;

    /// <summary>Times a prefix limit was exceeded (warning-only ones included).</summary>
    public long PrefixLimitExceededCount => Interlocked.Read(ref _prefixLimitExceeded);

    /// <summary>Compares the counts with the limits; ends the session when one is exceeded and not warning-only.</summary>
    private void CheckPrefixLimits()
    {
        if (_prefixLimits.Length == 0 || AdjRibIn is null)
        {
            return;
        }
        foreach (var state in _prefixLimits)
        {
            var limit = state.Limit;
            var count = AdjRibIn.CountOf(limit.Family.Afi == Afi.IPv6);
            switch (state.Observe(count))
            {
                case PrefixLimitCrossing.Threshold:
                    SessionLog.PrefixThresholdReached(_log, Address, limit.Family, count, limit.WarningThresholdPercent, limit.MaximumPrefixes);
                    break;
                case PrefixLimitCrossing.Limit when limit.WarningOnly:
                    Interlocked.Increment(ref _prefixLimitExceeded);
                    SessionLog.PrefixLimitExceededWarningOnly(_log, Address, limit.Family, count, limit.MaximumPrefixes);
                    break;
                case PrefixLimitCrossing.Limit when _fsm.State == SessionState.Established:
                    Interlocked.Increment(ref _prefixLimitExceeded);
                    HoldDownForPrefixLimit(limit, count);
                    return;
            }
        }
    }

    private void HoldDownForPrefixLimit(PrefixLimit limit, int count)
    {
        _prefixLimitHeld = true;
        _idleHoldTimer.Stop();
        if (limit.RestartInterval is { } restart)
        {
            _prefixLimitRestartAt = _time.GetUtcNow() + restart;
            _prefixLimitRestartTimer.Start(restart);
        }
        else
        {
            _prefixLimitRestartAt = null;
            _prefixLimitRestartTimer.Stop();
        }
        SessionLog.PrefixLimitExceeded(_log, Address, limit.Family, count, limit.MaximumPrefixes, _prefixLimitRestartAt?.ToString("O") ?? "cleared");
        // RFC 4486 section 4: Cease, subcode 1, with AFI, SAFI and the upper bound. Our NOTIFICATION ends the
        // session, so the routes go as at any session end (no graceful-restart retention).
        _pendingNotification = NotificationMessage.MaximumPrefixesReached(limit.Family, limit.MaximumPrefixes);
        Apply(BgpEvent.AutomaticStop);
    }

    /// <summary>The restart interval ran out: the peer may come back (AutomaticStart, unless stopped meanwhile).</summary>
    private void OnPrefixLimitRestart()
    {
        if (!_prefixLimitHeld)
        {
            return;
        }
        ClearPrefixLimitHold();
        SessionLog.PrefixLimitRestart(_log, Address);
        if (!_adminDown && _livenessUp && _fsm.State == SessionState.Idle)
        {
            Apply(BgpEvent.AutomaticStart);
        }
        _status = BuildStatus();
    }

    private void ClearPrefixLimitHold()
    {
        _prefixLimitHeld = false;
        _prefixLimitRestartAt = null;
        _prefixLimitRestartTimer.Stop();
    }

    /// <summary>Counts fell (session end, stale purge): re-arm the warnings of the lines they fell under.</summary>
    private void ObservePrefixCountsFell()
    {
        if (AdjRibIn is null)
        {
            return;
        }
        foreach (var state in _prefixLimits)
        {
            state.Observe(AdjRibIn.CountOf(state.Limit.Family.Afi == Afi.IPv6));
        }
    }
}
