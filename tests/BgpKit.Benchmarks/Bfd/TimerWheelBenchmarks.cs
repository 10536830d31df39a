using BenchmarkDotNet.Attributes;
using BgpKit.Bfd.Timing;

namespace BgpKit.Benchmarks.Bfd;

/// <summary>
/// The endpoint's timer wheel at the load of issue 15: 5,000 sessions each re-armed every 37.5-50 ms (a 50 ms
/// transmit interval with RFC 5880 6.8.7 jitter). <c>Tick</c> is one 1 ms turn of the loop: advance the wheel,
/// take the ~114 due entries and schedule each again; <c>TickWithHeap</c> does the same with the
/// <see cref="PriorityQueue{TElement, TPriority}"/> the endpoint used before (stale entries left in and skipped).
/// </summary>
[MemoryDiagnoser]
public class TimerWheelBenchmarks
{
    private const int Sessions = 5000;
    private const long Interval = 50_000;

    private sealed class Entry
    {
        public int Handle;
        public long Deadline;
    }

    private readonly Random _random = new(15);
    private TimerWheel<Entry> _wheel = null!;
    private PriorityQueue<Entry, long> _heap = null!;
    private Entry[] _entries = null!;
    private long _now;
    private long _heapNow;

    [GlobalSetup]
    public void Setup()
    {
        _wheel = new TimerWheel<Entry>(1000, 4096);
        _heap = new PriorityQueue<Entry, long>(Sessions * 2);
        _entries = new Entry[Sessions];
        for (var i = 0; i < Sessions; i++)
        {
            var entry = new Entry { Deadline = _random.NextInt64(0, Interval) };
            entry.Handle = _wheel.Add(entry);
            _wheel.Schedule(entry.Handle, entry.Deadline);
            _heap.Enqueue(entry, entry.Deadline);
            _entries[i] = entry;
        }
    }

    private long Jittered(long now) => now + Interval - (long)(Interval * 0.25 * _random.NextDouble());

    [Benchmark(Baseline = true)]
    public int Tick()
    {
        _now += 1000;
        _wheel.Advance(_now);
        var fired = 0;
        while (_wheel.TryTakeDue(out var entry, out _))
        {
            _wheel.Schedule(entry.Handle, Jittered(_now));
            fired++;
        }
        return fired;
    }

    [Benchmark]
    public int TickWithHeap()
    {
        _heapNow += 1000;
        var fired = 0;
        while (_heap.TryPeek(out var entry, out var deadline) && deadline <= _heapNow)
        {
            _heap.Dequeue();
            if (deadline != entry.Deadline)
            {
                continue;
            }
            entry.Deadline = Jittered(_heapNow);
            _heap.Enqueue(entry, entry.Deadline);
            fired++;
        }
        return fired;
    }

    /// <summary>A received packet moves a deadline that is already armed (detection time restarted).</summary>
    [Benchmark(OperationsPerInvoke = Sessions)]
    public void RescheduleEveryEntry()
    {
        foreach (var entry in _entries)
        {
            _wheel.Schedule(entry.Handle, Jittered(_now));
        }
    }

    [Benchmark]
    public long NextDeadline() => _wheel.NextDeadline();
}
