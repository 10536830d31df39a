using System.Buffers.Binary;
using BgpKit.Bgp.Wire.IO;

namespace BgpKit.Bgp.Wire.Capture;

/// <summary>
/// Reads frames one at a time from a libpcap or pcapng capture (either byte order, compressed or not).
/// A damaged or truncated file ends the read with <see cref="Problem"/> set; it never throws for bad content.
/// </summary>
public sealed partial class CaptureFileReader : IDisposable
{
    /// <summary>No block or record may claim more than this; larger values mean the file is damaged.</summary>
    internal const int MaxBlockLength = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly CaptureFormat _format;
    private byte[] _buffer = new byte[1 << 16];
    private bool _done;

    private CaptureFileReader(Stream stream, CaptureFormat format)
    {
        _stream = stream;
        _format = format;
    }

    /// <summary>Whether the file was pcap or pcapng.</summary>
    public CaptureFormat Format => _format;

    /// <summary>Why reading stopped before the end of the file, or null when it reached the end cleanly.</summary>
    public string? Problem { get; private set; }

    /// <summary>Frames read so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>
    /// Tells whether <paramref name="head"/> (the first decompressed octets of a file) starts a pcap or pcapng capture.
    /// </summary>
    public static bool IsCapture(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4)
        {
            return false;
        }
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        return magic is PcapMagicMicros or PcapMagicNanos or PcapMagicModified
            || BinaryPrimitives.ReverseEndianness(magic) is PcapMagicMicros or PcapMagicNanos or PcapMagicModified
            || magic == SectionHeaderBlockType;
    }

    /// <summary>
    /// Starts reading a capture from <paramref name="stream"/> (already decompressed: see <see cref="CompressedInput"/>).
    /// Returns null and sets <paramref name="problem"/> when the stream is neither pcap nor pcapng. Takes ownership of the stream.
    /// </summary>
    public static CaptureFileReader? Open(Stream stream, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[4];
        if (stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 4)
        {
            problem = "file is shorter than a capture header";
            stream.Dispose();
            return null;
        }
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        if (magic == SectionHeaderBlockType)
        {
            var reader = new CaptureFileReader(stream, CaptureFormat.PcapNg);
            problem = reader.StartPcapNg() ? null : reader.Problem;
            return reader;
        }
        var pcap = new CaptureFileReader(stream, CaptureFormat.Pcap);
        if (!pcap.StartPcap(magic))
        {
            problem = pcap.Problem;
            pcap.Dispose();
            return null;
        }
        problem = null;
        return pcap;
    }

    /// <summary>Reads the next frame; false at the end of the file or when the file is damaged (see <see cref="Problem"/>).</summary>
    public bool TryReadFrame(out CaptureFrame frame)
    {
        frame = default;
        if (_done)
        {
            return false;
        }
        var ok = _format == CaptureFormat.Pcap ? TryReadPcapRecord(out frame) : TryReadPcapNgFrame(out frame);
        if (!ok)
        {
            _done = true;
            return false;
        }
        FrameCount++;
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    /// <summary>Reads exactly <paramref name="count"/> octets into the scratch buffer; false (with a problem) on a short file.</summary>
    private bool Fill(int count, string what, bool endIsClean = false)
    {
        // Grow with the octets that arrive, not with the length a header claims: a damaged block length in a
        // file of a few hundred octets must not reserve megabytes (found by AFL++, fuzz/regressions/pcap).
        var read = 0;
        while (read < count)
        {
            if (read == _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Min(count, 2L * _buffer.Length));
            }
            var got = _stream.Read(_buffer.AsSpan(read, Math.Min(count, _buffer.Length) - read));
            if (got == 0)
            {
                break;
            }
            read += got;
        }
        if (read == count)
        {
            return true;
        }
        if (!(endIsClean && read == 0))
        {
            Problem = $"truncated {what}: {read} of {count} octets";
        }
        return false;
    }

    private bool Fail(string problem)
    {
        Problem = problem;
        return false;
    }
}

/// <summary>The two capture file formats.</summary>
public enum CaptureFormat
{
    /// <summary>The classic libpcap format.</summary>
    Pcap,
    /// <summary>The pcapng block format.</summary>
    PcapNg,
}
