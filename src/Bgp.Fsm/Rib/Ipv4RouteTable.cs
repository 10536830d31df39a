using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm;

/// <summary>
/// The IPv4 routes of an Adj-RIB-In without ADD-PATH (almost all of them), stored without per-route objects: a
/// chained hash table over parallel arrays, 21 octets a route (4-octet address and 4-octet chain link, a 1-octet
/// length, the 8-octet reference to the interned attribute set, a 4-octet bucket) where a
/// <c>Dictionary&lt;Nlri, PathAttributes&gt;</c> entry takes 52. Buckets follow <see cref="RouteKeyComparer"/>:
/// the network number (keyed per process), so prefixes that arrive in address order land in neighbouring buckets,
/// and a prime bucket count spreads the progressions tables are made of. Not thread-safe: the Adj-RIB-In locks.
/// </summary>
internal sealed class Ipv4RouteTable
{
    private int[] _buckets = [];      // 1-based index of the first entry of each chain; 0: empty
    private uint[] _addresses = [];
    private int[] _next = [];         // 1-based index of the next entry of the chain; 0: end
    private byte[] _lengths = [];
    private PathAttributes?[] _values = []; // null: a free slot
    private int _used;                // slots handed out so far (free ones included)
    private int _free;                // 1-based head of the free list (chained through _next); 0: none
    private ulong _fastModMultiplier;

    public int Count { get; private set; }

    /// <summary>The slot of <paramref name="prefix"/>'s value, added (null) when absent; <paramref name="exists"/> says which.</summary>
    public ref PathAttributes? GetValueRefOrAddDefault(Prefix prefix, out bool exists)
    {
        var address = prefix.IPv4Address;
        var length = (byte)prefix.Length;
        if (_buckets.Length == 0)
        {
            Resize(HashHelpers.GetPrime(16));
        }
        var bucket = Bucket(address, length);
        for (var i = _buckets[bucket]; i != 0; i = _next[i - 1])
        {
            if (_addresses[i - 1] == address && _lengths[i - 1] == length)
            {
                exists = true;
                return ref _values[i - 1];
            }
        }
        int slot;
        if (_free != 0)
        {
            slot = _free - 1;
            _free = _next[slot];
        }
        else
        {
            if (_used == _addresses.Length)
            {
                Resize(HashHelpers.ExpandPrime(_used));
                bucket = Bucket(address, length);
            }
            slot = _used++;
        }
        _addresses[slot] = address;
        _lengths[slot] = length;
        _next[slot] = _buckets[bucket];
        _buckets[bucket] = slot + 1;
        Count++;
        exists = false;
        return ref _values[slot];
    }

    public bool TryGetValue(Prefix prefix, out PathAttributes? value)
    {
        var i = Find(prefix.IPv4Address, (byte)prefix.Length);
        value = i < 0 ? null : _values[i];
        return i >= 0;
    }

    public bool Remove(Prefix prefix)
    {
        if (_buckets.Length == 0)
        {
            return false;
        }
        var address = prefix.IPv4Address;
        var length = (byte)prefix.Length;
        var bucket = Bucket(address, length);
        var previous = 0;
        for (var i = _buckets[bucket]; i != 0; previous = i, i = _next[i - 1])
        {
            if (_addresses[i - 1] != address || _lengths[i - 1] != length)
            {
                continue;
            }
            if (previous == 0)
            {
                _buckets[bucket] = _next[i - 1];
            }
            else
            {
                _next[previous - 1] = _next[i - 1];
            }
            _values[i - 1] = null;
            _next[i - 1] = _free;
            _free = i;
            Count--;
            return true;
        }
        return false;
    }

    public void Clear()
    {
        _buckets = [];
        _addresses = [];
        _next = [];
        _lengths = [];
        _values = [];
        _used = 0;
        _free = 0;
        Count = 0;
    }

    public void EnsureCapacity(int capacity)
    {
        if (capacity > _addresses.Length)
        {
            Resize(HashHelpers.GetPrime(capacity));
        }
    }

    /// <summary>The routes, in slot order.</summary>
    public IEnumerable<KeyValuePair<Nlri, PathAttributes>> Entries()
    {
        for (var i = 0; i < _used; i++)
        {
            if (_values[i] is { } value)
            {
                yield return new(Prefix.FromIPv4(_addresses[i], _lengths[i]), value);
            }
        }
    }

    private int Find(uint address, byte length)
    {
        if (_buckets.Length == 0)
        {
            return -1;
        }
        for (var i = _buckets[Bucket(address, length)]; i != 0; i = _next[i - 1])
        {
            if (_addresses[i - 1] == address && _lengths[i - 1] == length)
            {
                return i - 1;
            }
        }
        return -1;
    }

    private int Bucket(uint address, byte length) =>
        (int)HashHelpers.FastMod((uint)RouteKeyComparer.HashIPv4(address, length), (uint)_buckets.Length, _fastModMultiplier);

    private void Resize(int size)
    {
        Array.Resize(ref _addresses, size);
        Array.Resize(ref _next, size);
        Array.Resize(ref _lengths, size);
        Array.Resize(ref _values, size);
        _buckets = new int[size];
        _fastModMultiplier = HashHelpers.GetFastModMultiplier((uint)size);
        for (var i = 0; i < _used; i++)
        {
            if (_values[i] is not null)
            {
                var bucket = Bucket(_addresses[i], _lengths[i]);
                _next[i] = _buckets[bucket];
                _buckets[bucket] = i + 1;
            }
        }
        // Free slots were chained through _next, which the rehash rewrote: rebuild the free list.
        _free = 0;
        for (var i = _used - 1; i >= 0; i--)
        {
            if (_values[i] is null)
            {
                _next[i] = _free;
                _free = i + 1;
            }
        }
    }

    /// <summary>Prime sizes and the division-free modulo, as the runtime's Dictionary uses them.</summary>
    private static class HashHelpers
    {
        private static readonly int[] Primes =
        [
            17, 37, 79, 163, 331, 673, 1361, 2729, 5471, 10949, 21911, 43853, 87719, 175447, 350899, 701819,
            1403641, 2807303, 5614657, 11229331, 22458671, 44917381, 89834777, 179669557, 359339171, 718678369, 1437356741,
        ];

        public static int GetPrime(int min)
        {
            foreach (var p in Primes)
            {
                if (p >= min)
                {
                    return p;
                }
            }
            return min;
        }

        public static int ExpandPrime(int size) => GetPrime(Math.Max(2 * size, 16));

        public static ulong GetFastModMultiplier(uint divisor) => ulong.MaxValue / divisor + 1;

        public static uint FastMod(uint value, uint divisor, ulong multiplier) =>
            (uint)(((((multiplier * value) >> 32) + 1) * divisor) >> 32);
    }
}
