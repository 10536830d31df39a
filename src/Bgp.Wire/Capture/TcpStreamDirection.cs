using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// One direction of a TCP connection: puts segments back in sequence order (dropping retransmitted
/// octets, holding early ones) and cuts the resulting byte stream into BGP messages by their header.
/// </summary>
/// <remarks>
/// Where segments overlap with different octets (a retransmission that does not repeat what was sent),
/// the octets seen first are kept, as Wireshark's TCP reassembly does; a later segment only contributes
/// the octets nobody carried before it. Sequence numbers are compared modulo 2^32 (RFC 9293 3.4), so a
/// stream may cross 2^32 anywhere.
/// Both buffers are bounded. When held-back segments exceed <see cref="MaxPendingOctets"/> the missing
/// octets are declared lost: the stream skips the gap and looks for the next BGP marker.
/// </remarks>
internal sealed class TcpStreamDirection
{
    internal const int BgpHeaderLength = 19;
    internal const int MaxBgpMessageLength = 65535;
    internal const int MaxPendingOctets = 1 << 20;
    internal const int MaxPendingSegments = 64;

    private readonly SortedList<uint, byte[]> _pending = new();
    private int _pendingOctets;
    private bool _started;
    private bool _sawSyn;
    private uint _isn;
    private uint _next; // relative to _isn
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _count;
    private bool _resync;

    /// <summary>Octets skipped because they were never captured or did not start with a BGP marker.</summary>
    public long SkippedOctets { get; private set; }

    /// <summary>Gaps in the sequence space that were given up on.</summary>
    public int Gaps { get; private set; }

    /// <summary>Octets received in order and not yet cut into a message.</summary>
    public int Buffered => _count;

    /// <summary>The in-order octets that are not yet a whole message.</summary>
    public ReadOnlyMemory<byte> Remainder => _buffer.AsMemory(_start, _count);

    /// <summary>Restarts the direction for a new connection on the same addresses and ports.</summary>
    public void Reset(uint initialSequence)
    {
        _pending.Clear();
        _pendingOctets = 0;
        _started = true;
        _sawSyn = true;
        _isn = initialSequence;
        _next = 1; // the SYN takes one sequence number
        _start = 0;
        _count = 0;
        _resync = false;
    }

    /// <summary>Whether a SYN (or the first data) has fixed the sequence origin.</summary>
    public bool Started => _started;

    /// <summary>
    /// Whether a SYN with <paramref name="initialSequence"/> repeats the SYN that opened this direction
    /// (a retransmission, not a new connection): its data is then an ordinary retransmission.
    /// </summary>
    public bool IsSameSyn(uint initialSequence) => _sawSyn && initialSequence == _isn;

    /// <summary>
    /// Adds one segment's payload. Data before the next expected octet (a retransmission) is trimmed;
    /// data after it is held until the gap fills.
    /// </summary>
    public void Add(uint sequence, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (!_started)
        {
            // The capture began mid-connection: take the first data seen as the origin and find a marker.
            _started = true;
            _isn = sequence;
            _next = 0;
            _resync = true;
        }
        var relative = sequence - _isn;
        var ahead = (int)(relative - _next);
        if (ahead <= 0)
        {
            // In long arithmetic: a segment exactly 2^31 behind gives ahead == int.MinValue, whose negation
            // overflows to a negative slice start (found by AFL++, fuzz/regressions/pcap).
            var overlap = -(long)ahead;
            if (overlap >= data.Length)
            {
                return; // a pure retransmission
            }
            if (_pending.Count == 0)
            {
                Append(data[(int)overlap..]);
                return;
            }
            // Held segments may already carry some of these octets: theirs came first and are kept.
            relative = _next;
            data = data[(int)overlap..];
        }
        Hold(relative, data);
        DrainPending();
    }

    /// <summary>Holds the octets of <paramref name="data"/> that no held segment carries yet.</summary>
    private void Hold(uint relative, ReadOnlySpan<byte> data)
    {
        var position = relative;
        var end = relative + (uint)data.Length;
        var pieces = new List<(uint Start, uint End)>();
        for (var i = 0; i < _pending.Count && position < end; i++)
        {
            var heldStart = _pending.Keys[i];
            var heldEnd = heldStart + (uint)_pending.Values[i].Length;
            if (heldEnd <= position)
            {
                continue;
            }
            if (heldStart >= end)
            {
                break;
            }
            if (heldStart > position)
            {
                pieces.Add((position, heldStart));
            }
            position = Math.Max(position, heldEnd);
        }
        if (position < end)
        {
            pieces.Add((position, end));
        }
        foreach (var (start, stop) in pieces)
        {
            _pending[start] = data[(int)(start - relative)..(int)(stop - relative)].ToArray();
            _pendingOctets += (int)(stop - start);
        }
        if (_pendingOctets > MaxPendingOctets || _pending.Count > MaxPendingSegments)
        {
            // The missing octets are not coming (the capture lost them): skip to the earliest held segment.
            SkipGap();
        }
    }

    /// <summary>Whether segments are held behind a gap.</summary>
    public bool HasGap => _pending.Count > 0;

    /// <summary>
    /// Gives up on the octets missing before the earliest held segment: what was buffered before the gap
    /// is dropped (a message cut by the gap cannot be decoded) and the stream looks for the next marker.
    /// </summary>
    public void SkipGap()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var first = _pending.Keys[0];
        SkippedOctets += (first - _next) + (uint)_count;
        Gaps++;
        _next = first;
        _resync = true;
        _start = 0;
        _count = 0;
        DrainPending();
    }

    private void DrainPending()
    {
        while (_pending.Count > 0)
        {
            var relative = _pending.Keys[0];
            var ahead = (int)(relative - _next);
            if (ahead > 0)
            {
                return;
            }
            var data = _pending.Values[0];
            _pending.RemoveAt(0);
            _pendingOctets -= data.Length;
            if (-ahead < data.Length)
            {
                Append(data.AsSpan(-ahead));
            }
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_start + _count + data.Length > _buffer.Length)
        {
            if (_count + data.Length <= _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _count);
            }
            else
            {
                var grown = new byte[Math.Max(_buffer.Length * 2, _count + data.Length)];
                Buffer.BlockCopy(_buffer, _start, grown, 0, _count);
                _buffer = grown;
            }
            _start = 0;
        }
        data.CopyTo(_buffer.AsSpan(_start + _count));
        _count += data.Length;
        _next += (uint)data.Length;
    }

    /// <summary>
    /// Cuts the next whole BGP message off the in-order stream. A message whose length field is below 19
    /// is skipped (counted) and the stream resynchronised on the next marker; the codec judges the rest.
    /// The returned memory is valid until the next <see cref="Add"/>.
    /// </summary>
    public bool TryTakeMessage(out ReadOnlyMemory<byte> message)
    {
        message = default;
        while (true)
        {
            if (_resync && !FindMarker())
            {
                return false;
            }
            if (_count < BgpHeaderLength)
            {
                return false;
            }
            var span = _buffer.AsSpan(_start, _count);
            if (span[..16].IndexOfAnyExcept((byte)0xFF) >= 0)
            {
                _resync = true;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[16..]);
            if (length < BgpHeaderLength)
            {
                Consume(1);
                SkippedOctets++;
                _resync = true;
                continue;
            }
            if (_count < length)
            {
                return false;
            }
            message = _buffer.AsMemory(_start, length);
            Consume(length);
            return true;
        }
    }

    private void Consume(int count)
    {
        _start += count;
        _count -= count;
        if (_count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Drops octets up to the next 16-octet marker; false when none is buffered yet.</summary>
    /// <remarks>In a longer run of 0xFF the marker is taken as the last 16 (the run's head is the end of
    /// damaged data); a message of 65280 octets or more after such a run is not found again.</remarks>
    private bool FindMarker()
    {
        var span = _buffer.AsSpan(_start, _count);
        var run = 0;
        for (var i = 0; i < span.Length; i++)
        {
            run = span[i] == 0xFF ? run + 1 : 0;
            if (run < 16)
            {
                continue;
            }
            var markerStart = i - 15;
            if (i + 1 == span.Length)
            {
                SkippedOctets += markerStart;
                Consume(markerStart);
                return false;
            }
            if (span[i + 1] != 0xFF)
            {
                SkippedOctets += markerStart;
                Consume(markerStart);
                _resync = false;
                return true;
            }
        }
        // Keep a possible partial marker at the end.
        var keep = Math.Min(run, 15);
        SkippedOctets += span.Length - keep;
        Consume(span.Length - keep);
        return false;
    }
}
