using System.Numerics;

namespace BgpKit.Bfd.Timing;

/// <summary>
/// A hashed timing wheel (Varghese and Lauck) holding one deadline per entry, in microseconds on the owner's
/// clock. An entry with deadline <c>d</c> sits in slot <c>(d / tick) mod slots</c>, in an intrusive doubly linked
/// list, so scheduling, rescheduling and cancelling are O(1) and allocate nothing once the entry arrays have
/// grown to the number of sessions. <see cref="Advance"/> visits only the slots the clock passed (an occupancy
/// bitmap skips empty ones) and moves every entry whose deadline is at or before <c>now</c> to a due list,
/// which <see cref="TryTakeDue"/> drains. Deadlines are exact: an entry due at T is not due at T - 1 us and is
/// due at T, whatever the tick; the tick only decides how entries are bucketed and how often a production
/// loop needs to wake. Entries further ahead than one revolution stay in their slot and are skipped until
/// their turn comes round. Owned by one thread (the endpoint's loop); nothing here is thread-safe.
/// </summary>
/// <typeparam name="T">What an entry stands for (a session).</typeparam>
internal sealed class TimerWheel<T> where T : class
{
    /// <summary>A deadline that never falls due.</summary>
    public const long Never = long.MaxValue;

    private const int Idle = -1;     // allocated, not scheduled
    private const int Pending = -2;  // due, waiting in the due list
    private const int Free = -3;     // on the free list

    private readonly long _tick;
    private readonly int _mask;
    private readonly int[] _heads;
    private readonly ulong[] _occupied;
    private T?[] _owners;
    private long[] _deadlines;
    private int[] _next;
    private int[] _previous;
    private int[] _slot;
    private int _freeHead = -1;
    private int _allocated;
    private int[] _due = new int[64];
    private int _dueCount;
    private int _dueRead;
    private long _cursorTick;

    /// <param name="tickMicroseconds">Width of one slot.</param>
    /// <param name="slotCount">Slots in one revolution, a power of two (tick x slots is the horizon beyond which entries wait a revolution).</param>
    /// <param name="start">The owner's clock now: nothing before it is ever visited.</param>
    public TimerWheel(long tickMicroseconds = 1000, int slotCount = 4096, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tickMicroseconds, 1);
        if (slotCount < 64 || !BitOperations.IsPow2(slotCount))
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), "a power of two, at least 64");
        }
        _tick = tickMicroseconds;
        _mask = slotCount - 1;
        _heads = new int[slotCount];
        Array.Fill(_heads, -1);
        _occupied = new ulong[slotCount / 64];
        _owners = new T?[16];
        _deadlines = new long[16];
        _next = new int[16];
        _previous = new int[16];
        _slot = new int[16];
        _cursorTick = start / tickMicroseconds;
    }

    /// <summary>Slot width in microseconds.</summary>
    public long TickMicroseconds => _tick;

    /// <summary>Entries scheduled (in a slot or due and not yet taken).</summary>
    public int Scheduled { get; private set; }

    /// <summary>Creates an unscheduled entry for <paramref name="owner"/> and returns its handle.</summary>
    public int Add(T owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        int handle;
        if (_freeHead >= 0)
        {
            handle = _freeHead;
            _freeHead = _next[handle];
        }
        else
        {
            if (_allocated == _owners.Length)
            {
                var size = _allocated * 2;
                Array.Resize(ref _owners, size);
                Array.Resize(ref _deadlines, size);
                Array.Resize(ref _next, size);
                Array.Resize(ref _previous, size);
                Array.Resize(ref _slot, size);
            }
            handle = _allocated++;
        }
        _owners[handle] = owner;
        _deadlines[handle] = Never;
        _slot[handle] = Idle;
        _next[handle] = -1;
        _previous[handle] = -1;
        return handle;
    }

    /// <summary>Cancels the entry and frees its handle.</summary>
    public void Remove(int handle)
    {
        Cancel(handle);
        _owners[handle] = null;
        _slot[handle] = Free;
        _next[handle] = _freeHead;
        _freeHead = handle;
    }

    /// <summary>The entry's deadline, or <see cref="Never"/>.</summary>
    public long DeadlineOf(int handle) => _deadlines[handle];

    /// <summary>
    /// Sets the entry's deadline (<see cref="Never"/> cancels it). A deadline already passed falls due at the
    /// next <see cref="Advance"/>. An entry waiting in the due list leaves it.
    /// </summary>
    public void Schedule(int handle, long deadline)
    {
        Cancel(handle);
        if (deadline == Never)
        {
            return;
        }
        _deadlines[handle] = deadline;
        // A deadline behind the cursor goes into the cursor's slot, which the next Advance visits first.
        var tick = Math.Max(deadline / _tick, _cursorTick);
        var slot = (int)(tick & _mask);
        var head = _heads[slot];
        _next[handle] = head;
        _previous[handle] = -1;
        if (head >= 0)
        {
            _previous[head] = handle;
        }
        else
        {
            _occupied[slot >> 6] |= 1UL << slot;
        }
        _heads[slot] = handle;
        _slot[handle] = slot;
        Scheduled++;
    }

    /// <summary>Takes the entry out of its slot or the due list; its deadline becomes <see cref="Never"/>.</summary>
    public void Cancel(int handle)
    {
        var slot = _slot[handle];
        if (slot >= 0)
        {
            Unlink(handle, slot);
            Scheduled--;
        }
        else if (slot == Pending)
        {
            // Left in the due array; TryTakeDue skips it.
            Scheduled--;
        }
        else if (slot == Free)
        {
            throw new InvalidOperationException("the timer entry was removed");
        }
        _slot[handle] = Idle;
        _deadlines[handle] = Never;
    }

    private void Unlink(int handle, int slot)
    {
        var next = _next[handle];
        var previous = _previous[handle];
        if (previous >= 0)
        {
            _next[previous] = next;
        }
        else
        {
            _heads[slot] = next;
            if (next < 0)
            {
                _occupied[slot >> 6] &= ~(1UL << slot);
            }
        }
        if (next >= 0)
        {
            _previous[next] = previous;
        }
    }

    /// <summary>
    /// Moves the clock to <paramref name="now"/> and every entry due at or before it to the due list;
    /// returns how many were added. Time never goes back: an earlier <paramref name="now"/> visits nothing new.
    /// </summary>
    public int Advance(long now)
    {
        var nowTick = now / _tick;
        if (nowTick < _cursorTick)
        {
            nowTick = _cursorTick;
        }
        var added = 0;
        // One revolution visits every slot; any further would only repeat.
        var span = Math.Min(nowTick - _cursorTick, _mask);
        var slot = (int)(_cursorTick & _mask);
        for (long i = 0; i <= span; i++)
        {
            if ((_occupied[slot >> 6] & (1UL << slot)) != 0)
            {
                added += CollectDue(slot, now);
            }
            else if (i < span)
            {
                // Jump to the next occupied slot, within the span.
                var skip = NextOccupiedDistance(slot, (int)(span - i));
                i += skip - 1;
                slot = (slot + skip - 1) & _mask;
            }
            slot = (slot + 1) & _mask;
        }
        // The cursor stays on the current tick: entries later in it are not due yet.
        _cursorTick = nowTick;
        return added;
    }

    // Distance (>= 1) from slot to the next occupied slot, or limit + 1 when none within limit.
    private int NextOccupiedDistance(int slot, int limit)
    {
        for (var d = 1; d <= limit; d++)
        {
            var s = (slot + d) & _mask;
            var word = _occupied[s >> 6] >> (s & 63);
            if (word != 0)
            {
                var jump = BitOperations.TrailingZeroCount(word);
                return d + jump <= limit ? d + jump : limit + 1;
            }
            // Nothing left in this word: continue at the next word's first slot.
            d += 63 - (s & 63);
        }
        return limit + 1;
    }

    private int CollectDue(int slot, long now)
    {
        var added = 0;
        var handle = _heads[slot];
        while (handle >= 0)
        {
            var next = _next[handle];
            if (_deadlines[handle] <= now)
            {
                Unlink(handle, slot);
                _slot[handle] = Pending;
                if (_dueCount == _due.Length)
                {
                    Array.Resize(ref _due, _due.Length * 2);
                }
                _due[_dueCount++] = handle;
                added++;
            }
            handle = next;
        }
        return added;
    }

    /// <summary>
    /// Takes the next due entry in the order <see cref="Advance"/> found them: its deadline is cleared and
    /// the entry becomes unscheduled before the caller sees it, so the caller may schedule it again.
    /// </summary>
    public bool TryTakeDue(out T owner, out long deadline)
    {
        while (_dueRead < _dueCount)
        {
            var handle = _due[_dueRead++];
            if (_slot[handle] != Pending)
            {
                // Rescheduled, cancelled or removed since Advance.
                continue;
            }
            owner = _owners[handle]!;
            deadline = _deadlines[handle];
            _slot[handle] = Idle;
            _deadlines[handle] = Never;
            Scheduled--;
            return true;
        }
        _dueCount = 0;
        _dueRead = 0;
        owner = null!;
        deadline = Never;
        return false;
    }

    /// <summary>
    /// The earliest deadline of a scheduled entry within one revolution of the cursor (exact, to the
    /// microsecond); when every entry is further away, the start of the next revolution (an Advance then
    /// costs one visit and nothing fires); <see cref="Never"/> when nothing is scheduled. Due entries not
    /// yet taken count as now.
    /// </summary>
    public long NextDeadline()
    {
        if (Scheduled == 0)
        {
            return Never;
        }
        if (_dueRead < _dueCount)
        {
            return _cursorTick * _tick;
        }
        var slot = (int)(_cursorTick & _mask);
        var distance = 0;
        while (distance <= _mask)
        {
            if ((_occupied[slot >> 6] & (1UL << slot)) != 0)
            {
                // Entries of this revolution in this slot have tick == cursor + distance (or, in the cursor's
                // slot, anything earlier that was scheduled late); later revolutions lie beyond.
                var limit = (_cursorTick + distance + 1) * _tick;
                var best = Never;
                for (var h = _heads[slot]; h >= 0; h = _next[h])
                {
                    var d = _deadlines[h];
                    if (d < limit && d < best)
                    {
                        best = d;
                    }
                }
                if (best != Never)
                {
                    return best;
                }
                distance++;
                slot = (slot + 1) & _mask;
            }
            else
            {
                var skip = NextOccupiedDistance(slot, _mask - distance);
                distance += skip;
                slot = (slot + skip) & _mask;
            }
        }
        return (_cursorTick + _mask + 1) * _tick;
    }
}
