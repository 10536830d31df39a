using BgpKit.Bgp.Wire;
using BgpKit.Bgp.Wire.Mrt;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// MRT records: the reader and every body decoder report damage as values (never an exception), and the
/// BGP messages and RIB attributes inside decode with only the typed error. MRT has no encoder, so there
/// is no round trip here.
/// </summary>
internal sealed class MrtHarness : Harness
{
    public override string Name => "mrt";

    public override IReadOnlyList<byte[]> SyntheticSeeds() => Harnesses.SyntheticSeeds.Mrt().ToList();

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus) => [.. SyntheticSeeds(), .. Seeds.MrtRecords(corpus)];

    public override void Execute(byte[] input)
    {
        using var reader = new MrtReader(new MemoryStream(input));
        MrtPeerIndexTable? peers = null;
        while (reader.TryReadRecord(out var record))
        {
            var body = record.Body.Span;
            switch ((MrtRecordType)record.Type)
            {
                case MrtRecordType.TableDumpV2 when record.Subtype == (ushort)TableDumpV2Subtype.PeerIndexTable:
                    peers = MrtPeerIndexTable.TryDecode(body, out _) ?? peers;
                    break;
                case MrtRecordType.TableDumpV2:
                    if (MrtRib.TryDecode(record.Subtype, body, out var rib, out _))
                    {
                        var entries = rib.GetEnumerator();
                        while (entries.MoveNext())
                        {
                            _ = peers is not null && entries.Current.PeerIndex < peers.Peers.Count;
                            DecodeAttributes(entries.Current.Attributes, fourOctetAs: true);
                        }
                    }
                    break;
                case MrtRecordType.TableDump:
                    if (MrtTableDump.TryDecode(record.Subtype, body, out var entry, out _))
                    {
                        DecodeAttributes(entry.Attributes, fourOctetAs: false);
                    }
                    break;
                case MrtRecordType.Bgp4Mp:
                case MrtRecordType.Bgp4MpEt:
                    if (MrtBgp4Mp.TryDecode(record.Subtype, body, out var bgp, out _) && bgp.Kind == Bgp4MpKind.Message)
                    {
                        var context = bgp.FourOctetAs ? BgpDecodeContext.FourOctetAsDefault : BgpDecodeContext.Default;
                        try
                        {
                            BgpMessage.Decode(bgp.Message, context);
                        }
                        catch (BgpWireException e)
                        {
                            BgpChecks.CheckOffset(e.Error, bgp.Message.Length);
                        }
                    }
                    break;
                case MrtRecordType.Bgp:
                    MrtBgp4Mp.TryDecodeDeprecated(record.Subtype, body, out _, out _);
                    break;
            }
        }
    }

    private static void DecodeAttributes(ReadOnlySpan<byte> attributes, bool fourOctetAs)
    {
        if (attributes.Length > ushort.MaxValue - 23)
        {
            return;
        }
        var body = new byte[4 + attributes.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)attributes.Length);
        attributes.CopyTo(body.AsSpan(4));
        try
        {
            BgpMessage.DecodeBody(BgpMessageType.Update, body, fourOctetAs ? BgpDecodeContext.FourOctetAsDefault : BgpDecodeContext.Default);
        }
        catch (BgpWireException e)
        {
            BgpChecks.CheckOffset(e.Error, body.Length);
        }
    }
}
