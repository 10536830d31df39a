namespace BgpKit.Bfd.Session;

/// <summary>
/// The session state machine of RFC 5880 as one pure transition: <c>(variables, input) -> (variables, actions)</c>.
/// No clock, no socket, no randomness of its own: time and a jitter sample come in with each input and
/// deadlines go out in the variables, so tests can drive it to the exact microsecond.
/// </summary>
/// <remarks>
/// <code>
///                             +--+
///                             |  | UP, ADMIN DOWN, TIMER
///                             |  V
///                     DOWN  +------+  INIT
///              +------------|      |------------+
///              |            | DOWN |            |
///              |  +-------->|      |&lt;--------+  |
///              |  |         +------+         |  |
///              |  |                          |  |
///              |  |               ADMIN DOWN,|  |
///              |  |ADMIN DOWN,          DOWN,|  |
///              |  |TIMER                TIMER|  |
///              V  |                          |  V
///            +------+                      +------+
///       +----|      |                      |      |----+
///   DOWN|    | INIT |--------------------->|  UP  |    |INIT, UP
///       +--->|      | INIT, UP             |      |&lt;---+
///            +------+                      +------+
/// </code>
/// (RFC 5880 section 6.2; events are the State field received, or TIMER for the detection time.)
/// </remarks>
internal static class BfdSessionMachine
{
    public static BfdOutput Handle(ref BfdSessionVariables v, in BfdInput input)
    {
        var previous = v.SessionState;
        var actions = BfdActions.None;
        var discard = BfdDiscard.None;
        switch (input.Kind)
        {
            case BfdInputKind.Start:
                break;
            case BfdInputKind.ControlReceived:
                discard = Receive(ref v, input, ref actions);
                if (discard != BfdDiscard.None)
                {
                    actions |= BfdActions.Discarded;
                }
                break;
            case BfdInputKind.TimerExpired:
                Expire(ref v, input.Now, ref actions);
                break;
            case BfdInputKind.AdminDown:
                // 6.8.16: AdminDown with diagnostic 7; the peer sees it in the next packets.
                if (v.SessionState != BfdState.AdminDown)
                {
                    v.SessionState = BfdState.AdminDown;
                    v.LocalDiag = BfdDiagnostic.AdministrativelyDown;
                    v.DetectionDeadline = BfdSessionVariables.Never;
                    v.PollActive = false;
                    actions |= BfdActions.Transmit;
                }
                break;
            case BfdInputKind.AdminUp:
                if (v.SessionState == BfdState.AdminDown)
                {
                    v.SessionState = BfdState.Down;
                    v.RemoteDiscr = 0;
                }
                break;
            case BfdInputKind.ParametersChanged:
                ChangeParameters(ref v, input, ref actions);
                break;
            case BfdInputKind.EchoReceived:
                if (v.EchoActive)
                {
                    // Each returned echo packet restarts the echo detection time.
                    v.EchoDetectionDeadline = input.Now + v.EchoDetectionTime;
                }
                break;
        }

        UpdateEcho(ref v, input.Now, ref actions);
        if (v.SessionState != previous)
        {
            actions |= BfdActions.StateChanged;
            OnStateChanged(ref v, previous, ref actions);
        }
        else if ((actions & BfdActions.EchoChanged) != 0)
        {
            // 6.8.3: the control rate slows while echo runs and returns to the configured one after.
            Retune(ref v, force: false, ref actions);
        }
        ScheduleTransmit(ref v, input, ref actions);
        ScheduleEcho(ref v, input, ref actions);
        return new BfdOutput(actions, previous, discard);
    }

    /// <summary>
    /// Section 6.8.3: "When the Echo function is active, a system SHOULD set bfd.RequiredMinRxInterval to a
    /// value of not less than one second", since echo packets now do the detecting.
    /// </summary>
    public const uint EchoControlRxInterval = 1_000_000;

    /// <summary>The Control packet the session sends now (section 6.8.7), without its authentication section.</summary>
    public static BfdControlPacket BuildPacket(ref BfdSessionVariables v, bool final)
    {
        if (v.AuthType is not (BfdAuthenticationType.None or BfdAuthenticationType.SimplePassword))
        {
            // 6.7.3/6.7.4: we advance the sequence number with every packet, which satisfies both the
            // meticulous rule and the non-meticulous window.
            v.XmitAuthSeq = unchecked(v.XmitAuthSeq + 1);
        }
        return new BfdControlPacket
        {
            Version = BfdControlPacket.ProtocolVersion,
            Diagnostic = v.LocalDiag,
            State = v.SessionState,
            // A packet never carries both P and F (section 4.1).
            Poll = v.PollActive && !final,
            Final = final,
            Demand = v.DemandMode && v.SessionState == BfdState.Up && v.RemoteSessionState == BfdState.Up,
            DetectMultiplier = v.DetectMult,
            MyDiscriminator = v.LocalDiscr,
            YourDiscriminator = v.RemoteDiscr,
            DesiredMinTxInterval = v.DesiredMinTxInterval,
            RequiredMinRxInterval = v.RequiredMinRxInterval,
            RequiredMinEchoRxInterval = v.RequiredMinEchoRxInterval,
        };
    }

    // RFC 5880 section 6.8.6, from "If the A bit is set..." on; the session-free checks ran in the codec.
    private static BfdDiscard Receive(ref BfdSessionVariables v, in BfdInput input, ref BfdActions actions)
    {
        var p = input.Packet;
        if (p.YourDiscriminator != 0 && p.YourDiscriminator != v.LocalDiscr)
        {
            return BfdDiscard.YourDiscriminatorMismatch;
        }
        if (p.AuthenticationPresent && v.AuthType == BfdAuthenticationType.None)
        {
            return BfdDiscard.AuthenticationUnexpected;
        }
        if (!p.AuthenticationPresent && v.AuthType != BfdAuthenticationType.None)
        {
            return BfdDiscard.AuthenticationMissing;
        }
        if (p.AuthenticationPresent)
        {
            var auth = p.Authentication!.Value;
            if (auth.Type != v.AuthType)
            {
                return BfdDiscard.AuthenticationFailed;
            }
            var keyed = auth.Type != BfdAuthenticationType.SimplePassword;
            if (keyed && v.AuthSeqKnown && !InSequenceWindow(v.RcvAuthSeq, auth.SequenceNumber, p.DetectMultiplier, auth.IsMeticulous))
            {
                return BfdDiscard.SequenceOutOfWindow;
            }
            if (!input.AuthenticationValid)
            {
                return BfdDiscard.AuthenticationFailed;
            }
            if (keyed)
            {
                v.RcvAuthSeq = auth.SequenceNumber;
                v.AuthSeqKnown = true;
            }
        }

        v.RemoteDiscr = p.MyDiscriminator;
        v.RemoteSessionState = p.State;
        v.RemoteDemandMode = p.Demand;
        v.RemoteMinRxInterval = p.RequiredMinRxInterval;
        v.RemoteDesiredMinTxInterval = p.DesiredMinTxInterval;
        v.RemoteDetectMult = p.DetectMultiplier;
        v.RemoteMinEchoRxInterval = p.RequiredMinEchoRxInterval;

        if (v.PollActive && p.Final)
        {
            // 6.5: the Final ends the Poll Sequence; the new intervals are now in force.
            v.PollActive = false;
            v.OperMinTxInterval = v.DesiredMinTxInterval;
            v.OperMinRxInterval = v.RequiredMinRxInterval;
            actions |= BfdActions.PollCompleted;
        }

        v.LastReceivedAt = input.Now;
        v.DetectionDeadline = input.Now + v.DetectionTime;
        v.AuthSeqExpiresAt = BfdSessionVariables.Never;

        if (v.SessionState == BfdState.AdminDown)
        {
            return BfdDiscard.AdminDown;
        }

        if (p.State == BfdState.AdminDown)
        {
            if (v.SessionState != BfdState.Down)
            {
                v.LocalDiag = BfdDiagnostic.NeighborSignaledSessionDown;
                v.SessionState = BfdState.Down;
            }
        }
        else
        {
            switch (v.SessionState)
            {
                case BfdState.Down when p.State == BfdState.Down:
                    v.SessionState = BfdState.Init;
                    break;
                case BfdState.Down when p.State == BfdState.Init:
                    v.SessionState = BfdState.Up;
                    break;
                case BfdState.Init when p.State is BfdState.Init or BfdState.Up:
                    v.SessionState = BfdState.Up;
                    break;
                case BfdState.Up when p.State == BfdState.Down:
                    v.LocalDiag = BfdDiagnostic.NeighborSignaledSessionDown;
                    v.SessionState = BfdState.Down;
                    break;
            }
        }

        if (p.Poll)
        {
            // "...transmit a BFD Control packet with the Poll (P) bit clear and the Final (F) bit set
            // as soon as practicable, without respect to the transmission timer".
            actions |= BfdActions.TransmitFinal;
        }
        return BfdDiscard.None;
    }

    /// <summary>
    /// Sections 6.7.3 and 6.7.4: with AuthSeqKnown, the received sequence number must lie in
    /// [RcvAuthSeq, RcvAuthSeq + 3 * Detect Mult] (meticulous: starting at RcvAuthSeq + 1), modulo 2^32.
    /// </summary>
    internal static bool InSequenceWindow(uint rcvAuthSeq, uint received, byte detectMult, bool meticulous)
    {
        var distance = unchecked(received - rcvAuthSeq);
        var lower = meticulous ? 1u : 0u;
        return distance >= lower && distance <= 3u * detectMult;
    }

    private static void Expire(ref BfdSessionVariables v, long now, ref BfdActions actions)
    {
        if (now >= v.DetectionDeadline)
        {
            v.DetectionDeadline = BfdSessionVariables.Never;
            // 6.8.1: bfd.RemoteDiscr is zeroed when the detection time expires.
            v.RemoteDiscr = 0;
            if (v.SessionState is BfdState.Init or BfdState.Up)
            {
                // 6.8.4: "the session has gone down -- the local system MUST set bfd.SessionState to Down
                // and bfd.LocalDiag to 1 (Control Detection Time Expired)".
                v.SessionState = BfdState.Down;
                v.LocalDiag = BfdDiagnostic.ControlDetectionTimeExpired;
            }
            if (v.AuthSeqKnown)
            {
                // 6.8.1: AuthSeqKnown is cleared after no packet for twice the detection time.
                v.AuthSeqExpiresAt = v.LastReceivedAt + 2 * v.DetectionTime;
            }
        }
        if (now >= v.EchoDetectionDeadline)
        {
            v.EchoDetectionDeadline = BfdSessionVariables.Never;
            if (v.EchoActive && v.SessionState == BfdState.Up)
            {
                // 6.8.5 leaves echo detection to the implementation; the diagnostic is 2, Echo Function Failed.
                v.SessionState = BfdState.Down;
                v.LocalDiag = BfdDiagnostic.EchoFunctionFailed;
            }
        }
        if (now >= v.AuthSeqExpiresAt)
        {
            v.AuthSeqExpiresAt = BfdSessionVariables.Never;
            v.AuthSeqKnown = false;
        }
        if (now >= v.NextTransmitAt)
        {
            v.NextTransmitAt = BfdSessionVariables.Never;
            if (ShouldTransmitPeriodically(v))
            {
                actions |= BfdActions.Transmit;
            }
        }
    }

    private static void ChangeParameters(ref BfdSessionVariables v, in BfdInput input, ref BfdActions actions)
    {
        v.ConfiguredMinTxInterval = input.DesiredMinTx;
        v.ConfiguredMinRxInterval = input.RequiredMinRx;
        v.Passive = input.Passive;
        v.EchoEnabled = input.EchoEnabled;
        v.DesiredMinEchoTxInterval = input.EchoInterval;
        // Required Min Echo RX needs no Poll Sequence (6.8.3 names only the two control intervals).
        v.RequiredMinEchoRxInterval = input.EchoEnabled ? input.EchoInterval : 0;
        UpdateEcho(ref v, input.Now, ref actions);
        var multiplierChanged = input.DetectMult != v.DetectMult;
        v.DetectMult = input.DetectMult;
        Retune(ref v, force: multiplierChanged, ref actions);
    }

    private static uint AdvertisedTx(BfdState state, uint configured) =>
        state == BfdState.Up ? configured : Math.Max(configured, BfdSessionVariables.SlowStartInterval);

    private static uint AdvertisedRx(in BfdSessionVariables v) =>
        v.EchoActive ? Math.Max(v.ConfiguredMinRxInterval, EchoControlRxInterval) : v.ConfiguredMinRxInterval;

    /// <summary>Brings the advertised intervals to what the state and echo call for (a Poll Sequence when Up).</summary>
    private static void Retune(ref BfdSessionVariables v, bool force, ref BfdActions actions)
    {
        var tx = AdvertisedTx(v.SessionState, v.ConfiguredMinTxInterval);
        var rx = AdvertisedRx(v);
        if (force || tx != v.DesiredMinTxInterval || rx != v.RequiredMinRxInterval)
        {
            ApplyTimers(ref v, tx, rx, ref actions);
        }
    }

    // 6.8.9: echo packets only while Up, only when configured and possible here, and never when the peer's
    // Required Min Echo RX Interval is zero (which is also how a peer stops our echo at any time).
    private static void UpdateEcho(ref BfdSessionVariables v, long now, ref BfdActions actions)
    {
        var active = v.EchoEnabled && v.SessionState == BfdState.Up && v.RemoteMinEchoRxInterval != 0;
        if (active == v.EchoActive)
        {
            return;
        }
        v.EchoActive = active;
        actions |= BfdActions.EchoChanged;
        if (active)
        {
            // The first echo goes out now; it has one echo detection time to come back.
            v.NextEchoAt = now;
            v.EchoDetectionDeadline = now + v.EchoDetectionTime;
        }
        else
        {
            v.NextEchoAt = BfdSessionVariables.Never;
            v.EchoDetectionDeadline = BfdSessionVariables.Never;
        }
    }

    private static void ScheduleEcho(ref BfdSessionVariables v, in BfdInput input, ref BfdActions actions)
    {
        if (!v.EchoActive)
        {
            return;
        }
        if (input.Now >= v.NextEchoAt)
        {
            // 6.8.9: a 25% jitter may shorten the interval below the peer's Required Min Echo RX, as for control packets.
            actions |= BfdActions.TransmitEcho;
            v.NextEchoAt = input.Now + Jittered(v.EchoTransmitInterval, v.DetectMult, input.JitterSample, v.TimerSlack);
        }
    }

    // 6.8.3: when Up, a change is announced with a Poll Sequence; an increased TX and a reduced RX
    // interval wait for the Final. When not Up, the values apply at once.
    private static void ApplyTimers(ref BfdSessionVariables v, uint tx, uint rx, ref BfdActions actions)
    {
        v.DesiredMinTxInterval = tx;
        v.RequiredMinRxInterval = rx;
        if (v.SessionState == BfdState.Up)
        {
            v.OperMinTxInterval = Math.Min(v.OperMinTxInterval, tx);
            v.OperMinRxInterval = Math.Max(v.OperMinRxInterval, rx);
            v.PollActive = true;
            actions |= BfdActions.Transmit;
        }
        else
        {
            v.OperMinTxInterval = tx;
            v.OperMinRxInterval = rx;
            v.PollActive = false;
        }
    }

    private static void OnStateChanged(ref BfdSessionVariables v, BfdState previous, ref BfdActions actions)
    {
        if (v.SessionState == BfdState.Up)
        {
            v.LocalDiag = BfdDiagnostic.None;
        }
        // Slow start ends on Up and starts again on leaving Up (6.8.3); so does the echo slowdown of RX.
        Retune(ref v, force: previous == BfdState.Up && v.PollActive, ref actions);
        // Tell the peer at once rather than at the next (maybe one-second) tick.
        actions |= BfdActions.Transmit;
    }

    /// <summary>Section 6.8.7: when periodic transmission is allowed at all.</summary>
    internal static bool ShouldTransmitPeriodically(in BfdSessionVariables v)
    {
        if (v.RemoteMinRxInterval == 0)
        {
            return false;
        }
        if (v.Passive && v.RemoteDiscr == 0)
        {
            return false;
        }
        if (v.RemoteDemandMode && v.SessionState == BfdState.Up && v.RemoteSessionState == BfdState.Up && !v.PollActive)
        {
            return false;
        }
        return true;
    }

    private static void ScheduleTransmit(ref BfdSessionVariables v, in BfdInput input, ref BfdActions actions)
    {
        if (!ShouldTransmitPeriodically(v))
        {
            v.NextTransmitAt = BfdSessionVariables.Never;
            // A passive session still answers a Poll; nothing else goes out.
            actions &= ~BfdActions.Transmit;
            return;
        }
        if (v.NextTransmitAt == BfdSessionVariables.Never)
        {
            // First packet of a session (or after a pause) goes out now.
            actions |= BfdActions.Transmit;
        }
        var next = input.Now + Jittered(v.TransmitInterval, v.DetectMult, input.JitterSample, v.TimerSlack);
        if ((actions & (BfdActions.Transmit | BfdActions.TransmitFinal)) != 0 || next < v.NextTransmitAt)
        {
            // Sending now restarts the interval; a shorter interval takes effect without waiting out the old one.
            v.NextTransmitAt = next;
        }
    }

    /// <summary>
    /// Section 6.8.7: the interval is reduced by a random 0 to 25%, or 10 to 25% when Detect Mult is 1,
    /// so consecutive packets are 75-100% (75-90%) of the negotiated interval apart. An owner whose timers fire up
    /// to <paramref name="slack"/> late gets at most 100% minus the slack, never less than 75%: the packet then
    /// leaves within the interval however late in that slack the timer fires (for intervals of at least four
    /// slacks, which every BFD interval worth running is; one tick is 1 ms).
    /// </summary>
    internal static long Jittered(long interval, byte detectMult, double sample, long slack = 0)
    {
        var factor = detectMult == 1 ? 0.90 - 0.15 * sample : 1.0 - 0.25 * sample;
        var jittered = Math.Max(1, (long)(interval * factor));
        if (slack > 0 && jittered > interval - slack)
        {
            jittered = Math.Max(interval - slack, Math.Max(1, (interval * 3 + 3) / 4));
        }
        return jittered;
    }
}
