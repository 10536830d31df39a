using System.Net;
using BgpKit.Bfd.Session;
using BgpKit.Bfd.Timing;
using BgpKit.Bfd.Transport;

namespace BgpKit.Bfd;

// The owner loop: sockets and timers post events; one loop applies them to the sessions' state machines.
public sealed partial class BfdEndpoint
{
    internal enum EventKind : byte
    {
        Start,
        Stop,
        Packet,
        Timer,
        AdminDown,
        AdminUp,
        ParametersChanged,
        EchoReceived,
    }

    internal readonly struct Event
    {
        public Event(EventKind kind, BfdSession session)
        {
            Kind = kind;
            Session = session;
        }

        public EventKind Kind { get; }
        public BfdSession Session { get; }
        public BfdControlPacket Packet { get; init; }
        public bool AuthenticationValid { get; init; }
        public TaskCompletionSource? Done { get; init; }
    }

    internal bool Post(in Event e)
    {
        if (_inline)
        {
            _inlineQueue.Enqueue(e);
            if (!_draining)
            {
                _draining = true;
                try
                {
                    while (_inlineQueue.TryDequeue(out var next))
                    {
                        Process(next);
                    }
                }
                finally
                {
                    _draining = false;
                }
                RearmInlineTimer();
            }
            return true;
        }
        if (_stopping || Interlocked.Increment(ref _queued) > MaximumQueuedEvents)
        {
            // Overflow drops the newest datagram, as a congested link would.
            if (!_stopping)
            {
                Interlocked.Decrement(ref _queued);
            }
            return false;
        }
        _queue.Enqueue(e);
        if (Volatile.Read(ref _waiting) == 1 && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            WakeLoop();
        }
        return true;
    }

    private void WakeLoop()
    {
        if (_eventFd >= 0)
        {
            LinuxSocketCalls.Signal(_eventFd);
        }
        else
        {
            _wake.Set();
        }
    }

    /// <summary>
    /// Hands an event from a link to its session: processed at once on the loop thread (a batched receive),
    /// posted from anywhere else (a receive thread, a test wire delivering from the other endpoint).
    /// </summary>
    private void Deliver(in Event e)
    {
        if (Environment.CurrentManagedThreadId == _loopThreadId)
        {
            ProcessSafely(e);
        }
        else
        {
            Post(e);
        }
    }

    // For benchmarks: an inline endpoint whose caller plays the loop thread, so that received packets are
    // processed at once, as the production loop does with a batch, instead of going through the queue.
    internal void RunOnCallerThread() => _loopThreadId = Environment.CurrentManagedThreadId;

    private const int MaximumQueuedEvents = 65536;

    /// <summary>
    /// Width of a timer wheel slot, and so the loop's batching period: under load the loop wakes at most once
    /// per tick and handles every packet and deadline of that tick together. A deadline fires at most one tick
    /// late; sessions know it (<see cref="TimerSlack"/>) and keep their jittered intervals a tick short of 100%, so a
    /// late packet still leaves within the interval (RFC 5880 section 6.8.7).
    /// </summary>
    internal const long WheelTick = 1000;

    /// <summary>How late this endpoint's timers may fire: a wheel tick, or 0 for the inline loop of tests, which fires them exactly.</summary>
    internal long TimerSlack => _inline ? 0 : WheelTick;

    // 4096 slots of 1 ms: deadlines up to 4 s ahead (a slow-start detection time of 3 s included) sit in
    // their own slot; later ones wait a revolution.
    private const int WheelSlots = 4096;

    private void RunLoop()
    {
        _loopThreadId = Environment.CurrentManagedThreadId;
        try
        {
            while (!_stopping || !_queue.IsEmpty)
            {
                while (_queue.TryDequeue(out var e))
                {
                    Interlocked.Decrement(ref _queued);
                    ProcessSafely(e);
                }
                var links = _linkList;
                if (_batched)
                {
                    foreach (var link in links)
                    {
                        link.ReceiveQueued();
                    }
                }
                FireDue(NowMicroseconds);
                foreach (var link in links)
                {
                    link.Flush();
                }
                if (!_queue.IsEmpty || _stopping)
                {
                    continue;
                }
                Wait(links);
            }
        }
        finally
        {
            foreach (var link in _linkList)
            {
                link.Flush();
            }
            _loopDone.TrySetResult();
        }
    }

    private void FireDue(long now)
    {
        if (_wheel.Advance(now) == 0)
        {
            return;
        }
        while (_wheel.TryTakeDue(out var session, out _))
        {
            // The wheel has forgotten the entry; Process re-arms it from the session's next deadline.
            session.ArmedDeadline = BfdSessionVariables.Never;
            ProcessSafely(new Event(EventKind.Timer, session));
        }
    }

    // Inline (tests): the TimeProvider's timer fires at the wheel's earliest deadline, to the microsecond.
    private void OnInlineTimer()
    {
        _inlineTimerDue = BfdSessionVariables.Never;
        _draining = true;
        try
        {
            FireDue(NowMicroseconds);
            while (_inlineQueue.TryDequeue(out var next))
            {
                Process(next);
            }
        }
        finally
        {
            _draining = false;
        }
        RearmInlineTimer();
    }

    private void RearmInlineTimer()
    {
        var next = _wheel.NextDeadline();
        if (next == _inlineTimerDue || _inlineTimer is null)
        {
            return;
        }
        _inlineTimerDue = next;
        var due = next == BfdSessionVariables.Never ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(0, next - NowMicroseconds) * 10);
        _inlineTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void ProcessSafely(in Event e)
    {
        try
        {
            Process(e);
        }
        catch (Exception ex)
        {
            // A bug in one event must not stop every other session.
            Log.LoopFailed(_logger, ex, e.Kind.ToString());
        }
    }

    private void Process(in Event e)
    {
        var session = e.Session;
        if (session.Stopped)
        {
            e.Done?.TrySetResult();
            return;
        }
        var now = NowMicroseconds;
        var jitter = NextJitter();
        BfdInput input;
        switch (e.Kind)
        {
            case EventKind.Start:
                input = BfdInput.Of(BfdInputKind.Start, now, jitter);
                break;
            case EventKind.Timer:
                input = BfdInput.Timer(now, jitter);
                break;
            case EventKind.Packet:
                input = BfdInput.Received(e.Packet, now, jitter, e.AuthenticationValid);
                break;
            case EventKind.AdminDown:
                input = BfdInput.Of(BfdInputKind.AdminDown, now, jitter);
                break;
            case EventKind.AdminUp:
                input = BfdInput.Of(BfdInputKind.AdminUp, now, jitter);
                break;
            case EventKind.EchoReceived:
                input = BfdInput.Of(BfdInputKind.EchoReceived, now, jitter);
                break;
            case EventKind.ParametersChanged:
                var profile = session.Options.Profile;
                input = new BfdInput
                {
                    Kind = BfdInputKind.ParametersChanged,
                    Now = now,
                    JitterSample = jitter,
                    DesiredMinTx = BfdProfile.Microseconds(profile.TransmitInterval),
                    RequiredMinRx = BfdProfile.Microseconds(profile.ReceiveInterval),
                    DetectMult = profile.DetectMultiplier,
                    Passive = profile.PassiveMode,
                    EchoEnabled = session.EchoPossible(profile),
                    EchoInterval = BfdProfile.Microseconds(profile.EchoInterval),
                };
                break;
            case EventKind.Stop:
                Stop(session, now, jitter);
                e.Done?.TrySetResult();
                return;
            default:
                return;
        }

        var output = BfdSessionMachine.Handle(ref session.Variables, input);
        Apply(session, output, e.Kind == EventKind.Packet ? "packet" : null);
        Arm(session, now);
    }

    private void Apply(BfdSession session, BfdOutput output, string? _)
    {
        if (output.Has(BfdActions.Discarded))
        {
            if (output.Discard != BfdDiscard.AdminDown)
            {
                Drop(session.Link, output.Discard.ToString());
            }
        }
        if (output.Has(BfdActions.TransmitFinal))
        {
            Transmit(session, final: true);
        }
        else if (output.Has(BfdActions.Transmit))
        {
            Transmit(session, final: false);
        }
        if (output.Has(BfdActions.TransmitEcho))
        {
            TransmitEcho(session);
        }
        if (output.Has(BfdActions.EchoChanged))
        {
            Log.EchoChanged(_logger, session.LocalAddress, session.PeerAddress, session.Variables.EchoActive, session.Variables.EchoTransmitInterval);
        }
        if (output.Has(BfdActions.PollCompleted))
        {
            Log.PollCompleted(_logger, session.LocalAddress, session.PeerAddress, session.Variables.TransmitInterval, session.Variables.DetectionTime);
        }
        if (output.Has(BfdActions.StateChanged))
        {
            var current = session.Variables.SessionState;
            Log.StateChanged(_logger, session.LocalAddress, session.PeerAddress, output.PreviousState, current, session.Variables.LocalDiag);
            if (current == BfdState.Up)
            {
                _metrics.SessionUpEvents.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
            }
            else if (output.PreviousState == BfdState.Up)
            {
                _metrics.SessionDownEvents.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
            }
            _metrics.StateNotifications.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
            session.Publish(output.PreviousState, session.Variables.LocalDiag, Time.GetUtcNow(), Time.GetTimestamp());
        }
        session.RefreshStatus();
    }

    private void Transmit(BfdSession session, bool final)
    {
        var packet = BfdSessionMachine.BuildPacket(ref session.Variables, final);
        var key = session.Key;
        var length = BfdControlPacket.MandatoryLength + (key?.SectionLength ?? 0);
        var buffer = _sendBuffer.AsSpan(0, length);
        BfdControlPacketWriter.WriteMandatory(packet, buffer, length);
        if (key is not null)
        {
            buffer[1] |= BfdControlPacketReader.AuthenticationBit;
            key.Sign(buffer, session.Variables.XmitAuthSeq);
        }
        var link = session.Link;
        var sent = link.Send(session, buffer, out var error);
        if (!link.Queues)
        {
            Sent(session, sent ? null : error ?? "unknown");
        }
    }

    /// <summary>A Control packet of <paramref name="session"/> left (<paramref name="error"/> null) or could not be sent.</summary>
    internal void Sent(BfdSession session, string? error)
    {
        if (error is null)
        {
            session.CountSent();
            _metrics.ControlPacketOutput.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
        }
        else
        {
            Log.SendFailed(_logger, session.LocalAddress, session.PeerAddress, error);
        }
    }

    private void TransmitEcho(BfdSession session)
    {
        Span<byte> payload = stackalloc byte[BfdEchoPacket.Length];
        BfdEchoPacket.Write(payload, session.LocalDiscriminator, session.EchoNonce);
        if (session.Link.SendEcho(session, payload, out var error))
        {
            session.CountEchoSent();
            _metrics.EchoPacketOutput.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
        }
        else
        {
            // Not a warning: until the peer's MAC is known this repeats every echo interval.
            Log.EchoSendFailed(_logger, session.LocalAddress, session.PeerAddress, error ?? "unknown");
        }
    }

    /// <summary>
    /// A datagram arrived on an echo socket of <paramref name="link"/>: count it and restart the session's
    /// echo detection time if it is one of the session's own echo packets, back from the peer.
    /// <paramref name="hopLimit"/> is its TTL / hop limit, or -1 when the transport cannot tell.
    /// </summary>
    internal void ReceiveEcho(BfdLink link, ReadOnlySpan<byte> payload, IPAddress source, int hopLimit = -1)
    {
        if (!BfdEchoPacket.TryRead(payload, out var discriminator, out var nonce)
            || !_byDiscriminator.TryGetValue(discriminator, out var session)
            || session.Link != link || session.EchoNonce != nonce || !source.Equals(session.LocalAddress))
        {
            Drop(link, "EchoNotOurs");
            return;
        }
        // Sent with 255, our echo crosses exactly one router (the peer) on its way back: anything else
        // did not come back through the peer's forwarding plane (RFC 5881 section 5 in spirit; FRR checks 254 too).
        if (hopLimit >= 0 && hopLimit != BfdPorts.SingleHopTtl - 1)
        {
            Drop(link, "EchoHopLimit");
            return;
        }
        session.CountEchoReceived();
        _metrics.EchoPacketInput.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
        Post(new Event(EventKind.EchoReceived, session));
    }

    /// <summary>
    /// True when a datagram from <paramref name="source"/> on the echo socket of (<paramref name="link"/>,
    /// <paramref name="local"/>) is the echo packet of a peer we run a session with and advertise a Required
    /// Min Echo RX Interval to: the transport then returns it to the sender. FRR bfdd 8.4 sends its IPv6 echo
    /// this way (UDP to our address, hop limit 255) and waits for it back with 254, where RFC 5881 section 4
    /// would have it addressed to itself and returned by our forwarding plane (which we also do).
    /// </summary>
    internal bool ReturnsPeerEcho(BfdLink link, IPAddress local, IPAddress source) =>
        _byAddress.TryGetValue((link, local, source), out var session) && session.Variables.RequiredMinEchoRxInterval != 0;

    private void Arm(BfdSession session, long now)
    {
        var deadline = session.Variables.NextDeadline;
        if (deadline == session.ArmedDeadline)
        {
            return;
        }
        session.ArmedDeadline = deadline;
        if (session.WheelHandle < 0)
        {
            session.WheelHandle = _wheel.Add(session);
        }
        _wheel.Schedule(session.WheelHandle, deadline);
    }

    private void Stop(BfdSession session, long now, double jitter)
    {
        // 6.8.16: tell the peer we are going AdminDown before we fall silent.
        var output = BfdSessionMachine.Handle(ref session.Variables, BfdInput.Of(BfdInputKind.AdminDown, now, jitter));
        if (output.Has(BfdActions.Transmit) || session.Variables.SessionState == BfdState.AdminDown)
        {
            Transmit(session, final: false);
        }
        if (output.Has(BfdActions.StateChanged))
        {
            _metrics.StateNotifications.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
            session.Publish(output.PreviousState, session.Variables.LocalDiag, Time.GetUtcNow(), Time.GetTimestamp());
        }
        session.RefreshStatus();
        session.Stopped = true;
        if (session.WheelHandle >= 0)
        {
            _wheel.Remove(session.WheelHandle);
            session.WheelHandle = -1;
        }
        _byDiscriminator.TryRemove(session.LocalDiscriminator, out _);
        _byAddress.TryRemove((session.Link, session.LocalAddress, session.PeerAddress), out _);
        ReleaseLink(session.Link);
        session.Complete();
        Log.SessionStopped(_logger, session.LocalAddress, session.PeerAddress);
    }

    internal void Receive(BfdLink link, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> source, int ttl) =>
        Receive(link, payload, source, ReadOnlySpan<byte>.Empty, ttl);

    /// <summary>
    /// A datagram arrived on <paramref name="link"/> from <paramref name="source"/> to <paramref name="destination"/>
    /// (address bytes; empty when the link is bound to one address) with <paramref name="ttl"/> (-1 when unknown). Runs on the link's receive thread: decode, find the session,
    /// check TTL and authentication, then post to the loop. Malformed packets are counted and dropped.
    /// </summary>
    internal void Receive(BfdLink link, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, int ttl)
    {
        var error = BfdControlPacketReader.TryRead(payload, copyAuthentication: false, out var packet, out _);
        if (error != BfdDecodeError.None)
        {
            Drop(link, error.ToString());
            return;
        }
        BfdSession? session;
        if (packet.YourDiscriminator != 0)
        {
            // 6.8.6: "If the Your Discriminator field is nonzero, it MUST be used to select the session".
            if (!_byDiscriminator.TryGetValue(packet.YourDiscriminator, out session) || session.Link != link)
            {
                Drop(link, "NoSession");
                return;
            }
            if (!source.SequenceEqual(session.PeerAddressBytes) || (!destination.IsEmpty && !destination.SequenceEqual(session.LocalAddressBytes)))
            {
                Drop(link, "WrongSource");
                return;
            }
        }
        else if (!_byAddress.TryGetValue((link, destination.IsEmpty ? link.LocalAddress : new IPAddress(destination), new IPAddress(source)), out session))
        {
            Drop(link, "NoSession");
            return;
        }

        // RFC 5881 section 5: single-hop packets arrive with TTL 255; RFC 5883: multihop at or above the minimum.
        var minimumTtl = link.Multihop ? session.Options.Profile.MinimumTtl : BfdPorts.SingleHopTtl;
        if (ttl >= 0 && ttl < minimumTtl)
        {
            Drop(link, "TtlTooLow");
            return;
        }
        var length = payload[3];
        var valid = true;
        if (packet.AuthenticationPresent && session.Key is { } key)
        {
            valid = key.Verify(payload[..length]);
        }
        session.CountReceived();
        _metrics.ControlPacketInput.Add(1, new KeyValuePair<string, object?>("peer", session.PeerTag));
        Deliver(new Event(EventKind.Packet, session) { Packet = packet, AuthenticationValid = valid });
    }

    internal void ReportReceiveFailure(BfdLink link, string error) => Log.ReceiveFailed(_logger, link.LocalAddress, error);

    private void Drop(BfdLink link, string reason)
    {
        _metrics.Dropped(reason);
        Log.PacketDropped(_logger, link.LocalAddress, reason);
    }
}
