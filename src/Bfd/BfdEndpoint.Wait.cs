using System.Runtime.InteropServices;
using BgpKit.Bfd.Session;
using BgpKit.Bfd.Transport;
using static BgpKit.Bfd.Transport.LinuxSocketCalls;

namespace BgpKit.Bfd;

// How the production loop waits between turns: until the wheel's next deadline, a datagram on a polled
// socket, or a Post; and, while busy, no more than once per wheel tick, so that each turn handles a tick's
// worth of packets and deadlines with one recvmmsg and one sendmmsg per socket.
public sealed partial class BfdEndpoint
{
    private PollFd[] _pollFds = [];
    private BfdLink[]? _polledFor;
    // The loop's clock starts at 0, so the first turn never waits for a previous one.
    private long _lastWake = -WheelTick;

    private void Wait(BfdLink[] links)
    {
        var now = NowMicroseconds;
        var next = _wheel.NextDeadline();
        if (_eventFd < 0)
        {
            WaitPortable(now, next);
            return;
        }
        var sinceWake = now - _lastWake;
        if (sinceWake is >= 0 and < WheelTick)
        {
            // The last turn began less than a tick ago: let the tick's packets gather instead of taking them one by one.
            SleepMicroseconds(WheelTick - sinceWake);
            now = NowMicroseconds;
        }
        // Round the deadline up to the tick: deadlines close together are served by one wake.
        var timeout = next == BfdSessionVariables.Never ? -1 : Math.Max(0, (next + WheelTick - 1) / WheelTick * WheelTick - now);
        var count = PreparePoll(links);
        Interlocked.Exchange(ref _waiting, 1);
        if (_queue.IsEmpty && !_stopping)
        {
            Poll(count, timeout);
        }
        Volatile.Write(ref _waiting, 0);
        _lastWake = NowMicroseconds;
    }

    private void WaitPortable(long now, long next)
    {
        Interlocked.Exchange(ref _waiting, 1);
        if (_queue.IsEmpty && !_stopping)
        {
            // Round up: waking a little late is fine (the machine checks "now >= deadline"), early is a wasted turn.
            var wait = next == BfdSessionVariables.Never ? 1000 : (int)Math.Clamp((next - now + 999) / 1000, 0, 1000);
            _wake.Wait(wait);
        }
        Volatile.Write(ref _waiting, 0);
        _wake.Reset();
    }

    // pollfd 0 is the eventfd; then one per link that has a polled socket. Rebuilt when the links change.
    private int PreparePoll(BfdLink[] links)
    {
        if (!ReferenceEquals(links, _polledFor))
        {
            var fds = new List<PollFd> { new() { Fd = _eventFd, Events = PollIn } };
            foreach (var link in links)
            {
                if (link.PolledSocket is { IsInvalid: false, IsClosed: false } socket)
                {
                    fds.Add(new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = PollIn });
                }
            }
            _pollFds = [.. fds];
            _polledFor = links;
        }
        return _pollFds.Length;
    }

    private unsafe void Poll(int count, long timeoutMicroseconds)
    {
        var timeout = new TimeSpec { Seconds = timeoutMicroseconds / 1_000_000, Nanoseconds = timeoutMicroseconds % 1_000_000 * 1000 };
        int ready;
        fixed (PollFd* fds = _pollFds)
        {
            for (var i = 0; i < count; i++)
            {
                fds[i].ReturnedEvents = 0;
            }
            // A link disposed after PreparePoll leaves a closed descriptor: ppoll reports it (POLLNVAL) or, if the
            // number was reused, a spurious wake; either costs one extra turn, never a lost packet.
            ready = PPoll(fds, (nuint)count, timeoutMicroseconds < 0 ? null : &timeout, null);
        }
        if (ready > 0 && _pollFds[0].ReturnedEvents != 0)
        {
            Drain(_eventFd);
        }
    }

    private static unsafe void SleepMicroseconds(long microseconds)
    {
        // ppoll on no descriptors: a sleep with nanosecond resolution that Thread.Sleep's milliseconds lack.
        var timeout = new TimeSpec { Seconds = microseconds / 1_000_000, Nanoseconds = microseconds % 1_000_000 * 1000 };
        PPoll(null, 0, &timeout, null);
    }
}
