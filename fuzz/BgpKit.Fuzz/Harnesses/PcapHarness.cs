using BgpKit.Bgp.Wire;
using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// pcap and pcapng files through link, IP (fragments), TCP reassembly and BGP framing. Damage is reported as
/// values (<see cref="CaptureDecoder.Problem"/>, statistics), never thrown; reading the file through a
/// stream that hands out a few octets at a time gives the same items as reading it whole; every BGP
/// message the reassembly cuts decodes with only the typed error.
/// </summary>
internal sealed class PcapHarness : Harness
{
    public override string Name => "pcap";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Captures().ToList();

    public override void Execute(byte[] input)
    {
        var whole = Read(new MemoryStream(input));
        var trickled = Read(new TrickleStream(input));
        if (whole.Count != trickled.Count)
        {
            throw new FuzzPropertyException($"whole read gives {whole.Count} items, short reads {trickled.Count}");
        }
        for (var i = 0; i < whole.Count; i++)
        {
            if (whole[i].Kind != trickled[i].Kind || !whole[i].Data.SequenceEqual(trickled[i].Data))
            {
                throw new FuzzPropertyException($"item {i} differs between a whole read and short reads");
            }
            if (whole[i].Kind == CaptureItemKind.BgpMessage)
            {
                try
                {
                    BgpMessage.Decode(whole[i].Data, BgpDecodeContext.FourOctetAsDefault);
                }
                catch (BgpWireException e)
                {
                    BgpChecks.CheckOffset(e.Error, whole[i].Data.Length);
                }
            }
        }
    }

    private static List<(CaptureItemKind Kind, byte[] Data)> Read(Stream stream)
    {
        var items = new List<(CaptureItemKind, byte[])>();
        using var decoder = CaptureDecoder.Open(stream, out _);
        if (decoder is null)
        {
            return items;
        }
        while (decoder.TryRead(out var item))
        {
            items.Add((item.Kind, item.Data.ToArray()));
        }
        return items;
    }

    /// <summary>Returns at most 1 to 7 octets per read (a pipe or a slow disk), in a fixed pattern.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;
        private int _reads;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = Math.Min(Math.Min(buffer.Length, 1 + (_reads++ % 7)), data.Length - _position);
            data.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
