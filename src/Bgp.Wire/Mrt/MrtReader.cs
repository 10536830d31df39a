using System.Buffers.Binary;
using BgpKit.Bgp.Wire.IO;

namespace BgpKit.Bgp.Wire.Mrt;

/// <summary>
/// Streams MRT records (RFC 6396) one at a time from a file that may be gzip- or bzip2-compressed.
/// Reading stops with <see cref="Problem"/> set when the file is truncated or a header is implausible;
/// the body of each record is decoded separately (see <see cref="MrtRib"/>, <see cref="MrtBgp4Mp"/>, <see cref="MrtTableDump"/>), so a damaged body
/// costs one record, not the file.
/// </summary>
public sealed class MrtReader : IDisposable
{
    /// <summary>No record may claim more; a larger length means the header is damaged.</summary>
    public const int MaxRecordLength = 64 * 1024 * 1024;

    private const int HeaderLength = 12;
    private readonly Stream _stream;
    private readonly byte[] _header = new byte[HeaderLength];
    private byte[] _body = new byte[1 << 16];
    private bool _done;

    /// <summary>Reads records from an already decompressed stream (see <see cref="CompressedInput"/>); owns it.</summary>
    public MrtReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Opens a file, decompressing by content.</summary>
    public static MrtReader OpenFile(string path) => new(CompressedInput.OpenFile(path));

    /// <summary>Why reading stopped before the end of the file, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Records read so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Reads the next record; false at the end of the file or when it is truncated (see <see cref="Problem"/>).</summary>
    public bool TryReadRecord(out MrtRecord record)
    {
        record = default;
        if (_done)
        {
            return false;
        }
        var read = _stream.ReadAtLeast(_header, HeaderLength, throwOnEndOfStream: false);
        if (read < HeaderLength)
        {
            if (read > 0)
            {
                Problem = $"record {RecordCount}: truncated header ({read} of {HeaderLength} octets)";
            }
            _done = true;
            return false;
        }
        var timestamp = BinaryPrimitives.ReadUInt32BigEndian(_header);
        var type = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(4));
        var subtype = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(6));
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(8));
        if (length > MaxRecordLength)
        {
            Problem = $"record {RecordCount}: length {length} is implausible (type {type}, subtype {subtype})";
            _done = true;
            return false;
        }
        var got = ReadBody((int)length);
        if (got < length)
        {
            Problem = $"record {RecordCount}: truncated body ({got} of {length} octets, type {type}, subtype {subtype})";
            _done = true;
            return false;
        }
        var body = _body.AsMemory(0, (int)length);
        var microseconds = 0;
        if (type == (ushort)MrtRecordType.Bgp4MpEt && length >= 4)
        {
            microseconds = (int)BinaryPrimitives.ReadUInt32BigEndian(body.Span);
            body = body[4..];
        }
        record = new MrtRecord(timestamp, microseconds, type, subtype, body, RecordCount);
        RecordCount++;
        return true;
    }

    /// <summary>
    /// Reads <paramref name="length"/> octets into the body buffer, growing it with what arrives rather than
    /// with what the header claims: a damaged length in a file of a few hundred octets must not reserve
    /// 64 MiB (found by AFL++, fuzz/regressions/mrt). The buffer never exceeds twice the octets read.
    /// </summary>
    private int ReadBody(int length)
    {
        var got = 0;
        while (got < length)
        {
            if (got == _body.Length)
            {
                Array.Resize(ref _body, (int)Math.Min(length, 2L * _body.Length));
            }
            var read = _stream.Read(_body.AsSpan(got, Math.Min(length, _body.Length) - got));
            if (read == 0)
            {
                break;
            }
            got += read;
        }
        return got;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
