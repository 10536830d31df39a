namespace BgpKit.Bgp.Wire.Mrt;

//  MRT common header (RFC 6396 2), 12 octets; _ET types add a microsecond field (RFC 6396 3):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           Timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |            Subtype            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                             Length                            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Message... (variable)                    |

/// <summary>One MRT record: its header fields and body octets.</summary>
/// <remarks>The body is valid until the next record is read from the same reader.</remarks>
public readonly struct MrtRecord
{
    internal MrtRecord(uint timestamp, int microseconds, ushort type, ushort subtype, ReadOnlyMemory<byte> body, long index)
    {
        Timestamp = timestamp;
        Microseconds = microseconds;
        Type = type;
        Subtype = subtype;
        Body = body;
        Index = index;
    }

    /// <summary>Seconds since 1970-01-01 UTC.</summary>
    public uint Timestamp { get; }

    /// <summary>The microsecond part of the time for BGP4MP_ET records, otherwise 0.</summary>
    public int Microseconds { get; }

    /// <summary>The MRT type (see <see cref="MrtRecordType"/>).</summary>
    public ushort Type { get; }

    /// <summary>The subtype, whose meaning depends on <see cref="Type"/>.</summary>
    public ushort Subtype { get; }

    /// <summary>The record body after the header (and after the microsecond field of _ET types).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The record's position in the file, from 0.</summary>
    public long Index { get; }
}
