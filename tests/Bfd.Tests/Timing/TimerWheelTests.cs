using BgpKit.Bfd.Timing;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bfd.Tests.Timing;

/// <summary>The hashed timer wheel: exact deadlines whatever the tick, O(1) rescheduling, far-future entries.</summary>
public sealed class TimerWheelTests
{
    private sealed class Owner(string name)
    {
        public override string ToString() => name;
    }

    private static List<Owner> Take(TimerWheel<Owner> wheel)
    {
        var due = new List<Owner>();
        while (wheel.TryTakeDue(out var owner, out _))
        {
            due.Add(owner);
        }
        return due;
    }

    [Fact]
    public void An_entry_is_not_due_one_microsecond_before_its_deadline_and_is_due_at_it()
    {
        var wheel = new TimerWheel<Owner>(tickMicroseconds: 1000, slotCount: 64);
        var a = new Owner("a");
        var h = wheel.Add(a);
        wheel.Schedule(h, 50_400);
        Assert.Equal(50_400, wheel.NextDeadline());
        Assert.Equal(0, wheel.Advance(50_399));
        Assert.Empty(Take(wheel));
        Assert.Equal(1, wheel.Advance(50_400));
        Assert.Equal([a], Take(wheel));
        Assert.Equal(0, wheel.Scheduled);
        Assert.Equal(TimerWheel<Owner>.Never, wheel.NextDeadline());
    }

    [Fact]
    public void Entries_in_one_slot_fire_only_when_their_own_deadline_passes()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        var (early, late) = (new Owner("early"), new Owner("late"));
        wheel.Schedule(wheel.Add(early), 7_100);
        wheel.Schedule(wheel.Add(late), 7_900);
        wheel.Advance(7_500);
        Assert.Equal([early], Take(wheel));
        Assert.Equal(7_900, wheel.NextDeadline());
        wheel.Advance(7_899);
        Assert.Empty(Take(wheel));
        wheel.Advance(7_900);
        Assert.Equal([late], Take(wheel));
    }

    [Fact]
    public void Rescheduling_moves_an_entry_and_cancelling_removes_it()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        var a = new Owner("a");
        var b = new Owner("b");
        var ha = wheel.Add(a);
        var hb = wheel.Add(b);
        wheel.Schedule(ha, 10_000);
        wheel.Schedule(hb, 20_000);
        wheel.Schedule(ha, 30_000);
        wheel.Cancel(hb);
        Assert.Equal(1, wheel.Scheduled);
        Assert.Equal(30_000, wheel.NextDeadline());
        wheel.Advance(29_999);
        Assert.Empty(Take(wheel));
        wheel.Advance(30_000);
        Assert.Equal([a], Take(wheel));
    }

    [Fact]
    public void A_deadline_more_than_one_revolution_ahead_waits_for_its_turn()
    {
        // 64 slots of 1 ms: a revolution is 64 ms; 200 ms is three revolutions and a bit ahead.
        var wheel = new TimerWheel<Owner>(1000, 64);
        var far = new Owner("far");
        wheel.Schedule(wheel.Add(far), 200_000);
        // Nothing within a revolution: the wheel asks to be woken at the next revolution, not at 200 ms.
        Assert.Equal(64_000, wheel.NextDeadline());
        for (var t = 0L; t < 200_000; t += 1_000)
        {
            wheel.Advance(t);
            Assert.Empty(Take(wheel));
        }
        wheel.Advance(199_999);
        Assert.Empty(Take(wheel));
        Assert.Equal(200_000, wheel.NextDeadline());
        wheel.Advance(200_000);
        Assert.Equal([far], Take(wheel));
    }

    [Fact]
    public void A_long_jump_fires_everything_that_fell_due_on_the_way_in_one_advance()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        var owners = Enumerable.Range(0, 10).Select(i => new Owner(i.ToString())).ToArray();
        for (var i = 0; i < owners.Length; i++)
        {
            wheel.Schedule(wheel.Add(owners[i]), 5_000 + i * 37_000);
        }
        // 10 s later: far past a revolution; every entry is due, and only once.
        Assert.Equal(10, wheel.Advance(10_000_000));
        Assert.Equal(owners.ToHashSet(), Take(wheel).ToHashSet());
        Assert.Equal(0, wheel.Advance(20_000_000));
    }

    [Fact]
    public void A_deadline_already_past_falls_due_at_the_next_advance()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        wheel.Advance(100_000);
        var late = new Owner("late");
        wheel.Schedule(wheel.Add(late), 42);
        Assert.Equal(42, wheel.NextDeadline());
        wheel.Advance(100_000);
        Assert.Equal([late], Take(wheel));
    }

    [Fact]
    public void An_entry_rescheduled_while_waiting_in_the_due_list_is_not_handed_out()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        var (a, b) = (new Owner("a"), new Owner("b"));
        var ha = wheel.Add(a);
        var hb = wheel.Add(b);
        wheel.Schedule(ha, 1_000);
        wheel.Schedule(hb, 1_000);
        wheel.Advance(1_000);
        Assert.True(wheel.TryTakeDue(out var first, out var deadline));
        Assert.Equal(1_000, deadline);
        // Handling the first moves the other (as a session's event may move another's deadline).
        var other = ReferenceEquals(first, a) ? hb : ha;
        wheel.Schedule(other, 5_000);
        Assert.False(wheel.TryTakeDue(out _, out _));
        Assert.Equal(5_000, wheel.NextDeadline());
    }

    [Fact]
    public void Removed_handles_are_reused_and_a_removed_entry_cannot_be_scheduled()
    {
        var wheel = new TimerWheel<Owner>(1000, 64);
        var h = wheel.Add(new Owner("a"));
        wheel.Schedule(h, 3_000);
        wheel.Remove(h);
        Assert.Equal(0, wheel.Scheduled);
        Assert.Throws<InvalidOperationException>(() => wheel.Schedule(h, 4_000));
        Assert.Equal(h, wheel.Add(new Owner("b")));
    }

    /// <summary>
    /// Against a plain sorted model: random schedules, cancels and advances (small wheel, so entries lap it);
    /// after each advance the wheel hands out exactly the entries whose deadline is at or before now, and its
    /// next deadline is the model's earliest whenever that lies within one revolution.
    /// </summary>
    [Fact]
    public void Fires_exactly_what_a_sorted_model_fires()
    {
        var property = Prop.ForAll(BfdArbitraries.WheelOperations, operations => { RunAgainstModel(operations); return true; });
        Check.One(BfdArbitraries.Config, property);
    }

    private static void RunAgainstModel(int[] operations)
    {
        const long tick = 1000;
        const int slots = 64;
        var wheel = new TimerWheel<Owner>(tick, slots);
        var owners = Enumerable.Range(0, 8).Select(i => new Owner(i.ToString())).ToArray();
        var handles = owners.Select(wheel.Add).ToArray();
        var model = new long?[owners.Length];
        long now = 0;
        foreach (var op in operations ?? [])
        {
            var index = (op & 0x7FFFFFFF) % owners.Length;
            switch ((op >> 8 & 0xFF) % 4)
            {
                case 0:
                case 1:
                    var deadline = now + ((op & 0x7FFFFFFF) >> 3) % 300_000;
                    wheel.Schedule(handles[index], deadline);
                    model[index] = deadline;
                    break;
                case 2:
                    wheel.Cancel(handles[index]);
                    model[index] = null;
                    break;
                default:
                    now += ((op & 0x7FFFFFFF) >> 4) % 90_000;
                    wheel.Advance(now);
                    var fired = Take(wheel).Select(o => Array.IndexOf(owners, o)).ToHashSet();
                    var expected = Enumerable.Range(0, owners.Length).Where(i => model[i] <= now).ToHashSet();
                    Assert.Equal(expected, fired);
                    foreach (var i in expected)
                    {
                        model[i] = null;
                    }
                    break;
            }
            var earliest = model.Where(d => d is not null).Select(d => d!.Value).DefaultIfEmpty(TimerWheel<Owner>.Never).Min();
            var next = wheel.NextDeadline();
            if (earliest < (now / tick + slots) * tick)
            {
                Assert.Equal(Math.Max(earliest, 0), next);
            }
            else
            {
                Assert.True(next <= earliest);
            }
        }
    }
}
